import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type Database from 'better-sqlite3';
import type { ConsumerOffset, TopicBackend, TopicInfo } from '../../core/topics';
import { ScratchSpace } from './batch-codec';
import { closedError, type StoreContext } from './context';
import { LocalTopicConsumer } from './consumer';
import { LocalTopicProducer } from './producer';
import { type OffsetStatements, prepareOffsetStatements } from './offsets';
import { type OpenDatabaseOptions, openDatabase, Synchronous } from './schema';
import { SEGMENT_MAX_BYTES, SegmentFiles } from './segments';
import { appendTransaction, batchTable, createBatchTableSql, prepareStatements, type StoreStatements, TopicTables } from './statements';

/** File name of the store inside the data directory. */
export const TOPICS_DB_FILE = 'topics.db';

export interface LocalTopicStoreOptions extends OpenDatabaseOptions {
  /**
   * Directory holding `topics.db` and the `segments/` folder; created (with parents) when missing.
   * See {@link resolveDataDir}.
   */
  dataDir: string;
  /** Clock for record timestamps and topic creation times, ms since the Unix epoch. Default `Date.now`. */
  now?: () => number;
  /**
   * Roll size of the segment files, bytes: a large batch that would take the current file past it
   * starts a new one. Default {@link SEGMENT_MAX_BYTES} (256 MiB); any size is safe for a store
   * other processes use with another one (each write reads where the last segment ends).
   */
  segmentBytes?: number;
}

/**
 * The embedded topic backend: every topic of a data directory indexed in one SQLite file
 * (`<dataDir>/topics.db`, WAL mode), the bytes of large batches in per-topic segment files
 * (`<dataDir>/segments/<topic id>/`), shared safely by any number of processes (connectors,
 * `produce`, `consume`) at the same time. It stands in for a single-partition Fluvio topic:
 * records get contiguous offsets from 0, keys are optional, values are bytes.
 *
 * Guarantees:
 * - each {@link LocalTopicProducer.send} is one `BEGIN IMMEDIATE` transaction: offsets are never
 *   lost, duplicated or out of order, whatever the number of concurrent producers;
 * - readers never block writers and never see a partial batch (they only follow committed rows;
 *   segment bytes past the last row are nobody's);
 * - a resolved `send` survives any process crash (kill -9); with the default
 *   `synchronous: 'normal'` a power loss or OS crash may lose the last commits, or keep the row of
 *   one of them without its segment bytes (reading it fails with TOPIC_STORE_DAMAGED, see
 *   {@link Synchronous}); with `synchronous: 'full'` it may not.
 *
 * All methods run synchronously on the calling thread (better-sqlite3) and return promises to fit
 * {@link TopicBackend}. A write that finds another process's write lock waits on that thread, up
 * to `busyTimeoutMs`; writes are one short transaction each, so waits are short, but SQLite's
 * busy backoff is not fair: a process writing in a tight loop can delay the others by many ms.
 * Calls after {@link close} throw (`send` rejects with TopicWriteError).
 *
 * @example
 * const store = openLocalTopicStore({ dataDir: resolveDataDir({}) });
 * await store.createTopic('quotes');
 * await store.producer('quotes').send([{ value: Buffer.from('hello') }]);
 * const records = await store.consumer('quotes').fetch(0, 100);
 * await store.close();
 */
