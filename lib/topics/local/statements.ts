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
 * `CREATE TABLE` of topic `id`'s batch table (schema version 4): one row per stored batch, keyed by its base
 * offset. A batch is either in a segment file (`length` set: `records` is empty and `segment`, `position`,
 * `length`, `crc` say where its bytes are, see `segments.ts`) or inline (`length` NULL: `records` holds its
 * bytes, and `segment`, `position` carry the topic's segment tail forward: its current segment and where
 * that segment ends, NULL while the topic has none). So the last row alone gives both the topic's end
 * offset and where its next large batch goes: one seek, and no index to write at each commit.
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
)`;
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
 * A batch row as {@link TopicStatements.fetch} returns it: inline bytes (`length` NULL; `segment` and
 * `position` are then the topic's segment tail, not this batch's), or empty bytes and where the bytes are
 * in a segment file (see `segments.ts`).
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
  /**
   * From the topic's last batch (one seek): its end offset, and the segment tail (the current segment and the
   * position where it ends; NULL while the topic has no segment). `undefined` when the topic has no batch.
   */
  tail: Database.Statement<[], [end: number, segment: number | null, segmentEnd: number | null]>;
  /** Inserts a batch stored inline, carrying the segment tail forward. */
  insert: Database.Statement<[baseOffset: number, recordCount: number, records: Uint8Array, segment: number | null, segmentEnd: number | null]>;
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
        tail: this.db
          .prepare<[], [number, number | null, number | null]>(
            `SELECT base_offset + record_count, segment, position + IFNULL(length, 0) FROM ${table} ORDER BY base_offset DESC LIMIT 1`,
          )
          .raw(),
        insert: this.db.prepare<[number, number, Uint8Array, number | null, number | null]>(
          `INSERT INTO ${table} (base_offset, record_count, records, segment, position) VALUES (?, ?, ?, ?, ?)`,
        ),
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
 * Builds the append transaction: resolves the topic by name, reads its end offset and segment tail from its
 * last batch (one seek), and stores the encoded batches at consecutive base offsets, all in one transaction.
 * A batch under {@link SEGMENT_MIN_BATCH_BYTES} is inserted inline with the tail carried forward (one write of
 * the table's last page: the topic row is only read); a larger one is written to the topic's current segment
 * file where it ends (a new segment, named after the batch's base offset, when there is none or the batch
 * would take it past the roll size, {@link SegmentFiles.maxBytes}), then its row is inserted with where the
 * bytes are and their CRC-32 (again one page: no index).
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
    const last = table.tail.get();
    const first = last?.[0] ?? 0;
    let base = first;
    // The segment tail: where the next large batch goes (null: the topic has no segment yet).
    let segment = last?.[1] ?? null;
    let segmentEnd = last?.[2] ?? null;
    let written = false;
    try {
      for (const batch of batches) {
        const length = batch.bytes.byteLength;
        if (length < SEGMENT_MIN_BATCH_BYTES) {
          table.insert.run(base, batch.count, batch.bytes, segment, segmentEnd);
        } else {
          if (segment === null || segmentEnd === null || (segmentEnd > 0 && segmentEnd + length > segments.maxBytes)) {
            segment = base;
            segmentEnd = 0;
          }
          const crc = segments.write(id, segment, segmentEnd, batch.bytes);
          table.insertSegment.run(base, batch.count, segment, segmentEnd, length, crc);
          segmentEnd += length;
          written = true;
        }
        base += batch.count;
      }
      if (durable && written) segments.sync();
    } catch (err) {
      segments.discard();
      throw err;
    }
    return first;
  });
}
