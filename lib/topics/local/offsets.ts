import type Database from 'better-sqlite3';

/**
 * Consumer offsets of the local store: one row per (topic, consumer id), the position a sink
 * resumes from. Kept apart from the records table and its statements (its own table, its own
 * migration step in `schema.ts`, its own prepared statements here), so the record layout can change
 * without touching offsets.
 *
 * - `topic_id` is the topic's AUTOINCREMENT id: a deleted and re-created topic starts with no
 *   offsets (its old positions meant other records); deleting a topic deletes its offsets.
 * - `next_offset` is the next offset the consumer reads; `pending_end` the end (exclusive) of the
 *   batch being delivered when the row was written, NULL between batches.
 */
export const OFFSETS_TABLE_V2 = `
CREATE TABLE consumer_offsets (
  topic_id    INTEGER NOT NULL,
  consumer    TEXT    NOT NULL,
  next_offset INTEGER NOT NULL,
  pending_end INTEGER,
  updated_at  INTEGER NOT NULL,
  PRIMARY KEY (topic_id, consumer)
) WITHOUT ROWID;
`;

/** A `consumer_offsets` row as the statements return it. */
export type OffsetRow = [consumer: string, nextOffset: number, pendingEnd: number | null, updatedAt: number];
/** A row of {@link OffsetStatements.list}: the topic name first. */
export type OffsetListRow = [topic: string, consumer: string, nextOffset: number, pendingEnd: number | null, updatedAt: number];

/** The prepared statements of the offsets table (one store connection). */
export interface OffsetStatements {
  /** The row of one consumer of one topic. */
  get: Database.Statement<[topicId: number, consumer: string], OffsetRow>;
  /** Inserts or replaces one consumer's position. */
  upsert: Database.Statement<[topicId: number, consumer: string, nextOffset: number, pendingEnd: number | null, updatedAt: number]>;
  /** Every position, with its topic's name, by topic name then consumer. */
  list: Database.Statement<[], OffsetListRow>;
  /** Deletes the positions of a topic (with the topic). */
  deleteTopic: Database.Statement<[topicId: number]>;
}

/** Prepares the offsets statements on `db` (raw rows). */
export function prepareOffsetStatements(db: Database.Database): OffsetStatements {
  return {
    get: db.prepare<[number, string], OffsetRow>('SELECT consumer, next_offset, pending_end, updated_at FROM consumer_offsets WHERE topic_id = ? AND consumer = ?').raw(),
    upsert: db.prepare<[number, string, number, number | null, number]>(
      'INSERT INTO consumer_offsets (topic_id, consumer, next_offset, pending_end, updated_at) VALUES (?, ?, ?, ?, ?) ' +
        'ON CONFLICT (topic_id, consumer) DO UPDATE SET next_offset = excluded.next_offset, pending_end = excluded.pending_end, updated_at = excluded.updated_at',
    ),
    list: db
      .prepare<[], OffsetListRow>(
        'SELECT t.name, o.consumer, o.next_offset, o.pending_end, o.updated_at FROM consumer_offsets o JOIN topics t ON t.id = o.topic_id ORDER BY t.name, o.consumer',
      )
      .raw(),
    deleteTopic: db.prepare<[number]>('DELETE FROM consumer_offsets WHERE topic_id = ?'),
  };
}
