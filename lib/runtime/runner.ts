import type { ConnectorSpec } from '../config';
import type { ConnectorMetrics, SourceContext } from '../core/connector';
import { ConnectorError, ErrorCode, TopicNotFoundError } from '../core/errors';
import type { TopicBackend } from '../core/topics';
import { type Clock, systemClock } from '../core/clock';
import { type HttpTransport, nodeHttpTransport } from '../core/http';
import { createJsonLogger, type Logger } from '../core/log';
import { createMetrics } from '../core/metrics';
import { createRecordPipeline, type ProducerRetryOptions } from './pipeline';
import { runPeriodic } from './schedule';
import { type PollWindow, runWindow, type WindowReport } from './window';

/** Side effects of a run; every field has a real default. */
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
  /** Run a config that has `transforms` without them (they are not executed yet). Default false: refuse. */
  skipTransforms?: boolean;
  /** Retry settings of topic writes. */
  producerRetry?: ProducerRetryOptions;
  /** Called once the topic is ready and the source has started. */
  onStarted?: () => void;
  /** Create the topic when it is missing and the config allows it (`connector run`). False in AWS, where the deployment creates streams. Default true. */
  createTopic?: boolean;
  /**
   * Poll only the slots of this window, then complete (a scheduled Lambda function). Periodic
   * sources only. Default: run until `signal` aborts.
   */
  window?: PollWindow;
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

/**
 * Transforms (SmartModules) are parsed but not executed yet: refuse to produce untransformed
 * records unless the caller opted in (`--skip-transforms`). Used by `runConnector` and, before
 * anything is spawned, by `connector deploy start`.
 * @throws ConnectorError CONFIG_UNSUPPORTED when `spec` has transforms and `skipTransforms` is not set.
 */
export function assertTransformsRunnable(spec: ConnectorSpec, skipTransforms = false): void {
  if (spec.transforms.length === 0 || skipTransforms) return;
  throw new ConnectorError(
    `${spec.file}: transforms are not executed yet (${spec.transforms.map((t) => t.uses).join(', ')}); ` +
      'refusing to produce untransformed records. Remove `transforms` or run with --skip-transforms to produce them untransformed.',
    ErrorCode.CONFIG_UNSUPPORTED,
  );
}

/**
 * The one connector lifecycle, shared by `connector run`, `connector deploy start`, the Lambda
 * handler and the container entrypoint: ensure the topic, start the source with an AbortSignal,
 * produce every record (retrying the topic with backoff), and on abort finish the in-flight
 * record, flush and close.
 *
 * @throws ConnectorError CONFIG_UNSUPPORTED when the config has transforms and `skipTransforms` is not set.
 * @throws TopicNotFoundError when the topic is missing and may not be created.
 * @throws TopicWriteError when records could not be written (the count is in `undelivered`).
 * @throws ConnectorError CONFIG_UNSUPPORTED when `window` is given for a continuous source.
 * @example
 * const spec = loadConnectorConfig('configs/quotes-periodic.yaml', { registry: defaultRegistry });
 * const ac = new AbortController();
 * await runConnector({ spec, topics: openLocalTopicStore({ dataDir }), signal: ac.signal });
 */
export async function runConnector(options: RunConnectorOptions): Promise<RunResult> {
  const { spec, topics, signal } = options;
  const log = (options.deps?.log ?? createJsonLogger()).child({ connector: spec.name, type: spec.type });
  const clock = options.deps?.clock ?? systemClock;
  const http = options.deps?.http ?? nodeHttpTransport;
  const metrics = options.metrics ?? createMetrics();

  assertTransformsRunnable(spec, options.skipTransforms);
  const source = spec.definition.create(spec.config);
  if (options.window && source.kind !== 'periodic') {
    throw new ConnectorError(`${spec.file}: ${spec.type} with these settings is a continuous source; it cannot run in a poll window (deploy it as a container task)`, ErrorCode.CONFIG_UNSUPPORTED);
  }
  if (spec.transforms.length > 0) log.warn({ transforms: spec.transforms.map((t) => t.uses) }, 'transforms are NOT executed yet; producing untransformed records');

  await ensureTopic(spec, topics, log, options.createTopic ?? true);
  const producer = topics.producer(spec.topic.name);
  const pipeline = createRecordPipeline(producer, { log, metrics, retry: options.producerRetry });
  const ctx: SourceContext = { signal, emit: (records) => pipeline.emit(records), log, clock, http, metrics };
  const onAbort = (): void => pipeline.stopping();
  signal.addEventListener('abort', onAbort, { once: true });
  let failed = false;
  let window: WindowReport | undefined;
  try {
    log.info({ topic: spec.topic.name, kind: source.kind, ...(source.kind === 'periodic' ? { intervalMs: source.intervalMs } : {}) }, 'connector started');
    options.onStarted?.();
    if (source.kind === 'periodic' && options.window) window = await runWindow(source, ctx, options.window);
    else if (source.kind === 'periodic') await runPeriodic(source, ctx);
    else await source.run(ctx);
    await pipeline.flush();
  } catch (err) {
    failed = true;
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
    // A source that failed may leave emitted records in flight: still write them (a write that
    // fails is logged with its undelivered count by the pipeline), so none is dropped silently.
    if (failed) await pipeline.flush().catch(() => undefined);
    await producer.close();
  }
  const reason = signal.aborted ? 'stopped' : 'completed';
  log.info({ reason, records: metrics.records, bytes: metrics.bytes, errors: metrics.errors, dropped: metrics.dropped, ...(window ? { polls: window.polls, skipped: window.skipped } : {}) }, 'connector finished');
  return { reason, metrics, ...(window ? { window } : {}) };
}
