import type { ScratchSpace } from './batch-codec';
import type { OffsetStatements } from './offsets';
import type { SegmentFiles } from './segments';
import type { AppendTransaction, StoreStatements, TopicTables } from './statements';

/** What producers and consumers share with the store that made them (one SQLite connection). */
export interface StoreContext {
  /** Absolute path of the SQLite file, for error messages. */
  readonly file: string;
  readonly statements: StoreStatements;
  /** Statements of each topic's batch table, prepared on first use. */
  readonly tables: TopicTables;
  /** Statements of the consumer offsets table (kept apart from the records' statements). */
  readonly offsets: OffsetStatements;
  /** The topics' segment files (descriptors cached per process). */
  readonly segments: SegmentFiles;
  /** Memory for the encoded batches of one send at a time (reset by each send). */
  readonly scratch: ScratchSpace;
  /** Run with `.immediate(...)`; see {@link AppendTransaction}. */
  readonly append: AppendTransaction;
  /** Current time, ms since the Unix epoch (record timestamps, topic creation time). */
  readonly now: () => number;
  /** `false` once the store is closed. */
  readonly isOpen: () => boolean;
}

/**
 * Thrown for a read or admin call on a closed store or consumer: a programming error (like
 * better-sqlite3's own "database connection is not open"), not a topic condition, so no ConnectorError.
 */
export function closedError(what: string): Error {
  return new Error(`${what} is closed`);
}
