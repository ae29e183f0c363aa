import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode } from '../../../../lib/core/errors';
import type { ProducerRecord, TopicRecord } from '../../../../lib/core/topics';
import { type LocalTopicStore, openLocalTopicStore, SCHEMA_VERSION, TOPICS_DB_FILE } from '../../../../lib/topics/local';
import { encodeBatches, RECORD_HEADER_BYTES } from '../../../../lib/topics/local/batch-codec';
import { SEGMENT_MIN_BATCH_BYTES, SEGMENTS_DIR } from '../../../../lib/topics/local/segments';

const NOW = 1_700_000_000_000;

/** `count` records of `size`-byte values, numbered from `first` (the number is in the value). */
function records(first: number, count: number, size: number): ProducerRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const value = Buffer.alloc(size, (first + i) % 251);
    value.write(`#${first + i}#`, 0, 'latin1');
    return { key: (first + i) % 3 === 0 ? null : Buffer.from(`k${first + i}`), value, timestamp: NOW + first + i };
  });
}

type Readable = Pick<TopicRecord, 'offset' | 'timestamp'> & { key: Uint8Array | null; value: Uint8Array };
const asRows = (list: readonly Readable[]): Array<[number, string | null, string, number]> =>
  list.map((r) => [r.offset, r.key === null ? null : Buffer.from(r.key).toString(), Buffer.from(r.value).toString('base64'), r.timestamp]);

type Row = { base_offset: number; record_count: number; inline: number; segment: number | null; position: number | null; length: number | null };

