import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { ConsumerOffset, TopicInfo } from '../../../../lib/core/topics';
import { openLocalTopicStore, SCHEMA_VERSION, TOPICS_DB_FILE } from '../../../../lib/topics/local';

/** The version-2 store file written by the previous release, and what that release read from it (see its README). */
const FIXTURE = join(__dirname, '../../../fixtures/stores/v2');
interface Expected {
  topics: TopicInfo[];
  consumers: ConsumerOffset[];
  records: Record<string, Array<[offset: number, timestamp: number, key: string | null, value: string]>>;
}
const expected = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as Expected;

/** The version-2 layout, for hand-made files. */
const V2 = `
CREATE TABLE topics (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, next_offset INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE records (topic_id INTEGER NOT NULL, "offset" INTEGER NOT NULL, timestamp INTEGER NOT NULL, key BLOB, value BLOB NOT NULL, PRIMARY KEY (topic_id, "offset"));
CREATE TABLE consumer_offsets (topic_id INTEGER NOT NULL, consumer TEXT NOT NULL, next_offset INTEGER NOT NULL, pending_end INTEGER, updated_at INTEGER NOT NULL, PRIMARY KEY (topic_id, consumer)) WITHOUT ROWID;
PRAGMA user_version = 2;
`;

describe('Local topic store: migration of a version-2 store to record batches (version 3)', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-migration-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const raw = (fn: (db: Database.Database) => void): void => {
    const db = new Database(join(dir, TOPICS_DB_FILE));
    try {
      fn(db);
    } finally {
      db.close();
    }
  };

  it('should upgrade a store the previous release wrote: every record, offset, timestamp and consumer position kept', async () => {
    // Prepare
    copyFileSync(join(FIXTURE, TOPICS_DB_FILE), join(dir, TOPICS_DB_FILE));

    // Act
    const store = openLocalTopicStore({ dataDir: dir });
    const topics = await store.listTopics();
    const consumers = await store.listConsumerOffsets();
    const records: Expected['records'] = {};
    for (const topic of topics) {
      records[topic.name] = (await store.consumer(topic.name).fetch(0, 100_000)).map((r) => [r.offset, r.timestamp, r.key === null ? null : r.key.toString('base64'), r.value.toString('base64')]);
    }
    const next = await store.producer('quotes').send([{ value: Buffer.from('after the upgrade') }]);
    const deepFetch = await store.consumer('quotes').fetch(150, 3);
    await store.close();

    // Assess
    expect(topics).toEqual(expected.topics);
    expect(consumers).toEqual(expected.consumers);
    expect(records).toEqual(expected.records);
    expect(next).toBe(expected.topics.find((t) => t.name === 'quotes')!.records);
    expect(deepFetch.map((r) => r.offset)).toEqual([150, 151, 152]);
    raw((db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all();
      expect(tables).toEqual(['batches_2', 'batches_3', 'batches_4', 'consumer_offsets', 'sqlite_sequence', 'topics']);
      expect(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('topics')).toEqual(['id', 'name', 'created_at']);
    });
  });

  it('should keep a topic that was deleted before the upgrade gone, and never reuse its id', async () => {
    // Prepare
    copyFileSync(join(FIXTURE, TOPICS_DB_FILE), join(dir, TOPICS_DB_FILE));
    const store = openLocalTopicStore({ dataDir: dir });

    // Act
    await store.createTopic('gone');
    await store.producer('gone').send([{ value: Buffer.from('new') }]);
    const records = await store.consumer('gone').fetch(0, 10);
    await store.close();

    // Assess
    expect(records.map((r) => [r.offset, r.value.toString()])).toEqual([[0, 'new']]);
    raw((db) => expect(db.prepare("SELECT id FROM topics WHERE name = 'gone'").pluck().get()).toBe(5));
  });

  it('should leave the version-2 file untouched when the upgrade fails', () => {
    // Prepare: a version-2 file with a table in the way of the first batch table
    raw((db) => {
      db.exec(V2);
      db.prepare("INSERT INTO topics (name, next_offset, created_at) VALUES ('t', 1, 1)").run();
      db.prepare("INSERT INTO records VALUES (1, 0, 1, NULL, X'61')").run();
      db.exec('CREATE TABLE batches_1 (x)');
    });

    // Act
    const open = (): unknown => openLocalTopicStore({ dataDir: dir });

    // Assess
    expect(open).toThrow(/batches_1 already exists/);
    raw((db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(db.prepare('SELECT count(*) FROM records').pluck().get()).toBe(1);
      expect(db.prepare('SELECT next_offset FROM topics').pluck().get()).toBe(1);
    });
  });

  it('should start a new batch at a gap in the offsets and keep a next offset beyond the last record', async () => {
    // Prepare: offsets 0, 1, then 5 (a gap no release writes), next offset 9
    raw((db) => {
      db.exec(V2);
      db.prepare("INSERT INTO topics (name, next_offset, created_at) VALUES ('t', 9, 1)").run();
      const insert = db.prepare('INSERT INTO records VALUES (1, ?, 1, NULL, ?)');
      for (const offset of [0, 1, 5]) insert.run(offset, Buffer.from(`v${offset}`));
    });

    // Act
    const store = openLocalTopicStore({ dataDir: dir });
    const before = await store.consumer('t').fetch(0, 10);
    const end = await store.consumer('t').endOffset();
    const next = await store.producer('t').send([{ value: Buffer.from('v9') }]);
    const after = await store.consumer('t').fetch(2, 10);
    await store.close();

    // Assess
    expect(before.map((r) => [r.offset, r.value.toString()])).toEqual([
      [0, 'v0'],
      [1, 'v1'],
      [5, 'v5'],
    ]);
    expect(end).toBe(9);
    expect(next).toBe(9);
    expect(after.map((r) => r.offset)).toEqual([5, 9]);
    raw((db) => expect(db.prepare('SELECT base_offset, record_count FROM batches_1 ORDER BY base_offset').raw().all()).toEqual([[0, 2], [5, 1], [6, 3], [9, 1]]));
  });
});
