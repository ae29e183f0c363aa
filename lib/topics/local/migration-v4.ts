import type Database from 'better-sqlite3';
import { batchTable } from './statements';

/**
 * Schema step 3 → 4 (segment files): adds to every topic's batch table the columns saying where a batch
 * stored in a segment file is (`segment`, `position`, `length`, `crc`; see `createBatchTableSql`). No data
 * moves: the version-3 rows keep their bytes inline (their new columns NULL: inline, no segment yet) and
 * are read as before. Runs inside the migration's one `BEGIN IMMEDIATE` transaction: the store is either fully
 * version 4 or untouched.
 */
export function addSegmentColumns(db: Database.Database): void {
  const ids = db.prepare<[], number>('SELECT id FROM topics ORDER BY id').pluck().all();
  for (const id of ids) {
    const table = batchTable(id);
    db.exec(`ALTER TABLE ${table} ADD COLUMN segment INTEGER;
ALTER TABLE ${table} ADD COLUMN position INTEGER;
ALTER TABLE ${table} ADD COLUMN length INTEGER;
ALTER TABLE ${table} ADD COLUMN crc INTEGER;`);
  }
}
