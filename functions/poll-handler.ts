/**
 * The poll handler every periodic source's function runs (`functions/poller.handler`, or
 * `functions/poller-full.handler` for a config with secrets): one scheduled invocation polls the
 * config's endpoint at each interval slot of its window and produces to the topic's Kinesis stream,
 * through the same `runConnector` as `connector run` (transforms included: their state, an
 * aggregate's accumulator, lives for one invocation's window; SmartModule files come in the
 * function's package, next to the config's path).
 *
 * Configured by the generator (lib/deploy) through environment variables (`ConnectorEnv`). Where the
 * config comes from is the entry module's choice ({@link PollHandlerDeps.readSpec}): `poller.ts`
 * runs the config the generator validated (`CONNECTOR_SPEC`, without loading zod or yaml),
 * `poller-full.ts` validates the config's document (`CONNECTOR_DOCUMENT`, JSON) with the secret values the middlewares
 * put on the context (functions/README.md).
 */
import type { Context, ScheduledEvent } from 'aws-lambda';
import type { ConnectorSpec } from '../lib/config';
import { ConnectorEnv, ConnectorError, createMetrics, ErrorCode, type Logger, parseRuntimeEnv, type RuntimeEnv, RuntimeDefaults, type TopicBackend, TopicWriteError } from '../lib/core';
import { type MetricValues, metricsPublisherOf } from '../lib/runtime/emf';
import type { RunConnectorOptions, RunResult, RuntimeDeps } from '../lib/runtime/connector-run';
import { deferTopicBackend, type OpenedTopics } from '../lib/topics';
import { defaultLogger, openKinesisTopics } from './lambda-context';

/** What one invocation did (the invocation's result; `serverless invoke` prints it). */
export interface PollResult {
  connector: string;
  topic: string;
  /** Window polled, ISO times. */
  window: { start: string; end: string };
  /** Slots of the window (slot rule), polls made, slots skipped (passed before their turn). */
  slots: number;
  polls: number;
  skipped: number;
  /** Records and value bytes accepted by the stream. */
  records: number;
  bytes: number;
  /** Failed requests and responses not produced (non-2xx), as in `connector run`. */
  errors: number;
  dropped: number;
  /** Largest lateness of a poll behind its slot, ms. */
  maxDriftMs: number;
  /** Transforms: records they removed by design, records they failed on, of those written to `<topic>-dlq`. */
  filtered: number;
  transformErrors: number;
  deadLettered: number;
}

/** Side effects of the handler; every field but `readSpec` and `run` (the entry module's choice) has a real default. */
export interface PollHandlerDeps extends Partial<RuntimeDeps> {
  /**
   * The config of an invocation, from the parsed environment and the invocation's context (where
   * secret middlewares put their values): `deployedSpec` (poller.ts) or `parsedSpec` (poller-full.ts).
   * @throws what the invocation fails with when there is no valid config.
   */
  readSpec: (env: RuntimeEnv, context: object) => ConnectorSpec;
  /**
   * The connector lifecycle: `runConnector` (lib/runtime/runner.ts) in poller-full.ts, the same
   * lifecycle without the transforms engine (`connectorRunner`) in poller.ts.
   */
  run: (options: RunConnectorOptions) => Promise<RunResult>;
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Topic backend (default: Kinesis through `openTopicBackend`, streams `streamNameOf(CONNECTOR_STREAM_PREFIX, topic)`). */
  topics?: (connector: string) => TopicBackend;
}

/**
 * Time after the window's end to finish writing records whose writes are still failing, ms. The
 * function's timeout is the window plus `RuntimeDefaults.flushTimeoutMarginS`, which covers it.
 */
export const FLUSH_GRACE_MS = RuntimeDefaults.flushGraceMs;

/** A given backend, closed after the invocation. */
function closing(topics: TopicBackend): OpenedTopics {
  return { topics, close: () => topics.close() };
}

/**
 * Lambda gives a function about one vCPU at 1,769 MB of memory and a share proportional to its
 * memory below that, but a full vCPU during the init phase of an on-demand function (AWS,
 * "Effectively running Java on Serverless": init runs non-throttled for up to 10 s).
 */
export const FULL_VCPU_MEMORY_MB = 1769;

/**
 * Whether this container loads the AWS SDK in its init phase: when the function has less than a
 * full vCPU in its invocations (`AWS_LAMBDA_FUNCTION_MEMORY_SIZE` < {@link FULL_VCPU_MEMORY_MB};
 * 256 MB by default), the SDK's load (about 90 ms on the bench machine at full speed) costs less
 * wall time in the init phase's full vCPU than in the invocation, even overlapped with the first
 * poll's network wait. Otherwise (and outside Lambda) it loads while the first poll's request is on
 * the wire (see {@link kinesisTopics}).
 */
export function loadsSdkAtInit(env: NodeJS.ProcessEnv): boolean {
  const memory = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  return Number.isFinite(memory) && memory > 0 && memory < FULL_VCPU_MEMORY_MB;
}

/**
 * The default topic backend: Kinesis, one client per container (reused across invocations),
 * opened on first use (`deferTopicBackend`): the runner's topic check of a poll window starts once
 * the first request is on the wire, so the SDK, when not loaded at init, loads while that request
 * waits for its response; a write waits for it, and a failure to load fails the write (reported as
 * undelivered records, never dropped silently).
 */
