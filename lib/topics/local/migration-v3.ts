import type Database from 'better-sqlite3';
import type { ProducerRecord } from '../../core/topics';
import { DEFAULT_BATCH_LIMITS, encodeBatches } from './batch-codec';
import { batchTable } from './statements';

/** Version-2 records read per query while migrating (bounds the memory of a large topic). */
const READ_CHUNK = 10_000;

/** The batch table of schema version 3 (version 4 adds columns to it, see `migration-v4.ts`). */
function createBatchTableV3Sql(id: number): string {
  return `CREATE TABLE ${batchTable(id)} (base_offset INTEGER PRIMARY KEY, record_count INTEGER NOT NULL, records BLOB NOT NULL)`;
}

type V2Row = [offset: number, timestamp: number, key: Buffer | null, value: Buffer];

/**
 * Schema step 2 → 3: moves every topic's records from the shared `records` table (one row per record)
 * into its own batch table (one row per batch, `batch-codec.ts`), then drops `records` and
 * `topics.next_offset` (a topic's end is now the end of its last batch). Runs inside the migration's
 * one `BEGIN IMMEDIATE` transaction: the store is either fully version 3 or untouched.
 *
 * Offsets, keys, values and timestamps are kept exactly. The records of a version-2 store do not say
 * which `send` they came from, so consecutive records are regrouped into batches of at most
 * {@link DEFAULT_BATCH_LIMITS}; a gap in a topic's offsets (not written by any release) starts a new
 * batch, and a `next_offset` beyond the last record is kept by a batch of skipped offsets (no bytes)
 * up to it, so no offset is ever handed out twice.
 */
export function migrateToBatches(db: Database.Database): void {
  const topics = db.prepare<[], [number, number]>('SELECT id, next_offset FROM topics ORDER BY id').raw().all();
  const read = db
    .prepare<[number, number, number], V2Row>('SELECT "offset", timestamp, key, value FROM records WHERE topic_id = ? AND "offset" >= ? ORDER BY "offset" LIMIT ?')
    .raw();
  for (const [id, nextOffset] of topics) {
    db.exec(createBatchTableV3Sql(id));
    const insert = db.prepare<[number, number, Buffer]>(`INSERT INTO ${batchTable(id)} (base_offset, record_count, records) VALUES (?, ?, ?)`);
    let end = 0;
    for (let rows = read.all(id, 0, READ_CHUNK); rows.length > 0; rows = read.all(id, end, READ_CHUNK)) {
      // Runs of contiguous offsets, each encoded into capped batches.
      let start = 0;
      while (start < rows.length) {
        let stop = start + 1;
        while (stop < rows.length && rows[stop]![0] === rows[stop - 1]![0] + 1) stop++;
        const records: ProducerRecord[] = rows.slice(start, stop).map(([, timestamp, key, value]) => ({ timestamp, key, value }));
        let base = rows[start]![0];
        for (const batch of encodeBatches(records, 0, DEFAULT_BATCH_LIMITS)) {
          insert.run(base, batch.count, batch.bytes);
          base += batch.count;
        }
        start = stop;
      }
      end = rows[rows.length - 1]![0] + 1;
    }
    if (nextOffset > end) insert.run(end, nextOffset - end, Buffer.alloc(0));
  }
  db.exec('DROP TABLE records; ALTER TABLE topics DROP COLUMN next_offset;');
}
