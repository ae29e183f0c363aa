import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { ErrorCode, TopicNotFoundError, TopicWriteError } from '../../../../lib/core/errors';
import { type LocalTopicStore, openLocalTopicStore, SCHEMA_VERSION, TOPICS_DB_FILE } from '../../../../lib/topics/local';
import type { TopicRecord } from '../../../../lib/core/topics';

const NOW = 1_700_000_000_000;
const bytes = (s: string): Buffer => Buffer.from(s, 'utf8');
const values = (records: TopicRecord[]): string[] => records.map((r) => r.value.toString('utf8'));

describe('Class: LocalTopicStore', () => {
  let dir: string;
  let store: LocalTopicStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'local-store-'));
    store = openLocalTopicStore({ dataDir: join(dir, 'data'), now: () => NOW });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('topics', () => {
    it('should create the data directory and the store file', () => {
      // Assess (the store was opened in beforeEach on a directory that did not exist)
      expect(existsSync(join(dir, 'data', TOPICS_DB_FILE))).toBe(true);
      expect(store.file).toBe(join(dir, 'data', TOPICS_DB_FILE));
    });

    it('should create a topic once and report whether it exists', async () => {
      // Act
      const first = await store.createTopic('quotes');
      const second = await store.createTopic('quotes');

      // Assess
      expect(first).toBe(true);
      expect(second).toBe(false);
      expect(await store.topicExists('quotes')).toBe(true);
      expect(await store.topicExists('other')).toBe(false);
    });

    it('should list topics by name with their record count and creation time', async () => {
      // Prepare
      await store.createTopic('b-topic');
      await store.createTopic('a-topic');
      await store.producer('b-topic').send([{ value: bytes('1') }, { value: bytes('2') }]);

      // Act
      const topics = await store.listTopics();

      // Assess
      expect(topics).toEqual([
        { name: 'a-topic', records: 0, createdAt: NOW },
        { name: 'b-topic', records: 2, createdAt: NOW },
      ]);
    });

    it('should delete a topic together with its records', async () => {
      // Prepare
      await store.createTopic('doomed');
      await store.createTopic('kept');
      await store.producer('doomed').send([{ value: bytes('x') }, { value: bytes('y') }]);
      await store.producer('kept').send([{ value: bytes('z') }]);

      // Act
      const deleted = await store.deleteTopic('doomed');
      const again = await store.deleteTopic('doomed');

      // Assess
      expect(deleted).toBe(true);
      expect(again).toBe(false);
      expect(await store.topicExists('doomed')).toBe(false);
      expect((await store.listTopics()).map((t) => t.name)).toEqual(['kept']);
      const raw = new Database(store.file, { readonly: true });
      try {
        // One batch table left (the kept topic's), holding its one record.
        const tables = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE 'batches_%'").pluck().all() as string[];
        expect(tables).toHaveLength(1);
        expect(raw.prepare(`SELECT sum(record_count) FROM ${tables[0]}`).pluck().get()).toBe(1);
      } finally {
        raw.close();
      }
    });
  });

  describe('produce and consume', () => {
    beforeEach(async () => {
      await store.createTopic('t');
    });

    it('should return records as produced: null and set keys, binary and empty values, timestamps', async () => {
      // Prepare
      const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const view = new Uint8Array(new Uint8Array([9, 9, 1, 2, 3, 9]).buffer, 2, 3);

      // Act
      const first = await store.producer('t').send([
        { value: bytes('plain') },
        { key: bytes('k1'), value: allBytes },
        { key: null, value: new Uint8Array(0) },
        { key: new Uint8Array(0), value: view, timestamp: 42 },
      ]);
      const records = await store.consumer('t').fetch(0, 10);

      // Assess
      expect(first).toBe(0);
      expect(records).toEqual([
        { offset: 0, timestamp: NOW, key: null, value: bytes('plain') },
        { offset: 1, timestamp: NOW, key: bytes('k1'), value: allBytes },
        { offset: 2, timestamp: NOW, key: null, value: Buffer.alloc(0) },
        { offset: 3, timestamp: 42, key: Buffer.alloc(0), value: Buffer.from([1, 2, 3]) },
      ]);
      expect(records.every((r) => Buffer.isBuffer(r.value))).toBe(true);
    });

    it('should give contiguous offsets across batches and return each batch first offset', async () => {
      // Prepare
      const producer = store.producer('t');
      const sizes = [3, 1, 0, 7, 2];

      // Act
      const firsts: number[] = [];
      let n = 0;
      for (const size of sizes) {
        firsts.push(await producer.send(Array.from({ length: size }, () => ({ value: bytes(String(n++)) }))));
      }
      const consumer = store.consumer('t');
      const records = await consumer.fetch(0, 100);

      // Assess
      expect(firsts).toEqual([0, 3, 4, 4, 11]);
      expect(records.map((r) => r.offset)).toEqual([...Array(13).keys()]);
      expect(values(records)).toEqual([...Array(13).keys()].map(String));
      expect(await consumer.endOffset()).toBe(13);
    });

    it('should honour fetch bounds', async () => {
      // Prepare
      await store.producer('t').send(Array.from({ length: 10 }, (_, i) => ({ value: bytes(`v${i}`) })));
      const consumer = store.consumer('t');

      // Act
      const middle = await consumer.fetch(4, 3);
      const tail = await consumer.fetch(8, 100);
      const atEnd = await consumer.fetch(10, 100);
      const pastEnd = await consumer.fetch(50, 100);
      const none = await consumer.fetch(0, 0);
      const negative = await consumer.fetch(-5, 2);

      // Assess
      expect(middle.map((r) => r.offset)).toEqual([4, 5, 6]);
      expect(values(tail)).toEqual(['v8', 'v9']);
      expect(atEnd).toEqual([]);
      expect(pastEnd).toEqual([]);
      expect(none).toEqual([]);
      expect(negative.map((r) => r.offset)).toEqual([0, 1]);
    });

    it('should keep topics apart', async () => {
      // Prepare
      await store.createTopic('u');

      // Act
      await store.producer('t').send([{ value: bytes('t0') }, { value: bytes('t1') }]);
      const firstOfU = await store.producer('u').send([{ value: bytes('u0') }]);

      // Assess
      expect(firstOfU).toBe(0);
      expect(values(await store.consumer('t').fetch(0, 10))).toEqual(['t0', 't1']);
      expect(values(await store.consumer('u').fetch(0, 10))).toEqual(['u0']);
    });

    it('should let a second store on the same directory continue the offsets', async () => {
      // Prepare
      const other = openLocalTopicStore({ dataDir: join(dir, 'data') });
      try {
        // Act
        await store.producer('t').send([{ value: bytes('a') }]);
        const second = await other.producer('t').send([{ value: bytes('b') }, { value: bytes('c') }]);
        const third = await store.producer('t').send([{ value: bytes('d') }]);

        // Assess
        expect([second, third]).toEqual([1, 3]);
        expect(values(await other.consumer('t').fetch(0, 10))).toEqual(['a', 'b', 'c', 'd']);
      } finally {
        await other.close();
      }
    });
  });

  describe('missing topics', () => {
    it('should reject produce and consume of a missing topic with TOPIC_NOT_FOUND', async () => {
      // Act
      const send = store.producer('nope').send([{ value: bytes('x') }]);
      const sendEmpty = store.producer('nope').send([]);
      const fetch = store.consumer('nope').fetch(0, 10);
      const end = store.consumer('nope').endOffset();

      // Assess
      for (const attempt of [send, sendEmpty, fetch, end]) {
        await expect(attempt).rejects.toBeInstanceOf(TopicNotFoundError);
        await expect(attempt).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
      }
    });

    it('should fail a producer whose topic was deleted, and write to the topic once it is created again', async () => {
      // Prepare
      await store.createTopic('t');
      const producer = store.producer('t');
      await producer.send([{ value: bytes('old-0') }, { value: bytes('old-1') }]);

      // Act
      await store.deleteTopic('t');
      const afterDelete = producer.send([{ value: bytes('lost') }]);
      await expect(afterDelete).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
      await store.createTopic('t');
      const afterCreate = await producer.send([{ value: bytes('new-0') }]);

      // Assess
      expect(afterCreate).toBe(0);
      expect(values(await store.consumer('t').fetch(0, 10))).toEqual(['new-0']);
    });

    it('should fail a consumer whose topic was deleted, even after a topic of the same name is created', async () => {
      // Prepare
      await store.createTopic('t');
      await store.producer('t').send([{ value: bytes('old') }]);
      const consumer = store.consumer('t');
      expect(values(await consumer.fetch(0, 10))).toEqual(['old']);

      // Act
      await store.deleteTopic('t');
      await store.createTopic('t');
      await store.producer('t').send([{ value: bytes('new') }]);

      // Assess
      await expect(consumer.fetch(1, 10)).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
      await expect(consumer.endOffset()).rejects.toHaveProperty('code', ErrorCode.TOPIC_NOT_FOUND);
    });
  });

  describe('durability and locking', () => {
    it('should keep every record and offset after the store is closed and opened again', async () => {
      // Prepare
      await store.createTopic('t');
      await store.producer('t').send([{ key: bytes('k'), value: bytes('a') }, { value: bytes('b') }]);
      await store.close();

      // Act
      store = openLocalTopicStore({ dataDir: join(dir, 'data'), now: () => NOW + 1 });
      const next = await store.producer('t').send([{ value: bytes('c') }]);

      // Assess
      expect(next).toBe(2);
      expect(await store.consumer('t').fetch(0, 10)).toEqual([
        { offset: 0, timestamp: NOW, key: bytes('k'), value: bytes('a') },
        { offset: 1, timestamp: NOW, key: null, value: bytes('b') },
        { offset: 2, timestamp: NOW + 1, key: null, value: bytes('c') },
      ]);
      expect(await store.listTopics()).toEqual([{ name: 't', records: 3, createdAt: NOW }]);
    });

    it('should reject a send with TopicWriteError while another process holds the write lock, then accept the retry', async () => {
      // Prepare
      await store.close();
      store = openLocalTopicStore({ dataDir: join(dir, 'data'), busyTimeoutMs: 50 });
      await store.createTopic('t');
      const producer = store.producer('t');
      await producer.send([{ value: bytes('before') }]);
      const locker = new Database(store.file);
      locker.exec('BEGIN IMMEDIATE');

      // Act
      const blocked = producer.send([{ value: bytes('x') }, { value: bytes('y') }]);
      await expect(blocked).rejects.toBeInstanceOf(TopicWriteError);
      await expect(blocked).rejects.toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 2 });
      const readWhileLocked = await store.consumer('t').fetch(0, 10);
      locker.exec('ROLLBACK');
      locker.close();
      const retried = await producer.send([{ value: bytes('x') }, { value: bytes('y') }]);

      // Assess
      expect(values(readWhileLocked)).toEqual(['before']);
      expect(retried).toBe(1);
      expect(values(await store.consumer('t').fetch(0, 10))).toEqual(['before', 'x', 'y']);
    });

    it('should reject sends after close with TopicWriteError, and close idempotently', async () => {
      // Prepare
      await store.createTopic('t');
      const producer = store.producer('t');
      const other = store.producer('t');
      await producer.close();

      // Act
      const closedProducer = producer.send([{ value: bytes('x') }]);
      await producer.close();
      await store.close();
      await store.close();
      const closedStore = other.send([{ value: bytes('y') }, { value: bytes('z') }]);

      // Assess
      await expect(closedProducer).rejects.toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 1 });
      await expect(closedStore).rejects.toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 2 });
      await expect(store.listTopics()).rejects.toThrow(/is closed/);
    });
  });

  describe('schema', () => {
    it('should use WAL journaling and record the schema version', async () => {
      // Prepare
      await store.close();
      const raw = new Database(join(dir, 'data', TOPICS_DB_FILE), { readonly: true });

      // Act
      const mode = raw.pragma('journal_mode', { simple: true });
      const version = raw.pragma('user_version', { simple: true });
      raw.close();

      // Assess
      expect(mode).toBe('wal');
      expect(version).toBe(SCHEMA_VERSION);
    });

    it('should pass the synchronous option to SQLite (normal by default, full on request)', async () => {
      // Prepare
      const full = openLocalTopicStore({ dataDir: join(dir, 'data'), synchronous: 'full' });
      const levelOf = (s: LocalTopicStore): unknown => (s as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true });

      // Act
      const levels = { normal: levelOf(store), full: levelOf(full) };
      await full.close();

      // Assess (SQLite reports NORMAL as 1 and FULL as 2)
      expect(levels).toEqual({ normal: 1, full: 2 });
    });

    it('should refuse a store file written by a newer schema version', async () => {
      // Prepare
      await store.close();
      const raw = new Database(join(dir, 'data', TOPICS_DB_FILE));
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      raw.close();

      // Act
      const open = (): LocalTopicStore => openLocalTopicStore({ dataDir: join(dir, 'data') });

      // Assess
      expect(open).toThrow(expect.objectContaining({ code: ErrorCode.TOPIC_STORE_UNSUPPORTED }));
      store = openLocalTopicStore({ dataDir: join(dir, 'other') });
    });
  });
});