function kinesisTopics(env: RuntimeEnv, region: string | undefined, connector: string, log: Logger): OpenedTopics {
  return deferTopicBackend(() => openKinesisTopics(env, region, connector, log));
}

/**
 * Builds the handler (without middlewares). One invocation = one window starting at the schedule
 * event's `time`: `CONNECTOR_WINDOW_MS` long, cut short by the function's remaining time.
 *
 * @throws what `deps.readSpec` throws: ConnectorError DEPLOYED_SPEC_STALE (a `CONNECTOR_SPEC` of
 *   another config schema), ConfigError (YAML invalid with its secret values).
 * @throws ConnectorError USAGE when the event has no valid `time` or the environment is incomplete.
 * @throws TopicWriteError / TopicNotFoundError when records could not be written: the invocation
 *   fails, and the async on-failure destination (DLQ) receives the event.
 * @throws ConnectorError CONNECTOR_POLLS_FAILED when every poll of the window failed, so the
 *   function's Errors metric and the DLQ show a failing endpoint.
 */
export function createPollHandler(deps: PollHandlerDeps) {
  return async (event: Pick<ScheduledEvent, 'time'>, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<PollResult> => {
    const processEnv = deps.env ?? process.env;
    const env = parseRuntimeEnv(processEnv);
    const log = (deps.log ?? defaultLogger()).child({ requestId: context.awsRequestId });
    const spec = deps.readSpec(env, context);

    const startMs = Date.parse(event.time);
    if (Number.isNaN(startMs)) throw new ConnectorError(`the event has no valid \`time\` (got ${JSON.stringify(event.time)}): expected an EventBridge scheduled event`, ErrorCode.USAGE);
    const clockNow = (deps.clock ?? { now: Date.now }).now();
    const windowMs = env[ConnectorEnv.WINDOW_MS];
    // The function's timeout leaves FLUSH_GRACE_MS after the window to finish writing (see lib/deploy).
    const endMs = Math.min(startMs + windowMs, clockNow + context.getRemainingTimeInMillis() - FLUSH_GRACE_MS);
    // `event`: one slot, at the event time. `epoch`: the interval grid that passes through the
    // schedule's second of the minute (the Scheduler fires at the same second every minute), so
    // the first slot of each window is its event time whenever the interval divides a minute, and
    // 45 s or 90 s slots stay evenly spaced across windows.
    const anchorMs = env[ConnectorEnv.WINDOW_ANCHOR] === 'event' ? startMs : startMs % windowMs;
    const marginMs = env[ConnectorEnv.MARGIN_MS];

    const opened: OpenedTopics = deps.topics ? closing(deps.topics(spec.name)) : kinesisTopics(env, processEnv.AWS_REGION, spec.name, log);
    const topics = opened.topics;
    // At the window's end the run stops: writes still failing then get FLUSH_GRACE_MS more, and
    // records still not written are reported (TopicWriteError, logged with their count) before
    // the function's timeout could cut them off silently.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new Error('poll window ended')), Math.max(0, endMs - clockNow));
    // Metrics of the window (CONNECTOR_METRICS=emf): one EMF line on stdout, also when the window fails.
    const counters = createMetrics();
    let windowMetrics: MetricValues | undefined;
    try {
      const result = await deps.run({
        spec,
        topics,
        metrics: counters,
        signal: stop.signal,
        producerRetry: { stopGraceMs: FLUSH_GRACE_MS },
        deps: { log, ...(deps.clock ? { clock: deps.clock } : {}), ...(deps.http ? { http: deps.http } : {}) },
        window: { startMs, endMs, anchorMs, marginMs },
        createTopic: false,
      });
      const report = result.window ?? { slots: [], polls: 0, skipped: 0, driftMs: [] };
      const { metrics } = result;
      const summary: PollResult = {
        connector: spec.name,
        topic: spec.topic.name,
        window: { start: new Date(startMs).toISOString(), end: new Date(endMs).toISOString() },
        slots: report.slots.length,
        polls: report.polls,
        skipped: report.skipped,
        records: metrics.records,
        bytes: metrics.bytes,
        errors: metrics.errors,
        dropped: metrics.dropped,
        maxDriftMs: Math.max(0, ...report.driftMs),
        filtered: metrics.filtered,
        transformErrors: metrics.transformErrors,
        deadLettered: metrics.deadLettered,
      };
      windowMetrics = { ...summary, skippedSlots: summary.skipped, windowLatenessMs: summary.maxDriftMs };
      if (report.polls > 0 && metrics.records === 0 && metrics.errors >= report.polls) {
        throw new ConnectorError(`${spec.name}: every poll of the window failed (${report.polls} polls, ${metrics.errors} errors); see the log`, ErrorCode.CONNECTOR_POLLS_FAILED);
      }
      return summary;
    } catch (err) {
      windowMetrics ??= { ...counters, polls: undefined, undelivered: err instanceof TopicWriteError ? err.undelivered : 0 };
      throw err;
    } finally {
      clearTimeout(timer);
      await opened.close();
      if (windowMetrics) await metricsPublisherOf(env, spec.name, log)?.publish(windowMetrics);
    }
  };
}
