import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { ErrorCode } from '../../../../lib/core/errors';
import type { ProducerRecord, TopicRecord } from '../../../../lib/core/topics';
import { openLocalTopicStore, type LocalTopicStore } from '../../../../lib/topics/local';
import { decodeBatch, DEFAULT_BATCH_LIMITS, encodeBatches, RECORD_HEADER_BYTES, ScratchSpace } from '../../../../lib/topics/local/batch-codec';

const NOW = 1_700_000_000_000;
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Rows of a topic's batch table: `[base_offset, record_count]`, in offset order. */
function batchRows(store: LocalTopicStore, topic: string): Array<[number, number]> {
  const raw = new Database(store.file, { readonly: true });
  try {
    const id = raw.prepare('SELECT id FROM topics WHERE name = ?').pluck().get(topic) as number;
    return raw.prepare(`SELECT base_offset, record_count FROM batches_${id} ORDER BY base_offset`).raw().all() as Array<[number, number]>;
  } finally {
    raw.close();
  }
}

describe('Module: batch-codec', () => {
  it('should round-trip keys (null, empty, binary), values (empty, binary) and timestamps', () => {
    // Prepare
    const records: ProducerRecord[] = [
      { value: bytes('no key, store time') },
      { key: Buffer.alloc(0), value: Buffer.alloc(0), timestamp: 5 },
      { key: Buffer.from([0, 255, 7]), value: new Uint8Array([1, 2, 3]), timestamp: 1.5 },
    ];

    // Act
    const [batch, ...more] = encodeBatches(records, NOW);
    const out: TopicRecord[] = [];
    const appended = decodeBatch(batch!.bytes, 40, batch!.count, 0, 10, out);

    // Assess
    expect(more).toEqual([]);
    expect(batch!.count).toBe(3);
    expect(batch!.bytes.length).toBe(3 * RECORD_HEADER_BYTES + 18 + (0 + 0) + (3 + 3));
    expect(appended).toBe(3);
    expect(out).toEqual([
      { offset: 40, timestamp: NOW, key: null, value: bytes('no key, store time') },
      { offset: 41, timestamp: 5, key: Buffer.alloc(0), value: Buffer.alloc(0) },
      { offset: 42, timestamp: 1.5, key: Buffer.from([0, 255, 7]), value: Buffer.from([1, 2, 3]) },
    ]);
  });

  it('should decode only the records at or after `from`, at most `max`', () => {
    // Prepare
    const [batch] = encodeBatches(['a', 'b', 'c', 'd', 'e'].map((v) => ({ value: bytes(v) })), NOW);
    const out: TopicRecord[] = [];

    // Act
    const appended = decodeBatch(batch!.bytes, 10, batch!.count, 12, 2, out);

    // Assess
    expect(appended).toBe(2);
    expect(out.map((r) => [r.offset, r.value.toString()])).toEqual([
      [12, 'c'],
      [13, 'd'],
    ]);
  });

  it('should split a send at the byte and record caps, a larger record alone in its batch', () => {
    // Prepare
    const limits = { maxBytes: 100, maxRecords: 3 };
    const small = { value: Buffer.alloc(10) }; // 26 bytes encoded
    const large = { value: Buffer.alloc(200) }; // over the cap

    // Act
    const batches = encodeBatches([small, small, small, small, large, small, small, small, small], NOW, limits);

    // Assess
    expect(batches.map((b) => b.count)).toEqual([3, 1, 1, 3, 1]);
    expect(batches.every((b) => b.bytes.length <= limits.maxBytes || b.count === 1)).toBe(true);
  });

  it('should encode into a scratch space the same bytes as into fresh buffers, its parts never overlapping, fresh buffers past its size', () => {
    // Prepare: 5 batches of 3 records of 16 + 10 bytes (78 bytes each); a 200-byte space holds two of them
    const limits = { maxBytes: 100, maxRecords: 3 };
    const records = Array.from({ length: 15 }, (_, i) => ({ value: Buffer.alloc(10, i), timestamp: i }));
    const scratch = new ScratchSpace(200);

    // Act
    scratch.reset();
    const first = encodeBatches(records, NOW, limits, scratch.take);
    const firstCopies = first.map((b) => Buffer.from(b.bytes));
    scratch.reset();
    const second = encodeBatches(records.slice(0, 3), NOW, limits, scratch.take);

    // Assess
    expect(firstCopies).toEqual(encodeBatches(records, NOW, limits).map((b) => b.bytes));
    const space = first[0]!.bytes;
    const at = (b: { bytes: Buffer }): number | null =>
      b.bytes.buffer === space.buffer && b.bytes.byteOffset >= space.byteOffset && b.bytes.byteOffset < space.byteOffset + 200 ? b.bytes.byteOffset - space.byteOffset : null;
    expect(first.map(at)).toEqual([0, 78, null, null, null]);
    expect(at(second[0]!)).toBe(0); // reused after reset
    expect(second[0]!.bytes).toEqual(encodeBatches(records.slice(0, 3), NOW, limits)[0]!.bytes);
  });

  it('should refuse a damaged batch with an error naming its offset', () => {
    // Prepare
    const [batch] = encodeBatches([{ value: bytes('hello') }, { value: bytes('world') }], NOW);
    const truncated = batch!.bytes.subarray(0, batch!.bytes.length - 1);

    // Act
    const decode = (): number => decodeBatch(truncated, 7, 2, 0, 10, []);

    // Assess
    expect(decode).toThrow(/batch at offset 7 is damaged \(record 1/);
  });
});

describe('Class: LocalTopicStore, record batches', () => {
  let dir: string;
  let store: LocalTopicStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'local-batches-'));
    store = openLocalTopicStore({ dataDir: dir, now: () => NOW });
    await store.createTopic('t');
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should store one row per send, keyed by its base offset', async () => {
    // Prepare
    const producer = store.producer('t');

    // Act
    await producer.send([{ value: bytes('a') }, { value: bytes('b') }, { value: bytes('c') }]);
    await producer.send([{ value: bytes('d') }]);
    await producer.send([{ value: bytes('e') }, { value: bytes('f') }]);

    // Assess
    expect(batchRows(store, 't')).toEqual([
      [0, 3],
      [3, 1],
      [4, 2],
    ]);
  });

  it('should store a send over the byte cap as consecutive batches written together', async () => {
    // Prepare: 3 MiB of records, 600 KiB each
    const value = Buffer.alloc(600 * 1024, 1);
    const records = Array.from({ length: 5 }, (_, i) => ({ value: Buffer.concat([Buffer.from([i]), value]) }));

    // Act
    const first = await store.producer('t').send(records);
    const fetched = await store.consumer('t').fetch(0, 10);

    // Assess
    expect(first).toBe(0);
    expect(DEFAULT_BATCH_LIMITS.maxBytes).toBe(1024 * 1024);
    expect(batchRows(store, 't')).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 1],
      [4, 1],
    ]);
    expect(fetched.map((r) => [r.offset, r.value[0], r.value.length])).toEqual(records.map((r, i) => [i, i, r.value.length]));
  });

  it('should fetch exactly the records of a model topic from any offset, whatever the batch sizes (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 15 }),
        fc.array(fc.tuple(fc.integer({ min: -3, max: 90 }), fc.integer({ min: 0, max: 40 })), { minLength: 1, maxLength: 10 }),
        async (sends, fetches) => {
          // Prepare: a fresh topic filled by `sends`, and the same records in an array
          await store.deleteTopic('p');
          await store.createTopic('p');
          const model: string[] = [];
          const producer = store.producer('p');
          for (const size of sends) {
            const batch = Array.from({ length: size }, (_, i) => `r${model.length + i}`);
            await producer.send(batch.map((v) => ({ key: v.length % 2 === 0 ? null : bytes(`k-${v}`), value: bytes(v) })));
            model.push(...batch);
          }
          const consumer = store.consumer('p');

          for (const [from, max] of fetches) {
            // Act
            const records = await consumer.fetch(from, max);

            // Assess
            const start = Math.max(0, from);
            const expected = model.slice(start, start + Math.max(0, max));
            expect(records.map((r) => r.value.toString())).toEqual(expected);
            expect(records.map((r) => r.offset)).toEqual(expected.map((_, i) => start + i));
            expect(records.map((r) => (r.key === null ? null : r.key.toString()))).toEqual(expected.map((v) => (v.length % 2 === 0 ? null : `k-${v}`)));
          }
          expect(await consumer.endOffset()).toBe(model.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('should fail a consumer with TOPIC_NOT_FOUND when another connection deletes its topic', async () => {
    // Prepare
    await store.producer('t').send([{ value: bytes('x') }]);
    const consumer = store.consumer('t');
    expect((await consumer.fetch(0, 10)).length).toBe(1);
    const other = openLocalTopicStore({ dataDir: dir });

    // Act
    await other.deleteTopic('t');
    await other.close();

    // Assess
    await expect(consumer.fetch(0, 10)).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
    await expect(consumer.endOffset()).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
    await expect(consumer.commit('sink', 1)).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
  });

  it('should see topics another connection created after it opened', async () => {
    // Prepare
    const other = openLocalTopicStore({ dataDir: dir, now: () => NOW });
    await other.listTopics(); // its schema is now cached

    // Act
    await store.createTopic('later');
    await store.producer('later').send([{ value: bytes('seen') }]);
    const written = await other.producer('later').send([{ value: bytes('too') }]);
    const records = await other.consumer('later').fetch(0, 10);
    const topics = await other.listTopics();
    await other.close();

    // Assess
    expect(written).toBe(1);
    expect(records.map((r) => r.value.toString())).toEqual(['seen', 'too']);
    expect(topics).toContainEqual({ name: 'later', records: 2, createdAt: NOW });
  });
});
