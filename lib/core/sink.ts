import type { BackoffSettings } from './backoff';
import type { ConnectorMetrics } from './metrics';
import type { Ports } from './ports';
import type { TopicRecord } from './topics';

/** Everything a sink may use. */
export interface SinkContext extends Ports {
  /** Aborted when the connector must stop: finish or abandon the write in flight promptly. */
  signal: AbortSignal;
  /**
   * Counters. The runtime counts delivered `records`/`bytes`, failed writes (`errors`) and
   * dead-lettered records (`deadLettered`); a sink counts only what it alone sees (`dropped`).
   */
  metrics: ConnectorMetrics;
}

/** How the runtime retries a write that failed with a retryable {@link SinkWriteError}. */
export interface SinkRetry extends BackoffSettings {
  /**
   * Retries of one record after its first failed attempt (reset when a retry makes progress).
   * When they are used up the record is dead-lettered (`connector run`: topic `<topic>-dlq`; a
   * Lambda function: reported as a batch item failure).
   */
  readonly maxRetries: number;
}

/**
 * A sink: the runtime consumes the connector's topic from its consumer's committed offset, hands
 * records to `write` in offset order, and commits the offset of what `write` accepted, so delivery
 * is at-least-once and resumes after a crash. The runtime owns the retries (with {@link retry}),
 * the dead-lettering of records that still fail, the commits and the shutdown.
 */
export interface Sink {
  /** Retries of a failed write; absent: `BackoffDefaults.source` with 3 retries. */
  readonly retry?: SinkRetry;
  /**
   * Delivers `records` (in offset order) to the external service, each at most once per call.
   * Resolves when every record was accepted. Rejects with a `SinkWriteError` saying how many
   * leading records were accepted before the failure, whether retrying may help and how long the
   * service asked to wait (`Retry-After`); any other rejection means none was accepted and is
   * retried like a retryable failure. When `ctx.signal` aborts, the request in flight is
   * cancelled and the call rejects (the runtime stops; nothing is dead-lettered).
   */
  write(records: readonly TopicRecord[], ctx: SinkContext): Promise<void>;
  /** Releases connections. Idempotent. */
  close?(): Promise<void>;
}