describe('Class: LocalTopicStore, segment files (schema version 4)', () => {
  let dir: string;
  let store: LocalTopicStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-segments-'));
    store = openLocalTopicStore({ dataDir: dir, now: () => NOW });
    await store.createTopic('t');
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const rows = (topicId = 1): Row[] => {
    const db = new Database(join(dir, TOPICS_DB_FILE), { readonly: true });
    try {
      return db
        .prepare(`SELECT base_offset, record_count, length(records) AS inline, segment, position, length FROM batches_${topicId} ORDER BY base_offset`)
        .all() as Row[];
    } finally {
      db.close();
    }
  };
  const segmentFile = (topicId: number, segment: number): string => join(dir, SEGMENTS_DIR, String(topicId), `${String(segment).padStart(20, '0')}.log`);

  it('should write a large batch to a segment file and keep a small one inline', async () => {
    // Prepare
    const producer = store.producer('t');

    // Act
    await producer.send(records(0, 1, 100)); // one poll's record: inline
    await producer.send(records(1, 10, 1024)); // ~10 KiB: segment
    await producer.send(records(11, 2, 50)); // inline again
    await producer.send(records(13, 5, 1000)); // segment, after the first one

    // Assess
    const size = (list: ProducerRecord[]): number => encodeBatches(list, NOW)[0]!.bytes.length;
    const [small1, large1, small2, large2] = [size(records(0, 1, 100)), size(records(1, 10, 1024)), size(records(11, 2, 50)), size(records(13, 5, 1000))];
    expect([small1, small2].every((n) => n < SEGMENT_MIN_BATCH_BYTES) && [large1, large2].every((n) => n >= SEGMENT_MIN_BATCH_BYTES)).toBe(true);
    expect(rows()).toEqual([
      { base_offset: 0, record_count: 1, inline: small1, segment: null, position: null, length: null },
      { base_offset: 1, record_count: 10, inline: 0, segment: 1, position: 0, length: large1 },
      // Inline, carrying the segment tail forward (where the next large batch goes).
      { base_offset: 11, record_count: 2, inline: small2, segment: 1, position: large1, length: null },
      { base_offset: 13, record_count: 5, inline: 0, segment: 1, position: large1, length: large2 },
    ]);
    expect(readdirSync(join(dir, SEGMENTS_DIR, '1'))).toEqual(['00000000000000000001.log']);
    // The file holds exactly the encoded batches, one after the other.
    expect(readFileSync(segmentFile(1, 1))).toEqual(Buffer.concat([encodeBatches(records(1, 10, 1024), NOW)[0]!.bytes, encodeBatches(records(13, 5, 1000), NOW)[0]!.bytes]));
  });

  it('should read back exactly what was sent from any offset, inline and segment batches mixed, across rolled segments', async () => {
    // Prepare: a 64 KiB roll size, so the topic spans several segment files
    await store.close();
    store = openLocalTopicStore({ dataDir: dir, now: () => NOW, segmentBytes: 64 * 1024 });
    const producer = store.producer('t');
    const sent: ProducerRecord[] = [];
    const sizes = [[1, 20], [40, 1024], [3, 10], [70, 700], [1, 5000], [200, 300], [2, 1], [30, 2048]] as const;
    for (const [count, size] of sizes) {
      const batch = records(sent.length, count, size);
      await producer.send(batch);
      sent.push(...batch);
    }
    const consumer = store.consumer('t');
    const expected = asRows(sent.map((r, offset) => ({ ...r, offset, key: r.key ?? null, timestamp: r.timestamp! })));

    // Act
    const fromEach: Array<[number, number]> = [];
    for (let from = 0; from <= sent.length; from += 7) {
      for (const max of [1, 13, 500]) {
        const got = await consumer.fetch(from, max);
        if (JSON.stringify(asRows(got)) !== JSON.stringify(expected.slice(from, from + max))) fromEach.push([from, max]);
      }
    }
    const reopened = openLocalTopicStore({ dataDir: dir });
    const all = await reopened.consumer('t').fetch(0, 10_000);
    await reopened.close();

    // Assess
    expect(fromEach).toEqual([]);
    expect(asRows(all)).toEqual(expected);
    const files = readdirSync(join(dir, SEGMENTS_DIR, '1'));
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) expect(statSync(join(dir, SEGMENTS_DIR, '1', file)).size).toBeLessThanOrEqual(64 * 1024);
    // Each segment is named after the base offset of its first batch.
    const segments = [...new Set(rows().flatMap((r) => (r.length === null ? [] : [r.segment!])))];
    expect(files).toEqual(segments.map((s) => `${String(s).padStart(20, '0')}.log`));
    for (const s of segments) expect(rows().find((r) => r.segment === s)).toMatchObject({ base_offset: s, position: 0 });
  });

  it('should overwrite bytes a crashed writer left past the indexed end, and never read them', async () => {
    // Prepare: a committed batch, then garbage after it as a writer killed between its write and its commit leaves
    const producer = store.producer('t');
    await producer.send(records(0, 8, 1024));
    const file = segmentFile(1, 0);
    const end = statSync(file).size;
    appendFileSync(file, Buffer.alloc(50_000, 0xee));
    const consumer = store.consumer('t');
    const beforeNext = await consumer.fetch(0, 100);
    const atEnd = await consumer.fetch(8, 100);

    // Act
    const next = await producer.send(records(8, 6, 1024));

    // Assess
    expect(beforeNext.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(atEnd).toEqual([]);
    expect(next).toBe(8);
    expect(rows()[1]).toMatchObject({ base_offset: 8, segment: 0, position: end });
    const bytes = readFileSync(file);
    const written = encodeBatches(records(8, 6, 1024), NOW)[0]!.bytes;
    expect(bytes.subarray(end, end + written.length)).toEqual(written);
    const expected = [...records(0, 8, 1024), ...records(8, 6, 1024)].map((r, offset) => ({ ...r, offset, key: r.key ?? null, timestamp: r.timestamp! }));
    expect(asRows(await consumer.fetch(0, 100))).toEqual(asRows(expected));
    expect(await consumer.endOffset()).toBe(14);
  });

  it('should start a new segment over a file a crashed writer left with no row pointing at it', async () => {
    // Prepare: the first large batch of the topic would go to segment 0; a crashed writer already created it
    mkdirSync(join(dir, SEGMENTS_DIR, '1'), { recursive: true });
    writeFileSync(segmentFile(1, 0), Buffer.alloc(100_000, 0xab));

    // Act
    await store.producer('t').send(records(0, 5, 2000));
    const got = await store.consumer('t').fetch(0, 10);

    // Assess
    expect(asRows(got)).toEqual(asRows(records(0, 5, 2000).map((r, offset) => ({ ...r, offset, key: r.key ?? null, timestamp: r.timestamp! }))));
    expect(rows()[0]).toMatchObject({ segment: 0, position: 0 });
  });

  it('should fail a read whose bytes do not match their CRC-32 with TOPIC_STORE_DAMAGED naming topic, offset and file', async () => {
    // Prepare
    await store.producer('t').send(records(0, 6, 1024));
    await store.producer('t').send(records(6, 6, 1024));
    const file = segmentFile(1, 0);
    const bytes = readFileSync(file);
    const second = rows()[1]!;
    bytes[second.position! + 100] = bytes[second.position! + 100]! ^ 0xff;
    writeFileSync(file, bytes);
    const reader = openLocalTopicStore({ dataDir: dir });
    const consumer = reader.consumer('t');

    // Act
    const first = await consumer.fetch(0, 6);
    const damaged = consumer.fetch(3, 100);
    await damaged.catch(() => undefined);
    await reader.close();

    // Assess
    expect(first.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5]);
    await expect(damaged).rejects.toMatchObject({ code: ErrorCode.TOPIC_STORE_DAMAGED });
    await expect(damaged).rejects.toThrow(`topic "t": the batch at offset 6 is damaged: CRC-32 mismatch in ${file}`);
  });

  it('should fail a read past the end of a truncated segment file with TOPIC_STORE_DAMAGED', async () => {
    // Prepare
    await store.producer('t').send(records(0, 6, 1024));
    truncateSync(segmentFile(1, 0), 1000);

    // Act
    const read = store.consumer('t').fetch(0, 10);

    // Assess
    await expect(read).rejects.toMatchObject({ code: ErrorCode.TOPIC_STORE_DAMAGED });
    await expect(read).rejects.toThrow(/offset 0 is damaged: .*00000000000000000000\.log ends before its bytes 0\.\.\d+ \(read 1000 of/);
  });

  it('should remove the segment folder of a deleted topic and give the re-created topic a new one', async () => {
    // Prepare
    await store.producer('t').send(records(0, 10, 1024));
    const consumer = store.consumer('t');
    expect(await consumer.fetch(0, 1)).toHaveLength(1);
    const other = openLocalTopicStore({ dataDir: dir });
    const otherConsumer = other.consumer('t');
    expect(await otherConsumer.fetch(0, 1)).toHaveLength(1); // the other connection has the file open

    // Act
    await store.deleteTopic('t');
    await store.createTopic('t');
    await store.producer('t').send(records(100, 5, 1024));

    // Assess
    expect(existsSync(join(dir, SEGMENTS_DIR, '1'))).toBe(false);
    expect(readdirSync(join(dir, SEGMENTS_DIR))).toEqual(['2']);
    await expect(consumer.fetch(0, 10)).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
    await expect(otherConsumer.fetch(0, 10)).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
    expect((await store.consumer('t').fetch(0, 10)).map((r) => r.value.subarray(0, 5).toString('latin1'))).toEqual(['#100#', '#101#', '#102#', '#103#', '#104#']);
    await other.close();
  });

  it('should close the descriptors of a topic another connection deleted, once a send or a read finds it gone', async () => {
    // Prepare: this connection has the topic's segment open for writing and reading
    await store.producer('t').send(records(0, 10, 1024));
    const consumer = store.consumer('t');
    await consumer.fetch(0, 10);
    const openSegments = (): string[] =>
      readdirSync('/proc/self/fd').flatMap((fd) => {
        try {
          const target = readlinkSync(join('/proc/self/fd', fd));
          return target.startsWith(join(dir, SEGMENTS_DIR)) ? [target] : [];
        } catch {
          return []; // closed meanwhile (the readdir's own descriptor)
        }
      });
    const before = openSegments();
    const other = openLocalTopicStore({ dataDir: dir });
    await other.deleteTopic('t');
    await other.createTopic('t');
    await other.close();

    // Act
    await store.producer('t').send(records(0, 1, 10)); // inline: opens nothing
    const afterSend = openSegments();
    await consumer.fetch(0, 10).catch(() => undefined);

    // Assess
    expect(before).toEqual([segmentFile(1, 0)]);
    expect(afterSend).toEqual([]);
    expect(openSegments()).toEqual([]);
  });

  it('should remove, on open, the segment folder of a topic deleted by a process that died before removing it', async () => {
    // Prepare: topic 1 has a segment; its row is deleted the way a dead process leaves it (table dropped, folder kept)
    await store.producer('t').send(records(0, 10, 1024));
    await store.createTopic('kept');
    await store.producer('kept').send(records(0, 10, 1024));
    await store.close();
    const raw = new Database(join(dir, TOPICS_DB_FILE));
    raw.exec("DELETE FROM topics WHERE name = 't'; DROP TABLE batches_1;");
    raw.close();

    // Act
    store = openLocalTopicStore({ dataDir: dir });

    // Assess
    expect(readdirSync(join(dir, SEGMENTS_DIR))).toEqual(['2']);
    expect(await store.consumer('kept').fetch(0, 100)).toHaveLength(10);
  });

  it('should write and read segments with synchronous full', async () => {
    // Prepare
    await store.close();
    store = openLocalTopicStore({ dataDir: dir, synchronous: 'full', now: () => NOW });

    // Act
    await store.producer('t').send(records(0, 10, 1024));
    await store.producer('t').send(records(10, 1, 10));
    const got = await store.consumer('t').fetch(0, 100);

    // Assess
    expect(got.map((r) => r.offset)).toEqual([...Array(11).keys()]);
    expect(rows().map((r) => [r.segment, r.length !== null])).toEqual([
      [0, true],
      [0, false],
    ]);
  });
});

