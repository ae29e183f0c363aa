import type { BackoffSettings } from './backoff';
import type { ConnectorMetrics } from './metrics';
import type { Ports } from './ports';

/** A record as a source hands it to the runtime. Strings are encoded as UTF-8. */
export interface SourceRecord {
  /** Record key; `null`/absent for none (Fluvio's http-source always produces a null key). */
  key?: string | Uint8Array | null;
  /** Record value. */
  value: string | Uint8Array;
}

/** Everything a source may use. Side effects come only from here, so tests can replace them. */
export interface SourceContext extends Ports {
  /** Aborted when the connector must stop. Sources stop starting new work and return promptly. */
  signal: AbortSignal;
  /**
   * Hands records to the runtime; awaiting it is the backpressure. Rejects only when the topic
   * failed permanently: the source should let that error propagate.
   *
   * - A continuous source's emit resolves once the topic has accepted all of them (an MQTT QoS 1
   *   acknowledgement sent after it is safe).
   * - A periodic source's emit (in the runtime; see {@link PeriodicSource.poll}) resolves once the
   *   records are handed over, with one batch in flight: their commit runs while the next
   *   request is on the wire, the next emit waits for it, and a commit that failed rejects the next
   *   emit (counting both batches as undelivered) and the end of the run.
   */
  emit(records: readonly SourceRecord[]): Promise<void>;
  /** Counters to update (see {@link ConnectorMetrics} for who counts what). */
  metrics: ConnectorMetrics;
}

/** How the runtime retries a failed poll within its slot (see {@link PeriodicSource.poll}). */
export interface PollRetry extends BackoffSettings {
  /** Retries after the first attempt (Fluvio has none; http-source `max_retries`). */
  readonly maxRetries: number;
}

/**
 * A periodic source: the runtime calls `poll` once per `intervalMs` slot (first slot at once,
 * fixed rate, missed slots skipped), and again within the slot when a poll throws a
 * `RetryableError`. Same contract in `connector run` and in a scheduled Lambda function, which
 * polls each slot inside its window.
 */
export interface PeriodicSource {
  readonly kind: 'periodic';
  /** Poll period in milliseconds (Fluvio's `interval`). */
  readonly intervalMs: number;
  /** Retries of a failed poll; absent: a failed poll waits for the next slot. */
  readonly retry?: PollRetry;
  /**
   * One attempt: requests, emits what it yields (awaiting `emit`), and resolves. For a failure worth
   * retrying it logs and counts it, then throws a `RetryableError` (the runtime waits with backoff,
   * or `retryAfterMs`, never past the slot, and calls `poll` again). A failure not worth retrying
   * is logged and counted and the poll resolves; any other error thrown is logged and counted by
   * the runtime. When `ctx.signal` aborts, the request in flight is cancelled and the poll resolves.
   *
   * The runtime's `ctx.emit` resolves once the records are handed over, not committed (Kafka
   * producer style, one batch in flight): a poll that resolved may still have its records' commit
   * pending, overlapping the next poll's request. The runtime waits for that commit before it
   * sleeps until the next slot, stops or ends a window, so stopping flushes and a window's report
   * counts committed records only; a failed commit fails the next poll's emit (or the run's end).
   * A poll must therefore not report its records as durable itself.
   */
  poll(ctx: SourceContext): Promise<void>;
}

/** How one session of a continuous source ended. */
export interface SessionEnd {
  /** Records the session delivered (a session that delivered some resets the reconnect backoff). */
  readonly delivered: number;
  /** The source is exhausted (e.g. test-connector `count` reached): the connector completes. */
  readonly done?: boolean;
}

/**
 * A continuous source (streams, subscriptions, timed generators), Benthos-style: `connect` runs one
 * session (one connection) until it ends; the runtime owns the loop around it: it reconnects with
 * backoff (`reconnect`, reset after a session that delivered records) until `ctx.signal` aborts or a
 * session reports `done`.
 */
export interface ContinuousSource {
  readonly kind: 'continuous';
  /** Backoff between sessions; default `BackoffDefaults.source`. */
  readonly reconnect?: BackoffSettings;
  /**
   * One session. Resolves when it ends (the peer closed it, or `ctx.signal` aborted). A failure to
   * connect or a broken connection is logged and counted by the source, then either resolves (with
   * what was delivered) or throws a `RetryableError`: both reconnect. Any other error ends the
   * connector, as does a rejected `emit` (the topic failed), which must propagate.
   */
  connect(ctx: SourceContext): Promise<SessionEnd>;
}

export type Source = PeriodicSource | ContinuousSource;
