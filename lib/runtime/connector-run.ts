import type { ConnectorSpec } from '../config';
import {
  type Clock,
  type ConnectorMetrics,
  ConnectorError,
  createJsonLogger,
  createMetrics,
  ErrorCode,
  type HttpTransport,
  type Logger,
  type Ports,
  redactingLogger,
  type Source,
  systemClock,
  type TopicBackend,
  TopicNotFoundError,
  TopicWriteError,
} from '../core';
import type { TransformRegistry } from '../transforms';
import { runContinuous } from './continuous';
import { createRecordPipeline, type ProducerRetryOptions } from './pipeline';
import { portsFor } from './ports';
import { runPeriodic } from './schedule';
import { createRunContext } from './source-context';
import type { TransformStage, TransformStageOptions } from './transform-stage';
import { closeSink, createSink, runSinkLoop } from './sink';
import { type PollWindow, runWindow, type WindowReport } from './window';

/** Side effects of a run; every field has a real default (HTTP only for connectors that need it). */
export interface RuntimeDeps {
  clock: Clock;
  http: HttpTransport;
  log: Logger;
}

export interface RunConnectorOptions {
  /** The validated config (from `loadConnectorConfig`). */
  spec: ConnectorSpec;
  /** Where records go: the local store by default, Kinesis when deployed. */
  topics: TopicBackend;
  /** Aborting it stops the connector: the in-flight record is finished, then everything is flushed. */
  signal: AbortSignal;
  /** Injected side effects (clock, HTTP, logger). */
  deps?: Partial<RuntimeDeps>;
  /** Counters to update (pass your own to display them live). */
  metrics?: ConnectorMetrics;
  /**
   * Escape hatch: produce the source's records without running the config's `transforms` (logged as
   * a warning). Default false: transforms run.
   */
  skipTransforms?: boolean;
  /** Built-in transforms `transforms[].uses` may name (default `defaultTransforms`). */
  transforms?: TransformRegistry;
  /** Retry settings of topic writes. */
  producerRetry?: ProducerRetryOptions;
  /** Called once the topic is ready and the source (or sink) has started. */
  onStarted?: () => void;
  /** Create the topic when it is missing and the config allows it (`connector run`). False in AWS, where the deployment creates streams. Default true. */
  createTopic?: boolean;
  /**
   * Poll only the slots of this window, then complete (a scheduled Lambda function). Periodic
   * sources only. Default: run until `signal` aborts. With `createTopic: false`, the topic is
   * checked once the first request is on the wire (or at the first write, or at the window's end),
   * not before the first poll; records wait for the check.
   */
  window?: PollWindow;
}

/**
 * Opens the Filter and Shape stages of a run (`openTransformStage` of ./transform-stage, or a
 * refusal where the transforms engine is not bundled): `undefined` for a config without transforms.
 */
export type StageOpener = (options: TransformStageOptions) => Promise<TransformStage | undefined>;

/**
 * The sink side of `runConnector` (runner.ts): ensure the topic, build the sink, consume the topic from
 * the consumer's committed offset and deliver it (see `runSinkLoop` in ./sink: commits, retries,
 * dead-letter topic), until `signal` aborts.
 */
async function runSinkConnector(options: RunConnectorOptions, log: Logger, clock: Clock, metrics: ConnectorMetrics, openStage: StageOpener): Promise<RunResult> {
  const { spec, topics, signal } = options;
  if (options.window) throw new ConnectorError(`${spec.file}: ${spec.type} is a sink; it cannot run in a poll window`, ErrorCode.CONFIG_UNSUPPORTED);
  await ensureTopic(spec, topics, log, options.createTopic ?? true);
  // The Filter and Shape stages, between the topic and the sink.
  const stage = options.skipTransforms
    ? undefined
    : await openStage({ spec, topics, log, metrics, clock, registry: options.transforms, producerRetry: options.producerRetry, createTopic: options.createTopic ?? true });
  const onAbort = (): void => stage?.stopping();
  signal.addEventListener('abort', onAbort, { once: true });
  const sink = await createSink(spec).catch(async (err: unknown) => {
    signal.removeEventListener('abort', onAbort);
    await stage?.close();
    throw err;
  });
  const ports = portsFor(spec.definition, { clock, log, ...(options.deps?.http ? { http: options.deps.http } : {}) });
  try {
    await runSinkLoop({
      spec,
      sink,
      topics,
      ctx: { ...ports, signal, metrics },
      producerRetry: options.producerRetry,
      ...(stage ? { stage } : {}),
      onStarted: ({ offset, consumer }) => {
        log.info({ topic: spec.topic.name, kind: 'sink', consumer: consumer.id, commits: consumer.commits, offset }, 'connector started');
        options.onStarted?.();
      },
    });
    await stage?.flush();
  } finally {
    signal.removeEventListener('abort', onAbort);
    await closeSink(sink, log);
    await stage?.close();
  }
  log.info({ reason: 'stopped', records: metrics.records, bytes: metrics.bytes, errors: metrics.errors, deadLettered: metrics.deadLettered }, 'connector finished');
  return { reason: 'stopped', metrics };
}

