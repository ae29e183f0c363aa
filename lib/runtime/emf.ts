import type { Metrics } from '@aws-lambda-powertools/metrics';
import { CloudWatchMetric, type ConnectorMetrics, ConnectorEnv, type Logger, type RuntimeEnv } from '../core';

/**
 * Values of one metric line: counters of a period (a running connector) or of one poll window (a
 * function invocation). Absent values are not published.
 */
export interface MetricValues {
  records: number;
  bytes: number;
  errors: number;
  dropped: number;
  /** Poll attempts or connections (see {@link CloudWatchMetric.POLLS}). */
  polls?: number;
  /** Records the topic kept refusing (a failed run). */
  undelivered?: number;
  /** Slots of the window not polled. */
  skippedSlots?: number;
  /** Largest lateness of a poll behind its slot in the window, ms. */
  windowLatenessMs?: number;
}

/** Publishes metric lines of one connector. */
export interface MetricsPublisher {
  /** Writes one line; never rejects (a metrics failure is logged, it does not fail the connector). */
  publish(values: MetricValues): Promise<void>;
}

/** Where metric lines go, and their namespace and dimensions. */
export interface EmfOptions {
  /** CloudWatch namespace, e.g. `Connectors`. */
  namespace: string;
  /** `service` dimension: the deployment, `<service>-<stage>`. */
  service: string;
  /** `connector` dimension: the connector's name. */
  connector: string;
  /** Where a failure to publish is logged. */
  log: Logger;
}

/**
 * A publisher writing CloudWatch Embedded Metric Format (EMF) lines to stdout through AWS Lambda
 * Powertools' `Metrics` (one JSON object per line; CloudWatch Logs turns them into metrics in
 * `namespace`, with the dimensions `service` and `connector`, see {@link CloudWatchMetric}). No API
 * call: in Lambda the function's log, in ECS the `awslogs` driver carries the line. Powertools is
 * loaded at the first publish, not at module load (a function's init time), as an ES module (the
 * bundler keeps only what is used: about 5 KB of a function's zip).
 * @example
 * await createEmfPublisher({ namespace: 'Connectors', service: 'connectors-dev', connector: 'quotes', log }).publish({ records: 3, bytes: 120, errors: 0, dropped: 0 });
 * // stdout: {"_aws":{"Timestamp":…,"CloudWatchMetrics":[{"Namespace":"Connectors","Dimensions":[["service","connector"]],"Metrics":[{"Name":"Records","Unit":"Count"},…]}]},"service":"connectors-dev","connector":"quotes","Records":3,…}
 */
export function createEmfPublisher(options: EmfOptions): MetricsPublisher {
  let metrics: Metrics | undefined;
  return {
    async publish(values) {
      try {
        const { Metrics: PowertoolsMetrics, MetricUnit } = await import('@aws-lambda-powertools/metrics');
        metrics ??= new PowertoolsMetrics({ namespace: options.namespace, serviceName: options.service, defaultDimensions: { [CloudWatchMetric.CONNECTOR]: options.connector } });
        const counts: Array<[string, number | undefined]> = [
          [CloudWatchMetric.RECORDS, values.records],
          [CloudWatchMetric.ERRORS, values.errors],
          [CloudWatchMetric.DROPPED, values.dropped],
          [CloudWatchMetric.UNDELIVERED, values.undelivered],
          [CloudWatchMetric.POLLS, values.polls],
          [CloudWatchMetric.SKIPPED_SLOTS, values.skippedSlots],
        ];
        for (const [name, value] of counts) if (value !== undefined) metrics.addMetric(name, MetricUnit.Count, value);
        metrics.addMetric(CloudWatchMetric.BYTES, MetricUnit.Bytes, values.bytes);
        if (values.windowLatenessMs !== undefined) metrics.addMetric(CloudWatchMetric.WINDOW_LATENESS, MetricUnit.Milliseconds, values.windowLatenessMs);
        metrics.publishStoredMetrics();
      } catch (err) {
        options.log.warn({ err }, 'could not publish metrics');
      }
    },
  };
}

/**
 * The publisher the runtime environment asks for (`CONNECTOR_METRICS=emf`, with
 * `CONNECTOR_METRICS_NAMESPACE` and `CONNECTOR_METRICS_SERVICE`), or `undefined` (`none`).
 */
export function metricsPublisherOf(env: RuntimeEnv, connector: string, log: Logger): MetricsPublisher | undefined {
  if (env[ConnectorEnv.METRICS] !== 'emf') return undefined;
  return createEmfPublisher({ namespace: env[ConnectorEnv.METRICS_NAMESPACE], service: env[ConnectorEnv.METRICS_SERVICE], connector, log });
}

/**
 * Publishes what `metrics` counted in each period of `periodMs` (the difference since the last
 * line) until `stop()`, which publishes the rest: a running connector's metric lines (`connector run`,
 * container tasks). The timer does not keep the process alive.
 * @returns `stop`, to call once when the connector has finished (after its last record); resolves
 *   when the last line is written.
 */
export function publishPeriodically(metrics: ConnectorMetrics, publisher: MetricsPublisher, periodMs: number): { stop(): Promise<void> } {
  let last = { records: 0, bytes: 0, errors: 0, dropped: 0, polls: 0 };
  let written: Promise<void> = Promise.resolve();
  const tick = (): Promise<void> => {
    const now = { records: metrics.records, bytes: metrics.bytes, errors: metrics.errors, dropped: metrics.dropped, polls: metrics.polls };
    const values: MetricValues = {
      records: now.records - last.records,
      bytes: now.bytes - last.bytes,
      errors: now.errors - last.errors,
      dropped: now.dropped - last.dropped,
      polls: now.polls - last.polls,
    };
    last = now;
    // In order: each line after the previous one.
    written = written.then(() => publisher.publish(values));
    return written;
  };
  const timer = setInterval(() => void tick(), periodMs);
  timer.unref();
  let stopped = false;
  return {
    stop() {
      if (stopped) return written;
      stopped = true;
      clearInterval(timer);
      return tick();
    },
  };
}
