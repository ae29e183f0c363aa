import type Database from 'better-sqlite3';
import type { EncodedBatch } from './batch-codec';
import { SEGMENT_MIN_BATCH_BYTES, type SegmentFiles } from './segments';

/**
 * Name of the batch table of topic `id` (see `schema.ts`). Topic ids are AUTOINCREMENT integers, so the
 * name is never user text and a re-created topic never gets an old table back.
 */
export function batchTable(id: number): string {
  if (!Number.isSafeInteger(id) || id < 1) throw new Error(`topic id ${id}: expected a positive integer`);
  return `batches_${id}`;
}

/**
 * Name of the index of topic `id`'s segment rows (schema version 4): a partial index, so a batch stored
 * inline (a poll's record) writes no index page, and the end of the topic's last segment is one seek.
 */
export function segmentIndex(id: number): string {
  return `${batchTable(id)}_segments`;
}

/** `CREATE INDEX` of {@link segmentIndex}. */
export function createSegmentIndexSql(id: number): string {
  return `CREATE INDEX ${segmentIndex(id)} ON ${batchTable(id)} (segment, position, length) WHERE segment IS NOT NULL`;
}

/**
 * `CREATE TABLE` (and index) of topic `id`'s batch table (schema version 4): one row per stored batch,
 * keyed by its base offset. A batch is either inline (`records` holds its bytes, the segment columns are
 * NULL) or in a segment file (`records` is empty; `segment`, `position`, `length`, `crc` say where, see
 * `segments.ts`).
 */
export function createBatchTableSql(id: number): string {
  return `CREATE TABLE ${batchTable(id)} (
  base_offset  INTEGER PRIMARY KEY,
  record_count INTEGER NOT NULL,
  records      BLOB    NOT NULL,
  segment      INTEGER,
  position     INTEGER,
  length       INTEGER,
  crc          INTEGER
);
${createSegmentIndexSql(id)};`;
}

/** The prepared statements of the `topics` table (one store connection). */
export interface StoreStatements {
  /** Id of the topic named `name` (plucked), `undefined` when there is none. */
  topicId: Database.Statement<[name: string], number>;
  /** `1` when the topic with this id exists (plucked), `undefined` once it was deleted. */
  topicExistsById: Database.Statement<[id: number], number>;
  /** Creates a topic; `changes === 0` when the name exists. */
  insertTopic: Database.Statement<[name: string, createdAt: number]>;
  /** `[id, name, created_at]` of every topic, by name. */
  listTopics: Database.Statement<[], [id: number, name: string, createdAt: number]>;
  deleteTopic: Database.Statement<[id: number]>;
}

