import Database from 'better-sqlite3';
import { ConnectorError, ErrorCode } from '../../core/errors';
import { migrateToBatches } from './migration-v3';
import { addSegmentColumns } from './migration-v4';
import { OFFSETS_TABLE_V2 } from './offsets';

/**
 * On-disk layout of the local topic store (one SQLite file, `<dataDir>/topics.db`).
 *
 * - `topics`: one row per topic (`id`, `name`, `created_at`). `id` is AUTOINCREMENT, so a deleted
 *   and re-created topic never gets the old id back (a consumer of the old topic cannot read the
 *   new one by mistake).
 * - `batches_<id>` (version 3): the records of topic `id`, one row per produced batch (Kafka/Fluvio
 *   record batches): `base_offset` (the offset of its first record, the table's INTEGER PRIMARY KEY,
 *   so the table itself is the index from offset to batch), `record_count`, and `records`, the batch
 *   encoded by `batch-codec.ts`. A topic's end offset is the end of its last batch; a `send` reads it
 *   and appends its batches in one `BEGIN IMMEDIATE` transaction, so offsets are contiguous from 0
 *   and never reused while the topic lives. One table per topic (a single-partition topic's log):
 *   a poll's commit writes one table page (with a shared table keyed by `(topic, offset)` it wrote
 *   three: the row, its index, the topic's counter; measured 30 against 62 µs a commit), and
 *   deleting a topic drops its table instead of deleting its rows one by one.
 * - Segment files (version 4): a batch of at least 4 KiB encoded is not kept in its row: its bytes go
 *   to the topic's current segment file (`<dataDir>/segments/<id>/<first base offset>.log`, see
 *   `segments.ts`) and its row holds `segment`, `position`, `length` and the bytes' `crc` (an inline
 *   row carries the segment tail forward in `segment` and `position`, so the last row says where the
 *   next large batch goes). SQLite writes every byte twice (WAL,
 *   then checkpoint); a segment file once, so a stream's 64 KiB batches are stored ~10× faster. Smaller
 *   batches (a poll's record) stay inline: a poll's commit still writes one page and no file.
 * - `consumer_offsets` (version 2): committed positions of named consumers (sinks); see `offsets.ts`.
 *
 * History: version 1 stored one row per record in a shared `records` table and the next offset in
 * `topics.next_offset`; version 3 rewrites them into batches (see `migration-v3.ts`); version 4 adds
 * the segment columns (`migration-v4.ts`; the version-3 rows stay inline).
 *
 * The version is kept in `PRAGMA user_version`; bump {@link SCHEMA_VERSION} and add a migration
 * step to {@link MIGRATIONS} for any change.
 */
export const SCHEMA_VERSION = 4;

const SCHEMA_V1 = `
CREATE TABLE topics (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT    NOT NULL UNIQUE,
  next_offset INTEGER NOT NULL DEFAULT 0,
  created_at  INTEGER NOT NULL
);
CREATE TABLE records (
  topic_id  INTEGER NOT NULL,
  "offset"  INTEGER NOT NULL,
  timestamp INTEGER NOT NULL,
  key       BLOB,
  value     BLOB    NOT NULL,
  PRIMARY KEY (topic_id, "offset")
);
`;

/** One migration step: SQL, or code for what SQL alone cannot do (re-encoding records). */
type MigrationStep = string | ((db: Database.Database) => void);

/**
 * The migration steps: `MIGRATIONS[n]` brings a version-n store to version n + 1. A new store runs
 * them all (0 → 1 → 2 → 3 → 4), an existing one those above its version, in one transaction.
 */
const MIGRATIONS: Readonly<Record<number, MigrationStep>> = {
  0: SCHEMA_V1,
  // Consumer offsets of sinks, in their own table (records are untouched).
  1: OFFSETS_TABLE_V2,
  // Records rewritten into one batch table per topic.
  2: migrateToBatches,
  // Large batches in segment files: the columns saying where (no data moved).
  3: addSegmentColumns,
};

/**
 * Durability of a committed `send` (SQLite `PRAGMA synchronous`, with WAL):
 * - `normal` (default): survives a crash or kill of any process; a power loss or OS crash may
 *   lose the last transactions committed before it (never corrupts the file), and a batch of those
 *   last commits stored in a segment file may come back with its row but not its bytes: reading it
 *   then fails with TOPIC_STORE_DAMAGED (its CRC-32 or length does not match), never returns wrong records.
 * - `full`: also survives power loss (the segment files written are fdatasync'ed, then the commit
 *   fsyncs the WAL), at a lower write rate.
 */
export const Synchronous = { NORMAL: 'normal', FULL: 'full' } as const;
export type Synchronous = (typeof Synchronous)[keyof typeof Synchronous];

export interface OpenDatabaseOptions {
  /** See {@link Synchronous}. Default `normal`. */
  synchronous?: Synchronous;
  /**
   * How long (ms) a statement waits for another process's write lock before failing with
   * SQLITE_BUSY. Writes are short (one batch), so waits are short. Default 30 000.
   */
  busyTimeoutMs?: number;
}

/** Default {@link OpenDatabaseOptions.busyTimeoutMs}, ms. */
export const DEFAULT_BUSY_TIMEOUT_MS = 30_000;

/**
 * Opens (creating if needed) the store file with WAL journaling (readers never block the writer),
 * the chosen `synchronous` level and busy timeout, and brings the schema to {@link SCHEMA_VERSION}.
 * Safe when several processes open the same new file at once (the schema is created in a
 * `BEGIN IMMEDIATE` transaction that re-checks the version).
 *
 * @throws ConnectorError TOPIC_STORE_UNSUPPORTED when the file was written by a newer schema version.
 * @throws SqliteError when the file cannot be opened or is not an SQLite database.
 */
export function openDatabase(file: string, options: OpenDatabaseOptions = {}): Database.Database {
  const db = new Database(file, { timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS });
  try {
    // WAL is persistent in the file; on filesystems without shared memory SQLite keeps the rollback
    // journal, which is slower but just as safe with BEGIN IMMEDIATE writers.
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === Synchronous.FULL ? 'FULL' : 'NORMAL'}`);
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Creates or upgrades the schema. @throws ConnectorError TOPIC_STORE_UNSUPPORTED for a newer file. */
function migrate(db: Database.Database, file: string): void {
  const version = (): number => db.pragma('user_version', { simple: true }) as number;
  if (version() === SCHEMA_VERSION) return;
  db.transaction(() => {
    const current = version();
    if (current > SCHEMA_VERSION) {
      throw new ConnectorError(
        `${file}: topic store schema version ${current} is newer than this program supports (${SCHEMA_VERSION}); upgrade the connector CLI or use another --data-dir`,
        ErrorCode.TOPIC_STORE_UNSUPPORTED,
      );
    }
    for (let step = current; step < SCHEMA_VERSION; step++) {
      const migration = MIGRATIONS[step]!;
      if (typeof migration === 'string') db.exec(migration);
      else migration(db);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