/** How a run ended. */
export interface RunResult {
  /** `stopped`: the signal aborted; `completed`: the source ended by itself (e.g. test-connector `count`). */
  reason: 'stopped' | 'completed';
  metrics: ConnectorMetrics;
  /** With {@link RunConnectorOptions.window}: the slots polled and skipped. */
  window?: WindowReport;
}

/**
 * Makes sure the config's topic exists: creates it when `spec.topic.create` (apiVersion configs,
 * legacy `create_topic: true`) and `mayCreate`, otherwise requires it (Fluvio's legacy rule).
 * @param mayCreate - false in deployments, where CloudFormation owns the streams. Default true.
 * @throws TopicNotFoundError when it is missing and may not be created.
 */
export async function ensureTopic(spec: ConnectorSpec, topics: TopicBackend, log: Logger, mayCreate = true): Promise<void> {
  const name = spec.topic.name;
  if (await topics.topicExists(name)) return;
  if (!mayCreate) {
    throw new TopicNotFoundError(name, `it is created by the deployment (serverless deploy) when ${spec.file} sets create-topic; otherwise create it before deploying`);
  }
  if (!spec.topic.create) {
    const setting = spec.format === 'legacy' ? 'create_topic: true' : 'meta.create-topic: true (or remove it)';
    throw new TopicNotFoundError(name, `create it with \`connector topic create ${name}\`, or set ${setting} in ${spec.file}`);
  }
  if (await topics.createTopic(name)) log.info({ topic: name }, 'topic created');
}

/** An async step started at most once, by the first {@link start} call; its failure is kept for every later caller. */
function onceStarted(step: () => Promise<void>): { start(): Promise<void> } {
  let started: Promise<void> | undefined;
  return {
    start() {
      if (started === undefined) {
        started = step();
        // Awaited by the first write or the end of the run; a failure seen by neither is not unhandled.
        started.catch(() => undefined);
      }
      return started;
    },
  };
}

/**
 * Waits for a run's topic check before `count` records of `topic` are written. When the check
 * fails, the records are logged as undelivered and the run ends (`pollOnce` rethrows both): with
 * the TopicNotFoundError of a missing topic, or else (the backend could not be opened or asked,
 * e.g. its SDK failed to load) a permanent TopicWriteError carrying `count` as `undelivered`.
 */
async function topicChecked(check: { start(): Promise<void> }, topic: string, count: number, log: Logger): Promise<void> {
  try {
    await check.start();
  } catch (err) {
    if (count === 0) throw err;
    log.error({ err, undelivered: count, topic }, 'records not delivered to the topic');
    if (err instanceof TopicNotFoundError) throw err;
    throw new TopicWriteError(`could not write ${count} record(s) to topic "${topic}": the topic backend failed: ${err instanceof Error ? err.message : String(err)}`, count, err, true);
  }
}

/**
 * Builds the source of a spec through its definition's lazily loaded implementation, and checks it
 * runs in the mode the definition declares (what the generator and `validate` rely on).
 * @throws ConnectorError CONFIG_UNSUPPORTED for a sink (`runConnector` runs sinks through `createSink`).
 * @throws Error when the built source contradicts `definition.mode` (a connector bug).
 */
export async function createSource(spec: ConnectorSpec): Promise<Source> {
  const definition = spec.definition;
  if (definition.direction !== 'source') {
    throw new ConnectorError(`${spec.file}: ${spec.type} is a ${definition.direction} connector, not a source`, ErrorCode.CONFIG_UNSUPPORTED);
  }
  const source = (await definition.load()).createSource(spec.config, { name: spec.name, topic: spec.topic.name });
  const mode = definition.mode(spec.config);
  if (mode.kind !== source.kind) throw new Error(`connector type "${spec.type}" declares mode ${mode.kind} but built a ${source.kind} source`);
  return source;
}

/**
 * `runConnector` (runner.ts) with the given way of opening transform stages: `runner.ts` passes
 * `openTransformStage`, a deployed poller without the transforms engine in its bundle a refusal
 * (functions/poller.ts). Every other step is the same code.
 */