describe('Local topic store: migration of a version-3 store to segment files (version 4)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-migration-v4-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should keep every version-3 batch readable inline, add the segment columns, and put the next large batch in a segment', async () => {
    // Prepare: a version-3 file as that release wrote it (batch tables of three columns)
    const old = [...records(0, 3, 10), ...records(3, 20, 1024)];
    const raw = new Database(join(dir, TOPICS_DB_FILE));
    raw.pragma('journal_mode = WAL');
    raw.exec(`
CREATE TABLE topics (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
CREATE TABLE consumer_offsets (topic_id INTEGER NOT NULL, consumer TEXT NOT NULL, next_offset INTEGER NOT NULL, pending_end INTEGER, updated_at INTEGER NOT NULL, PRIMARY KEY (topic_id, consumer)) WITHOUT ROWID;
INSERT INTO topics (name, created_at) VALUES ('old', ${NOW}), ('empty', ${NOW});
CREATE TABLE batches_1 (base_offset INTEGER PRIMARY KEY, record_count INTEGER NOT NULL, records BLOB NOT NULL);
CREATE TABLE batches_2 (base_offset INTEGER PRIMARY KEY, record_count INTEGER NOT NULL, records BLOB NOT NULL);
INSERT INTO consumer_offsets VALUES (1, 'sink', 2, NULL, ${NOW});
PRAGMA user_version = 3;`);
    const insert = raw.prepare('INSERT INTO batches_1 VALUES (?, ?, ?)');
    insert.run(0, 3, encodeBatches(old.slice(0, 3), NOW)[0]!.bytes);
    insert.run(3, 20, encodeBatches(old.slice(3), NOW)[0]!.bytes);
    raw.close();

    // Act
    const store = openLocalTopicStore({ dataDir: dir, now: () => NOW });
    const before = await store.consumer('old').fetch(0, 100);
    const fromMiddle = await store.consumer('old').fetch(10, 3);
    const next = await store.producer('old').send(records(23, 10, 1024));
    await store.producer('empty').send(records(0, 10, 1024));
    const after = await store.consumer('old').fetch(0, 100);
    const committed = await store.consumer('old').committed('sink');
    await store.close();

    // Assess
    const expected = old.map((r, offset) => ({ ...r, offset, key: r.key ?? null, timestamp: r.timestamp! }));
    expect(asRows(before)).toEqual(asRows(expected));
    expect(fromMiddle.map((r) => r.offset)).toEqual([10, 11, 12]);
    expect(next).toBe(23);
    expect(after).toHaveLength(33);
    expect(after[30]!.value.subarray(0, 4).toString('latin1')).toBe('#30#');
    expect(committed).toMatchObject({ offset: 2 });
    const check = new Database(join(dir, TOPICS_DB_FILE), { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(4);
      expect(check.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('batches_1')).toEqual(['base_offset', 'record_count', 'records', 'segment', 'position', 'length', 'crc']);
      expect(check.prepare('SELECT base_offset, length(records) > 0, segment FROM batches_1 ORDER BY base_offset').raw().all()).toEqual([
        [0, 1, null],
        [3, 1, null],
        [23, 0, 23],
      ]);
      // No index to write at each commit: the last row carries the segment tail.
      expect(check.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND name LIKE 'batches_%'").pluck().all()).toEqual([]);
    } finally {
      check.close();
    }
    expect(readdirSync(join(dir, SEGMENTS_DIR)).sort()).toEqual(['1', '2']);
  });

  it('should refuse a store of a newer version than 4 with TOPIC_STORE_UNSUPPORTED and leave it as it was', () => {
    // Prepare
    const raw = new Database(join(dir, TOPICS_DB_FILE));
    raw.pragma('user_version = 5');
    raw.close();

    // Act
    const open = (): LocalTopicStore => openLocalTopicStore({ dataDir: dir });

    // Assess
    expect(open).toThrow(expect.objectContaining({ code: ErrorCode.TOPIC_STORE_UNSUPPORTED, message: expect.stringContaining('version 5 is newer than this program supports (4)') }));
    expect(existsSync(join(dir, SEGMENTS_DIR))).toBe(false);
  });
});
