/**
 * Live counters of one connector run, shown by `connector run` and logged at exit.
 *
 * Who updates what: the runtime counts `records`/`bytes` (accepted by the topic, or delivered by a
 * sink), `polls` (poll attempts of a periodic source, connections of a continuous one) and
 * `lastPollAt`; connectors count `errors` and `dropped` where they see them (a failed request, a
 * non-2xx response not produced, a broken partial segment), as does the runtime (topic writes,
 * failed sink writes, dead-lettered records).
 */
export interface ConnectorMetrics {
  /** Records accepted by the topic (sources) or delivered to the external service (sinks). */
  records: number;
  /** Value bytes of those records. */
  bytes: number;
  /** Poll attempts (periodic sources, retries included) or connections (continuous sources). */
  polls: number;
  /** Errors seen (failed requests, non-2xx responses, topic write failures). */
  errors: number;
  /** Responses, segments or records deliberately not produced (e.g. non-2xx bodies, broken partial segments). */
  dropped: number;
  /** Sinks: records the external service still refused after every retry, written to the dead-letter topic (or reported to Lambda) instead. */
  deadLettered: number;
  /** Time (ms since epoch) of the last completed poll or received segment; `null` before the first. */
  lastPollAt: number | null;
}

/** Fresh, zeroed {@link ConnectorMetrics}. */
export function createMetrics(): ConnectorMetrics {
  return { records: 0, bytes: 0, polls: 0, errors: 0, dropped: 0, deadLettered: 0, lastPollAt: null };
}