export function connectorRunner(openStage: StageOpener): (options: RunConnectorOptions) => Promise<RunResult> {
  return async function runConnector(options: RunConnectorOptions): Promise<RunResult> {
    const { spec, topics, signal } = options;
    const bound = (options.deps?.log ?? createJsonLogger()).child({ connector: spec.name, type: spec.type });
    // Secret values never reach a log line (e.g. a host name from `${{ secrets.HOST }}` in a DNS error).
    const log = spec.redact ? redactingLogger(bound, spec.redact) : bound;
    const clock = options.deps?.clock ?? systemClock;
    const metrics = options.metrics ?? createMetrics();

    for (const warning of spec.warnings) {
      log.warn({ code: warning.code, file: warning.file, line: warning.line, column: warning.column, path: warning.path }, warning.message);
    }
    if (options.skipTransforms && spec.transforms.length > 0) log.warn({ transforms: spec.transforms.map((t) => t.uses) }, 'transforms skipped (--skip-transforms): records pass untransformed');
    if (spec.definition.direction === 'sink') return runSinkConnector(options, log, clock, metrics, openStage);
    const source = await createSource(spec);
    if (options.window && source.kind !== 'periodic') {
      throw new ConnectorError(`${spec.file}: ${spec.type} with these settings is a continuous source; it cannot run in a poll window (deploy it as a container task)`, ErrorCode.CONFIG_UNSUPPORTED);
    }

    // A poll window that may not create its topic (a deployed function: the stack made the stream)
    // checks it alongside its first poll, once the request is on the wire, so that a backend opened
    // on first use (the Kinesis SDK, see deferTopicBackend in lib/topics) loads while the response is
    // on its way instead of before the request. Elsewhere the topic is checked before the source starts.
    const lateCheck = options.window && options.createTopic === false ? onceStarted(() => ensureTopic(spec, topics, log, false)) : undefined;
    if (!lateCheck) await ensureTopic(spec, topics, log, options.createTopic ?? true);
    // The Filter and Shape stages (transforms), between the source's emit and the topic.
    const stage = options.skipTransforms
      ? undefined
      : await openStage({ spec, topics, log, metrics, clock, registry: options.transforms, producerRetry: options.producerRetry, createTopic: options.createTopic ?? true });
    const producer = topics.producer(spec.topic.name);
    const pipeline = createRecordPipeline(producer, { log, metrics, retry: options.producerRetry });
    const given = portsFor(spec.definition, { clock, log, ...(options.deps?.http ? { http: options.deps.http } : {}) });
    const ports: Ports = lateCheck
      ? {
          ...given,
          http: (request) =>
            given.http({
              ...request,
              onSent: () => {
                request.onSent?.();
                void lateCheck.start();
              },
            }),
        }
      : given;
    // A periodic source's emit resolves at hand-over: its commit runs while the next request is on the
    // wire, and the runners (runPeriodic, runWindow) wait for it before they sleep, stop or end a window.
    const ctx = createRunContext({
      ports,
      signal,
      metrics,
      pipeline,
      pipelined: source.kind === 'periodic',
      ...(stage ? { stage } : {}),
      ...(lateCheck ? { beforeWrite: (count: number) => topicChecked(lateCheck, spec.topic.name, count, log) } : {}),
    });
    const onAbort = (): void => {
      pipeline.stopping();
      stage?.stopping();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    let failed = false;
    let window: WindowReport | undefined;
    try {
      log.info({ topic: spec.topic.name, kind: source.kind, ...(source.kind === 'periodic' ? { intervalMs: source.intervalMs } : {}) }, 'connector started');
      options.onStarted?.();
      if (source.kind === 'periodic' && options.window) window = await runWindow(source, ctx, options.window);
      else if (source.kind === 'periodic') await runPeriodic(source, ctx);
      else await runContinuous(source, ctx);
      // A window without a request on the wire or a record (every poll failed early) still checks its topic.
      await lateCheck?.start();
      await stage?.flush();
      await pipeline.flush();
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      // A source that failed may leave emitted records in flight: still write them (a write that
      // fails is logged with its undelivered count by the pipeline), so none is dropped silently.
      if (failed) {
        await stage?.flush().catch(() => undefined);
        await pipeline.flush().catch(() => undefined);
      }
      await stage?.close();
      await producer.close();
    }
    const reason = signal.aborted ? 'stopped' : 'completed';
    const transformed = stage ? { filtered: metrics.filtered, transformErrors: metrics.transformErrors, transformSkipped: metrics.transformSkipped, deadLettered: metrics.deadLettered } : {};
    log.info({ reason, records: metrics.records, bytes: metrics.bytes, errors: metrics.errors, dropped: metrics.dropped, ...transformed, ...(window ? { polls: window.polls, skipped: window.skipped } : {}) }, 'connector finished');
    return { reason, metrics, ...(window ? { window } : {}) };
  };
}