export class LocalTopicStore implements TopicBackend {
  /** Absolute path of the SQLite file. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly statements: StoreStatements;
  private readonly offsets: OffsetStatements;
  private readonly tables: TopicTables;
  private readonly segments: SegmentFiles;
  private readonly context: StoreContext;
  private readonly createTx: Database.Transaction<(name: string, createdAt: number) => boolean>;
  private readonly deleteTx: Database.Transaction<(name: string) => number | undefined>;
  private readonly listTx: Database.Transaction<() => TopicInfo[]>;

  /** Prefer {@link openLocalTopicStore}. @throws see {@link openDatabase}. */
  constructor(options: LocalTopicStoreOptions) {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, TOPICS_DB_FILE);
    const durable = options.synchronous === Synchronous.FULL;
    this.segments = new SegmentFiles(dataDir, durable, options.segmentBytes);
    this.db = openDatabase(this.file, options);
    this.statements = prepareStatements(this.db);
    this.offsets = prepareOffsetStatements(this.db);
    this.tables = new TopicTables(this.db);
    const db = this.db;
    const s = this.statements;
    const offsets = this.offsets;
    const tables = this.tables;
    const segments = this.segments;
    this.context = {
      file: this.file,
      statements: s,
      tables,
      offsets,
      segments,
      scratch: new ScratchSpace(),
      append: appendTransaction(db, s, tables, segments, durable),
      now: options.now ?? Date.now,
      isOpen: () => db.open,
    };
    this.createTx = db.transaction((name: string, createdAt: number): boolean => {
      const inserted = s.insertTopic.run(name, createdAt);
      if (inserted.changes !== 1) return false;
      db.exec(createBatchTableSql(Number(inserted.lastInsertRowid)));
      return true;
    });
    this.deleteTx = db.transaction((name: string): number | undefined => {
      const id = s.topicId.get(name);
      if (id === undefined) return undefined;
      offsets.deleteTopic.run(id);
      s.deleteTopic.run(id);
      db.exec(`DROP TABLE ${batchTable(id)}`);
      tables.forget(id);
      return id;
    });
    // One read transaction: every end offset from the same snapshot as the topic list.
    this.listTx = db.transaction((): TopicInfo[] => s.listTopics.all().map(([id, name, createdAt]) => ({ name, records: tables.endOf(id), createdAt })));
    try {
      this.removeOrphanSegments();
    } catch (err) {
      db.close();
      throw err;
    }
  }

  /** Creates an empty topic (next offset 0) and its batch table, in one transaction. @returns `false` when it already existed. */
  async createTopic(name: string): Promise<boolean> {
    this.assertOpen();
    return this.createTx.immediate(name, this.context.now());
  }

  async topicExists(name: string): Promise<boolean> {
    this.assertOpen();
    return this.statements.topicId.get(name) !== undefined;
  }

  /** Every topic, sorted by name; `records` is the next offset, `createdAt` in ms. */
  async listTopics(): Promise<TopicInfo[]> {
    this.assertOpen();
    return this.listTx();
  }

  /** Every committed consumer position (`connector offsets`), by topic name then consumer id. */
  async listConsumerOffsets(): Promise<ConsumerOffset[]> {
    this.assertOpen();
    return this.offsets.list.all().map(([topic, consumer, offset, pendingEnd, updatedAt]) => ({ consumer, topic, offset, pendingEnd, updatedAt }));
  }

  /**
   * Deletes the topic, its batch table (its records) and its consumer offsets in one transaction,
   * then removes its segment folder. Producers of the topic then fail with TopicNotFoundError until
   * it is created again (with a new id, so a new folder); its consumers fail for good.
   * @returns `false` when it did not exist.
   * @throws Node fs errors when the folder cannot be removed (the topic is deleted all the same; the
   *   next store opened on the data directory removes the folder).
   */
  async deleteTopic(name: string): Promise<boolean> {
    this.assertOpen();
    const id = this.deleteTx.immediate(name);
    if (id === undefined) return false;
    this.segments.removeTopic(id);
    return true;
  }

  /** A producer for `topic` (the topic is looked up at each send, see {@link LocalTopicProducer}). */
  producer(topic: string): LocalTopicProducer {
    return new LocalTopicProducer(topic, this.context);
  }

  /** A consumer for `topic` (bound to it on first use, see {@link LocalTopicConsumer}). */
  consumer(topic: string): LocalTopicConsumer {
    return new LocalTopicConsumer(topic, this.context);
  }

  /**
   * Closes the connection (the last process to close folds the WAL into the file) and the cached
   * segment file descriptors. Idempotent.
   */
  async close(): Promise<void> {
    this.segments.close();
    if (this.db.open) this.db.close();
  }

  /**
   * Removes the segment folders of topics that no longer exist: a process that deleted a topic and
   * died before removing its folder leaves one. Checked again under the write lock (segment files are
   * only created under it, for a topic whose row exists), so a topic another process is creating and
   * writing to is never touched.
   */
  private removeOrphanSegments(): void {
    if (!existsSync(this.segments.root)) return;
    const folders = (): number[] =>
      readdirSync(this.segments.root)
        .filter((name) => /^[1-9][0-9]*$/.test(name))
        .map(Number);
    const orphans = (): number[] => folders().filter((id) => this.statements.topicExistsById.get(id) === undefined);
    if (orphans().length === 0) return;
    this.db.transaction(() => orphans().forEach((id) => this.segments.removeTopic(id))).immediate();
  }

  private assertOpen(): void {
    if (!this.db.open) throw closedError(`local topic store ${this.file}`);
  }
}

/**
 * Opens (creating `dataDir` and the store file if needed) the local topic store of a data directory.
 * @example
 * const store = openLocalTopicStore({ dataDir: resolveDataDir({ dataDir: opts.dataDir }), synchronous: 'full' });
 * @throws ConnectorError TOPIC_STORE_UNSUPPORTED when the file comes from a newer version of this program.
 * @throws SqliteError / Node fs errors when the directory or file cannot be created or opened.
 */
export function openLocalTopicStore(options: LocalTopicStoreOptions): LocalTopicStore {
  return new LocalTopicStore(options);
}
