import type Database from 'better-sqlite3';
import type { ProducerRecord } from '../../core/topics';

/** A `records` row as returned by {@link StoreStatements.fetch}: offset, timestamp (ms), key, value. */
export type RecordRow = [offset: number, timestamp: number, key: Buffer | null, value: Buffer];

/** The prepared statements of one store connection (prepared once, reused by every client). */
export interface StoreStatements {
  /** `[id, next_offset]` of the topic named `name`. */
  topicByName: Database.Statement<[name: string], [id: number, nextOffset: number]>;
  /** `next_offset` of the topic with this id (plucked), `undefined` when it was deleted. */
  nextOffsetById: Database.Statement<[id: number], number>;
  /** Creates a topic; `changes === 0` when the name exists. */
  insertTopic: Database.Statement<[name: string, createdAt: number]>;
  /** `[name, next_offset, created_at]` of every topic, by name. */
  listTopics: Database.Statement<[], [name: string, nextOffset: number, createdAt: number]>;
  deleteRecords: Database.Statement<[topicId: number]>;
  deleteTopic: Database.Statement<[topicId: number]>;
  insertRecord: Database.Statement<[topicId: number, offset: number, timestamp: number, key: Uint8Array | null, value: Uint8Array]>;
  advanceOffset: Database.Statement<[nextOffset: number, topicId: number]>;
  /** Up to `max` records of the topic with offset ≥ `from`, in offset order. */
  fetch: Database.Statement<[topicId: number, from: number, max: number], RecordRow>;
}

/** Prepares every statement of the store on `db` (raw rows, no per-row objects from SQLite). */
export function prepareStatements(db: Database.Database): StoreStatements {
  return {
    topicByName: db.prepare<[string], [number, number]>('SELECT id, next_offset FROM topics WHERE name = ?').raw(),
    nextOffsetById: db.prepare<[number], number>('SELECT next_offset FROM topics WHERE id = ?').pluck(),
    insertTopic: db.prepare<[string, number]>('INSERT INTO topics (name, next_offset, created_at) VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING'),
    listTopics: db.prepare<[], [string, number, number]>('SELECT name, next_offset, created_at FROM topics ORDER BY name').raw(),
    deleteRecords: db.prepare<[number]>('DELETE FROM records WHERE topic_id = ?'),
    deleteTopic: db.prepare<[number]>('DELETE FROM topics WHERE id = ?'),
    insertRecord: db.prepare<[number, number, number, Uint8Array | null, Uint8Array]>(
      'INSERT INTO records (topic_id, "offset", timestamp, key, value) VALUES (?, ?, ?, ?, ?)',
    ),
    advanceOffset: db.prepare<[number, number]>('UPDATE topics SET next_offset = ? WHERE id = ?'),
    fetch: db
      .prepare<[number, number, number], RecordRow>(
        'SELECT "offset", timestamp, key, value FROM records WHERE topic_id = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?',
      )
      .raw(),
  };
}

/** See {@link appendTransaction}: `(topic, records, now ms) → first offset | undefined`. */
export type AppendTransaction = Database.Transaction<(topic: string, records: readonly ProducerRecord[], now: number) => number | undefined>;

/**
 * Builds the append transaction: resolves the topic by name, takes its next offset, inserts the
 * batch at consecutive offsets and advances `next_offset`, all in one transaction. Run it with
 * `.immediate(...)` so the write lock is taken up front (no SQLITE_BUSY upgrade deadlock between
 * processes; waiting writers queue on the busy timeout).
 * @returns the first offset of the batch, or `undefined` when the topic does not exist (nothing written).
 */
export function appendTransaction(db: Database.Database, s: StoreStatements): AppendTransaction {
  return db.transaction((topic: string, records: readonly ProducerRecord[], now: number): number | undefined => {
    const row = s.topicByName.get(topic);
    if (row === undefined) return undefined;
    const [topicId, first] = row;
    let offset = first;
    for (const r of records) {
      s.insertRecord.run(topicId, offset, r.timestamp ?? now, r.key ?? null, r.value);
      offset++;
    }
    if (offset !== first) s.advanceOffset.run(offset, topicId);
    return first;
  });
}
