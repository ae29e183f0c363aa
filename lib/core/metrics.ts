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
  /** Time (ms since epoch) of the last completed poll or received segment; `null` before the first. */
  lastPollAt: number | null;
  /** Source records a transform removed by design (a filter said no, an array-map of an empty array). */
  filtered: number;
  /** Source records on which a transform failed (threw, trapped, timed out), whatever the step's `on_error`. */
  transformErrors: number;
  /** Of those, records dropped because their step says `on_error: skip` (each one logged). */
  transformSkipped: number;
  /**
   * Records written to the dead-letter topic `<topic>-dlq` instead: a source record a transform failed
   * on with `on_error: dead-letter`, or a sink record the external service still refused after every
   * retry (a deployed sink reports it to Lambda instead).
   */
  deadLettered: number;
}

/** Fresh, zeroed {@link ConnectorMetrics}. */
export function createMetrics(): ConnectorMetrics {
  return { records: 0, bytes: 0, polls: 0, errors: 0, dropped: 0, lastPollAt: null, filtered: 0, transformErrors: 0, transformSkipped: 0, deadLettered: 0 };
}

/**
 * How connector metrics are named in CloudWatch: the contract between the runtime, which publishes
 * them (Embedded Metric Format, `lib/runtime/emf.ts`), and the alarms the deployment generates
 * (`lib/deploy/monitoring.ts`). Every metric has the dimensions `service` (the deployment,
 * `<service>-<stage>`) and `connector` (the connector's name).
 */
export const CloudWatchMetric = {
  /** Dimension names. */
  SERVICE: 'service',
  CONNECTOR: 'connector',
  /** Records accepted by the topic (sources) or delivered (sinks). Count. */
  RECORDS: 'Records',
  /** Value bytes of those records. Bytes. */
  BYTES: 'Bytes',
  /** Errors: failed requests, non-2xx responses, failed topic writes (each retry counts). Count. */
  ERRORS: 'Errors',
  /** Responses, segments or records deliberately not produced. Count. */
  DROPPED: 'Dropped',
  /** Records lost because the topic kept refusing them (the run failed). Count; published when it happens. */
  UNDELIVERED: 'Undelivered',
  /** Poll attempts, retries included (periodic sources; a function: slots polled), or connections (continuous). Count. */
  POLLS: 'Polls',
  /** Interval slots of a poll window not polled (a function's window only). Count. */
  SKIPPED_SLOTS: 'SkippedSlots',
  /** Largest lateness of a poll behind its slot in a window (a function's window only). Milliseconds. */
  WINDOW_LATENESS: 'WindowLateness',
} as const;