/** Prepares the statements of the `topics` table on `db` (raw rows, no per-row objects from SQLite). */
export function prepareStatements(db: Database.Database): StoreStatements {
  return {
    topicId: db.prepare<[string], number>('SELECT id FROM topics WHERE name = ?').pluck(),
    topicExistsById: db.prepare<[number], number>('SELECT 1 FROM topics WHERE id = ?').pluck(),
    insertTopic: db.prepare<[string, number]>('INSERT INTO topics (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
    listTopics: db.prepare<[], [number, string, number]>('SELECT id, name, created_at FROM topics ORDER BY name').raw(),
    deleteTopic: db.prepare<[number]>('DELETE FROM topics WHERE id = ?'),
  };
}

/**
 * A batch row as {@link TopicStatements.fetch} returns it: inline bytes, or empty bytes and where the
 * bytes are in a segment file (see `segments.ts`).
 */
export type BatchRow = [
  baseOffset: number,
  recordCount: number,
  records: Buffer,
  segment: number | null,
  position: number | null,
  length: number | null,
  crc: number | null,
];

/** The prepared statements of one topic's batch table. */
export interface TopicStatements {
  /** The topic's end offset (plucked): `base_offset + record_count` of its last batch, `undefined` when it has none. */
  end: Database.Statement<[], number>;
  /** `[segment, end position]` of the topic's last segment row (one seek of its partial index), `undefined` when it has none. */
  segmentEnd: Database.Statement<[], [segment: number, end: number]>;
  /** Inserts a batch stored inline. */
  insert: Database.Statement<[baseOffset: number, recordCount: number, records: Uint8Array]>;
  /** Inserts a batch stored in a segment file (empty `records`). */
  insertSegment: Database.Statement<[baseOffset: number, recordCount: number, segment: number, position: number, length: number, crc: number]>;
  /**
   * The batch holding offset `from` (the last one whose base offset is ≤ `from`), then every later batch, in
   * offset order: two index seeks on the table's key (the index from offset to batch), then a range scan.
   * Pass `from` twice. Iterate it and stop once enough records were read.
   */
  fetch: Database.Statement<[from: number, sameFrom: number], BatchRow>;
}

/**
 * The {@link TopicStatements} of every topic this connection used, prepared on first use. A statement of
 * a table another process dropped fails when run ("no such table"): callers map that to the topic being
 * gone. Ids are never reused, so a cached entry never points at another topic's table.
 */
export class TopicTables {
  private readonly byId = new Map<number, TopicStatements>();

  constructor(private readonly db: Database.Database) {}

  /** The statements of topic `id`. @throws SqliteError when its table does not exist. */
  of(id: number): TopicStatements {
    let statements = this.byId.get(id);
    if (statements === undefined) {
      const table = batchTable(id);
      statements = {
        end: this.db.prepare<[], number>(`SELECT base_offset + record_count FROM ${table} ORDER BY base_offset DESC LIMIT 1`).pluck(),
        segmentEnd: this.db
          .prepare<[], [number, number]>(`SELECT segment, position + length FROM ${table} WHERE segment IS NOT NULL ORDER BY segment DESC, position DESC LIMIT 1`)
          .raw(),
        insert: this.db.prepare<[number, number, Uint8Array]>(`INSERT INTO ${table} (base_offset, record_count, records) VALUES (?, ?, ?)`),
        insertSegment: this.db.prepare<[number, number, number, number, number, number]>(
          `INSERT INTO ${table} (base_offset, record_count, records, segment, position, length, crc) VALUES (?, ?, X'', ?, ?, ?, ?)`,
        ),
        fetch: this.db
          .prepare<[number, number], BatchRow>(
            `SELECT base_offset, record_count, records, segment, position, length, crc FROM ${table} WHERE base_offset >= IFNULL((SELECT MAX(base_offset) FROM ${table} WHERE base_offset <= ?), ?) ORDER BY base_offset`,
          )
          .raw(),
      };
      this.byId.set(id, statements);
    }
    return statements;
  }

  /** The end offset of topic `id` (0 when empty). @throws SqliteError when its table does not exist. */
  endOf(id: number): number {
    return this.of(id).end.get() ?? 0;
  }

  /** Drops the statements of a deleted topic. */
  forget(id: number): void {
    this.byId.delete(id);
  }
}

/** See {@link appendTransaction}: `(topic, batches) → first offset | undefined`. */
export type AppendTransaction = Database.Transaction<(topic: string, batches: readonly EncodedBatch[]) => number | undefined>;

/**
 * Builds the append transaction: resolves the topic by name, reads its end offset from its last batch,
 * and stores the encoded batches at consecutive base offsets, all in one transaction. A batch under
 * {@link SEGMENT_MIN_BATCH_BYTES} is inserted inline (one write of the table's last page: the topic row is
 * only read); a larger one is written to the topic's current segment file at the end of its last segment
 * row (a new segment, named after the batch's base offset, when there is none or the batch would take
 * it past the roll size, {@link SegmentFiles.maxBytes}), then its row is inserted with where the bytes are and their CRC-32.
 * With `durable` (`synchronous: 'full'`) the segment files written are fdatasync'ed before the commit, so
 * a committed row never points at bytes a power loss can take.
 *
 * Run it with `.immediate(...)` so the write lock is taken up front (no SQLITE_BUSY upgrade deadlock
 * between processes; waiting writers queue on the busy timeout): the lock also serializes the segment
 * writes of every process.
 * @returns the first offset written, or `undefined` when the topic does not exist (nothing written).
 */
export function appendTransaction(db: Database.Database, s: StoreStatements, tables: TopicTables, segments: SegmentFiles, durable: boolean): AppendTransaction {
  // The id each topic name had at this connection's last send: when it changes (the topic was deleted,
  // maybe by another process, and maybe created again), the old topic's descriptors are closed.
  const lastIds = new Map<string, number>();
  return db.transaction((topic: string, batches: readonly EncodedBatch[]): number | undefined => {
    const id = s.topicId.get(topic);
    const lastId = lastIds.get(topic);
    if (lastId !== id) {
      if (lastId !== undefined) segments.closeTopic(lastId);
      if (id === undefined) lastIds.delete(topic);
      else lastIds.set(topic, id);
    }
    if (id === undefined) return undefined;
    const table = tables.of(id);
    const first = table.end.get() ?? 0;
    let base = first;
    let tail: [segment: number, end: number] | undefined | null = null; // null: not read yet
    try {
      for (const batch of batches) {
        const length = batch.bytes.byteLength;
        if (length < SEGMENT_MIN_BATCH_BYTES) {
          table.insert.run(base, batch.count, batch.bytes);
        } else {
          if (tail === null) tail = table.segmentEnd.get();
          const roll = tail === undefined || (tail[1] > 0 && tail[1] + length > segments.maxBytes);
          const segment: number = roll ? base : tail![0];
          const position: number = roll ? 0 : tail![1];
          const crc = segments.write(id, segment, position, batch.bytes);
          table.insertSegment.run(base, batch.count, segment, position, length, crc);
          tail = [segment, position + length];
        }
        base += batch.count;
      }
      if (durable && tail !== null) segments.sync();
    } catch (err) {
      segments.discard();
      throw err;
    }
    return first;
  });
}
