/**
 * The Lambda handler of every sink (`functions/sink.handler`): a Kinesis event source mapping
 * invokes it with a batch of its topic's stream records (one shard, in order); it delivers them
 * through the config's transforms and the sink runtime's `deliverTransformed` (the transforms, retries,
 * backoff and `Retry-After` of `connector run`), and reports the first record it could not deliver as the batch item failure
 * (`ReportBatchItemFailures`), so Lambda retries from exactly that record. A transform step with
 * `on_error: dead-letter` writes the records it fails on to the `<topic>-dlq` stream.
 *
 * Configured by the generator (lib/deploy, `sink` placement) through environment variables
 * (`ConnectorEnv`); with `CONNECTOR_METRICS=emf` it prints one EMF metric line per batch (records
 * delivered, bytes, errors, records handed back undelivered), which the connector's alarm watches; secret values come from SSM Parameter Store or Secrets Manager through middy
 * middlewares, into the handler's context only.
 */
import middy from '@middy/core';
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from 'aws-lambda';
import { parseConnectorConfig } from '../lib/config';
import { defaultRegistry } from '../lib/connectors';
import { ConnectorEnv, ConnectorError, createMetrics, ErrorCode, parseRuntimeEnv, systemClock, type TopicRecord, TransformError } from '../lib/core';
import { metricsPublisherOf } from '../lib/runtime/emf';
import { portsFor } from '../lib/runtime/ports';
import type { RuntimeDeps } from '../lib/runtime/runner';
import { closeSink, createSink, deliverTransformed } from '../lib/runtime/sink';
import { openTransformStage, type TransformStage } from '../lib/runtime/transform-stage';
import { configText, contextSecrets, defaultLogger, openKinesisTopics, secretMiddlewares } from './lambda-context';

/** Side effects of the handler; every field has a real default. */
export interface SinkHandlerDeps extends Partial<RuntimeDeps> {
  /** Environment (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * The records of a Kinesis event as topic records: `offset` is the record's index in the batch,
 * `key` its partition key (Kinesis's only key: a source's key, else the source connector's name),
 * `value` the decoded data, `timestamp` the approximate arrival time (ms).
 */
export function topicRecordsOf(event: KinesisStreamEvent): TopicRecord[] {
  return event.Records.map((record, index) => ({
    offset: index,
    timestamp: Math.round(record.kinesis.approximateArrivalTimestamp * 1000),
    key: Buffer.from(record.kinesis.partitionKey, 'utf8'),
    value: Buffer.from(record.kinesis.data, 'base64'),
  }));
}

/**
 * Builds the handler (without middlewares). One invocation delivers one batch, in order, and
 * stops `CONNECTOR_MARGIN_MS` before the function's timeout.
 *
 * @returns `{ batchItemFailures: [] }` when every record was delivered; otherwise the sequence
 *   number of the first record not delivered (refused, still failing after its retries, or not
 *   reached in time): Lambda retries the batch from it (bisected), at most the mapping's
 *   `MaximumRetryAttempts` times, then sends it to the sink failure queue.
 * @throws ConfigError when the config (with secret values) is invalid; ConnectorError USAGE when the
 *   environment is incomplete or the config is not a sink. Lambda then retries the whole batch.
 */
export function createSinkHandler(deps: SinkHandlerDeps = {}) {
  return async (event: KinesisStreamEvent, context: Pick<Context, 'getRemainingTimeInMillis' | 'awsRequestId'>): Promise<KinesisStreamBatchResponse> => {
    const env = parseRuntimeEnv(deps.env ?? process.env);
    const log = (deps.log ?? defaultLogger()).child({ requestId: context.awsRequestId });
    const file = env[ConnectorEnv.CONFIG_FILE] ?? `$${ConnectorEnv.CONFIG}`;
    const spec = parseConnectorConfig(configText(env), { file, registry: defaultRegistry, secrets: contextSecrets(context, env[ConnectorEnv.SECRETS_SOURCE]) });
    if (spec.direction !== 'sink') throw new ConnectorError(`${file}: ${spec.type} is a ${spec.direction} connector; functions/sink.handler runs sinks only`, ErrorCode.USAGE);
    const records = topicRecordsOf(event);
    if (records.length === 0) return { batchItemFailures: [] };

    const clock = deps.clock ?? systemClock;
    const metrics = createMetrics();
    const sinkLog = log.child({ connector: spec.name, type: spec.type });
    // The Filter and Shape stages (state such as an aggregate's lives for one batch); dead letters of
    // a step with `on_error: dead-letter` go to the `<topic>-dlq` stream (the SDK loads only for those).
    const deadLetters = spec.transforms.some((step) => step.on_error === 'dead-letter') ? await openKinesisTopics(env, (deps.env ?? process.env).AWS_REGION, spec.name, sinkLog) : undefined;
    let stage: TransformStage | undefined;
    let sink: Awaited<ReturnType<typeof createSink>>;
    try {
      stage = await openTransformStage({ spec, topics: deadLetters?.topics, log: sinkLog, metrics, clock, createTopic: false });
      sink = await createSink(spec);
    } catch (err) {
      await stage?.close();
      await deadLetters?.close();
      throw err;
    }
    // Delivery (retries included) stops before the function's timeout could cut it off silently.
    const stop = new AbortController();
    const timer = setTimeout(() => stop.abort(new Error('function timeout near')), Math.max(0, context.getRemainingTimeInMillis() - env[ConnectorEnv.MARGIN_MS]));
    let settled = 0;
    try {
      const ports = portsFor(spec.definition, { clock, log: sinkLog, ...(deps.http ? { http: deps.http } : {}) });
      ({ settled } = await deliverTransformed(stage, sink, records, { ...ports, signal: stop.signal, metrics }, { failed: async () => 'stop', settled: async (count) => void (settled = count) }));
    } catch (err) {
      // A transform failed with on_error: fail: what came before it was delivered; Lambda retries from
      // the failing record (then the mapping's failure queue gets the batch).
      if (!(err instanceof TransformError)) throw err;
      sinkLog.error({ err: err.message, offset: err.offset, step: err.step, uses: err.uses }, 'transform failed on a record (on_error: fail): reporting it as the batch item failure');
    } finally {
      clearTimeout(timer);
      await closeSink(sink, sinkLog);
      // Dead letters were written before the records after them were delivered (the stage awaits them).
      await stage?.close();
      await deadLetters?.close();
      // Metrics of the batch (CONNECTOR_METRICS=emf): one EMF line, `undelivered` = records handed back to Lambda.
      const { records: delivered, bytes, errors, dropped } = metrics;
      await metricsPublisherOf(env, spec.name, sinkLog)?.publish({ records: delivered, bytes, errors, dropped, undelivered: records.length - settled });
    }
    const failed = event.Records[settled];
    sinkLog.info(
      { records: records.length, delivered: metrics.records, bytes: metrics.bytes, errors: metrics.errors, ...(failed ? { failedSequenceNumber: failed.kinesis.sequenceNumber, timedOut: stop.signal.aborted } : {}) },
      failed ? 'batch partly delivered: reporting the first record not delivered' : 'batch delivered',
    );
    return { batchItemFailures: failed ? [{ itemIdentifier: failed.kinesis.sequenceNumber }] : [] };
  };
}

/** The deployed handler: {@link createSinkHandler} with the secret middlewares. */
export const handler = middy(createSinkHandler()).use(secretMiddlewares(parseRuntimeEnv(process.env)));
