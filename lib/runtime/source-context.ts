import type { ConnectorMetrics, HttpTransport, Ports, SourceContext, SourceRecord } from '../core';
import type { RecordPipeline } from './pipeline';
import type { TransformStage } from './transform-stage';

/**
 * The context the runtime drives a source with: a {@link SourceContext} plus, when `emit` does not
 * wait for the commit (a periodic source's pipelined emit), the way to wait for it.
 */
export interface RunContext extends SourceContext {
  /**
   * Resolves once every record emitted so far is committed to the topic (dead letters included);
   * rejects with the write's error (a `TopicWriteError` counting the undelivered records). Present
   * when `emit` resolves at hand-over (see {@link RunContextOptions.pipelined}); absent when `emit`
   * itself resolves only once the records are committed. The periodic runners (`runPeriodic`,
   * `runWindow`) await it before they sleep, stop or end a window.
   */
  committed?(): Promise<void>;
}

/** Options of {@link createRunContext}. */
export interface RunContextOptions {
  ports: Ports;
  signal: AbortSignal;
  metrics: ConnectorMetrics;
  /** Where records go. */
  pipeline: RecordPipeline;
  /** The transforms between `emit` and the pipeline, if any. */
  stage?: TransformStage;
  /**
   * `true` (periodic sources): `emit` resolves once the records are handed over
   * ({@link RecordPipeline.handOver}: one batch in flight, committed while the next request is on
   * the wire, starting as soon as `http` has sent it; the next `emit` waits for that commit and
   * rejects when it failed). `false`
   * (continuous sources): `emit` resolves only once the topic accepted the records, which an MQTT
   * QoS 1 acknowledgement relies on.
   */
  pipelined: boolean;
  /** Awaited before `count` records are passed on (a poll window's late topic check); rejects to refuse them. */
  beforeWrite?: (count: number) => Promise<void>;
}

/**
 * Builds the context of one run (what `runConnector` gives its source): `emit` runs the records
 * through the transform stage, if any, into the pipeline, and sets `metrics.lastPollAt` when it
 * passed records on.
 */
export function createRunContext(options: RunContextOptions): RunContext {
  const { ports, signal, metrics, pipeline, stage, beforeWrite, pipelined } = options;
  const produce = pipelined ? (records: readonly SourceRecord[]) => pipeline.handOver(records) : (records: readonly SourceRecord[]) => pipeline.emit(records);
  const ctx: RunContext = {
    ...ports,
    // Pipelined: the records handed over by the last poll start their commit as soon as this request is sent.
    ...(pipelined ? { http: startingHandedOver(ports.http, pipeline) } : {}),
    signal,
    metrics,
    emit: async (records) => {
      if (beforeWrite) await beforeWrite(records.length);
      if (stage) await stage.emit(records, produce);
      else await produce(records);
      if (records.length > 0) metrics.lastPollAt = ports.clock.now();
    },
  };
  if (pipelined) {
    ctx.committed = async () => {
      await stage?.flush();
      await pipeline.flush();
    };
  }
  return ctx;
}

/** `http` calling {@link RecordPipeline.startHandedOver} once each request has been handed to the connection. */
function startingHandedOver(http: HttpTransport, pipeline: RecordPipeline): HttpTransport {
  return (request) =>
    http({
      ...request,
      onSent: () => {
        request.onSent?.();
        pipeline.startHandedOver();
      },
    });
}
