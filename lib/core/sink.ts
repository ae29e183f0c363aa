import type { ConnectorMetrics } from './metrics';
import type { Ports } from './ports';
import type { TopicRecord } from './topics';

/** Everything a sink may use. */
export interface SinkContext extends Ports {
  /** Aborted when the connector must stop: finish or abandon the write in flight promptly. */
  signal: AbortSignal;
  /** Counters to update (`errors`, `dropped`); the runtime counts delivered `records`/`bytes`. */
  metrics: ConnectorMetrics;
}

/**
 * A sink: the runtime consumes the connector's topic from its consumer's committed offset, hands
 * records to `write` in offset order, and commits the offset of what `write` accepted, so delivery
 * is at-least-once and resumes after a crash.
 */
export interface Sink {
  /**
   * Delivers `records` (in offset order) to the external service. Resolves when every record was
   * accepted. Rejects with a `SinkWriteError` saying how many leading records were accepted before
   * the failure and whether retrying may help; any other rejection means none was accepted.
   */
  write(records: readonly TopicRecord[], ctx: SinkContext): Promise<void>;
  /** Releases connections. Idempotent. */
  close?(): Promise<void>;
}
