import type { ConnectorSpec } from '../config';
import type { ConsumerOptions } from '../config/client-options';
import {
  Backoff,
  BackoffDefaults,
  ConnectorError,
  type ConnectorMetrics,
  createMetrics,
  ErrorCode,
  fitName,
  type Logger,
  type Sink,
  type SinkContext,
  type SinkRetry,
  SinkWriteError,
  type TopicBackend,
  type TopicConsumer,
  type TopicRecord,
  TransformError,
  UsageError,
} from '../core';
import { createRecordPipeline, type ProducerRetryOptions, type RecordPipeline } from './pipeline';
import type { TransformStage } from './transform-stage';

/** Records fetched from the topic and handed to one `Sink.write` (the most a crash can deliver twice). */
export const SINK_BATCH_RECORDS = 100;
/** How often a sink at the end of its topic looks for new records, ms. */
export const SINK_POLL_MS = 100;
/** Retries of a sink that declares none: the source backoff (200 ms … 30 s), 3 retries per record. */
export const DEFAULT_SINK_RETRY: SinkRetry = { ...BackoffDefaults.source, maxRetries: 3 };
/** Fluvio's topic name limit (63 characters), which the dead-letter topic keeps. */
const MAX_TOPIC_NAME = 63;

/**
 * The dead-letter topic of a sink's topic: `<topic>-dlq`, cut to Fluvio's 63 characters with a
 * hash suffix when the topic name is long.
 * @example deadLetterTopicOf('quotes') // 'quotes-dlq'
 */
export function deadLetterTopicOf(topic: string): string {
  return fitName(`${topic}-dlq`, MAX_TOPIC_NAME);
}

/**
 * Builds the sink of a spec through its definition's lazily loaded implementation.
 * @throws ConnectorError CONFIG_UNSUPPORTED for a source connector.
 */
export async function createSink(spec: ConnectorSpec): Promise<Sink> {
  const definition = spec.definition;
  if (definition.direction !== 'sink') {
    throw new ConnectorError(`${spec.file}: ${spec.type} is a ${definition.direction} connector, not a sink`, ErrorCode.CONFIG_UNSUPPORTED);
  }
  return (await definition.load()).createSink(spec.config, { name: spec.name, topic: spec.topic.name });
}

/** What {@link deliverRecords} does with a record the sink still refuses after its retries. */
export interface DeliveryHooks {
  /**
   * Called with the number of leading records of the batch now settled (delivered, or handed to
   * {@link failed} and skipped), after each change: where the committed offset may move to.
   */
  settled?(count: number): Promise<void>;
  /**
   * A record that still failed (non-retryable, or its retries used up): `continue` after putting
   * it aside (a dead-letter topic), or `stop` the batch there (a Lambda function reports it).
   */
  failed(record: TopicRecord, index: number, error: unknown): Promise<'continue' | 'stop'>;
}

/** How a batch went. */
export interface Delivery {
  /** Leading records settled: delivered, or put aside by `failed` returning `continue`. */
  settled: number;
  /** Why the batch ended early: the connector stopped, or `failed` returned `stop`. */
  stopped?: 'aborted' | 'failed';
}

/**
 * Delivers one batch through `sink.write`, the retry loop of the sink runtime (the one
 * `connector run` and the Lambda handler share): the records still to deliver are written in
 * order; after a failure the accepted prefix counts as delivered (`metrics.records`/`bytes`), and
 * the first refused record is retried with the sink's backoff (`sink.retry`, default
 * {@link DEFAULT_SINK_RETRY}), or after the `Retry-After` the service asked for (capped at
 * `maxMs`), at most `maxRetries` times while no record gets through; a non-retryable failure is not
 * retried. A record that still fails goes to `hooks.failed`. Every failed write is logged and
 * counted in `metrics.errors`.
 *
 * When `ctx.signal` aborts, the write in flight is abandoned (the sink cancels it), nothing is
 * retried or put aside, and the result says `aborted`: the records after `settled` are delivered
 * again by the next run (at-least-once).
 */
export async function deliverRecords(sink: Sink, records: readonly TopicRecord[], ctx: SinkContext, hooks: DeliveryHooks): Promise<Delivery> {
  const { signal, log, metrics, clock } = ctx;
  const retry = sink.retry ?? DEFAULT_SINK_RETRY;
  const backoff = new Backoff(retry);
  let index = 0;
  let retries = 0;
  while (index < records.length) {
    if (signal.aborted) return { settled: index, stopped: 'aborted' };
    const rest = index === 0 ? records : records.slice(index);
    let failure: unknown;
    let accepted = rest.length;
    try {
      await sink.write(rest, ctx);
    } catch (err) {
      failure = err;
      accepted = err instanceof SinkWriteError ? Math.max(0, Math.min(err.accepted, rest.length)) : 0;
    }
    if (accepted > 0) {
      let bytes = 0;
      for (let i = 0; i < accepted; i++) bytes += (rest[i] as TopicRecord).value.byteLength;
      metrics.records += accepted;
      metrics.bytes += bytes;
      metrics.lastPollAt = clock.now();
      index += accepted;
      retries = 0;
      backoff.reset();
      await hooks.settled?.(index);
    }
    if (failure === undefined) continue;
    if (signal.aborted) return { settled: index, stopped: 'aborted' };
    const record = records[index] as TopicRecord;
    metrics.errors++;
    const retryable = !(failure instanceof SinkWriteError) || failure.retryable;
    if (retryable && retries < retry.maxRetries) {
      retries++;
      const retryAfterMs = failure instanceof SinkWriteError ? failure.retryAfterMs : undefined;
      const delayMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, retry.maxMs) : backoff.next();
      log.warn({ err: describe(failure), offset: record.offset, retry: retries, of: retry.maxRetries, delayMs }, 'sink write failed, retrying');
      await clock.sleep(delayMs, signal);
      continue;
    }
    log.error({ err: describe(failure), offset: record.offset, retries, retryable }, retryable ? 'sink write still failing after every retry' : 'sink refused the record');
    if ((await hooks.failed(record, index, failure)) === 'stop') return { settled: index, stopped: 'failed' };
    index++;
    retries = 0;
    backoff.reset();
    await hooks.settled?.(index);
  }
  return { settled: index };
}

const encoder = new TextEncoder();
/** A transform's output as a Buffer (topic records carry Buffers), without copying. */
const toBuffer = (value: string | Uint8Array): Buffer => {
  const bytes = typeof value === 'string' ? encoder.encode(value) : value;
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
};

/**
 * Delivers one batch of topic records through the config's transforms (the Filter and Shape
 * stages, applied between the topic and the sink as a Fluvio consumer applies SmartModules before
 * the sink sees a record), then through {@link deliverRecords}. Without a stage it is
 * `deliverRecords` itself.
 *
 * Counts in `hooks.settled` and the result are of the **topic** records of `batch`: a record is
 * settled when every record it became was delivered (or put aside by `hooks.failed`), and at once
 * when a transform removed it (filter) or its step's `on_error` skipped it or wrote it to the
 * dead-letter topic. A record's outputs all carry its offset and timestamp. When a topic record
 * became several (array-map) and only some were delivered, the topic record is not settled: the
 * next run delivers its outputs again (at-least-once, as for a batch in flight).
 *
 * @throws TransformError when a step with `on_error: fail` failed on a record: the records before it
 *   were delivered and settled first (`hooks.settled` moved to the failing record's offset), so a
 *   restart meets the same record again.
 */
export async function deliverTransformed(stage: TransformStage | undefined, sink: Sink, batch: readonly TopicRecord[], ctx: SinkContext, hooks: DeliveryHooks): Promise<Delivery> {
  if (!stage) return deliverRecords(sink, batch, ctx, hooks);
  let delivery: Delivery | undefined;
  let settled = 0;
  const settle = async (count: number): Promise<void> => {
    if (count <= settled) return;
    settled = count;
    await hooks.settled?.(count);
  };
  try {
    await stage.emit(
      batch,
      async (out, origins) => {
        const records: TopicRecord[] = out.map((record, index) => {
          const origin = batch[origins[index] as number] as TopicRecord;
          return { offset: origin.offset, timestamp: origin.timestamp, key: record.key == null ? null : toBuffer(record.key), value: toBuffer(record.value) };
        });
        // Topic records before the first output not yet delivered are settled (filtered ones included).
        const inputsBefore = (count: number): number => (count < records.length ? (origins[count] as number) : -1);
        const result = await deliverRecords(sink, records, ctx, {
          settled: async (count) => {
            const inputs = inputsBefore(count);
            if (inputs >= 0) await settle(inputs);
          },
          failed: (record, index, error) => hooks.failed(record, origins[index] as number, error),
        });
        delivery = result.stopped ? { settled: Math.max(settled, inputsBefore(result.settled)), stopped: result.stopped } : undefined;
      },
      batch.map((record) => record.offset),
    );
  } catch (err) {
    // Delivery stopped first (aborted, or a record handed back): that is the batch's end; the next
    // run meets the failing record again.
    if (delivery) return delivery;
    // on_error: fail: what came before the failing record was delivered; settle up to it, then stop.
    if (err instanceof TransformError) await settle(batch.length - err.unwritten);
    throw err;
  }
  if (delivery) return delivery;
  await settle(batch.length);
  return { settled: batch.length };
}

/** A short description of a failure for logs. */
function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * Where a consumer without a committed position starts (Fluvio's `consumer.offset.start`, FL
 * `crates/fluvio/src/consumer/config.rs`): `beginning`, `end` (Fluvio's default), `{absolute: N}`,
 * `{from-beginning: N}` or `{from-end: N}`; never past the end of the topic.
 * @param end - the topic's end offset (the offset the next record gets).
 */
export function startOffsetOf(start: NonNullable<NonNullable<ConsumerOptions['offset']>['start']> | undefined, end: number): number {
  if (start === undefined || start === 'end') return end;
  if (start === 'beginning') return 0;
  if ('absolute' in start) return Math.min(start.absolute, end);
  if ('from-beginning' in start) return Math.min(start['from-beginning'], end);
  return Math.max(0, end - start['from-end']);
}

/** The consumer a sink reads its topic with: its id and whether it commits. */
export interface SinkConsumerPlan {
  /** `consumer.id`, default the connector name. */
  id: string;
  /** Commits after each delivered batch and resumes from them (`strategy` auto or manual, the default), or never (`none`). */
  commits: boolean;
}

/**
 * The consumer of a sink spec. Unlike Fluvio (no id: start at the end every time, store nothing), a
 * sink always has an id (default: the connector name) and commits unless `offset.strategy: none`,
 * so a restarted sink resumes where it stopped instead of skipping what arrived meanwhile.
 */
export function sinkConsumerOf(spec: ConnectorSpec): SinkConsumerPlan {
  return { id: spec.consumer?.id ?? spec.name, commits: (spec.consumer?.offset?.strategy ?? 'auto') !== 'none' };
}

/** Options of {@link runSinkLoop}. */
export interface SinkLoopOptions {
  spec: ConnectorSpec;
  sink: Sink;
  topics: TopicBackend;
  /** The sink context (ports, signal, metrics); `log` bound to the connector. */
  ctx: SinkContext;
  /** Retry settings of the dead-letter topic's writes. */
  producerRetry?: ProducerRetryOptions;
  /** The config's transforms, applied to each batch before the sink (see {@link deliverTransformed}); none when undefined. */
  stage?: TransformStage;
  /** Called once the consumer's start position is known (the sink has started). */
  onStarted?: (start: { offset: number; consumer: SinkConsumerPlan }) => void;
}

/**
 * Runs a sink against the local topic store until `ctx.signal` aborts: the sink half of
 * `runConnector`. It reads the topic from the consumer's committed offset (else from
 * `consumer.offset.start`, default the end, as in Fluvio) in batches of {@link SINK_BATCH_RECORDS},
 * marks each batch as in flight, delivers it with {@link deliverRecords} and commits what was
 * settled, so delivery is at-least-once and a restart after a crash (kill -9) delivers again at
 * most the batch that was in flight (logged with its size). A record that still fails is written,
 * key and value unchanged, to the dead-letter topic `<topic>-dlq` (created when first needed),
 * logged with its offset and counted in `metrics.deadLettered`: never dropped. At the end of the
 * topic it looks for new records every {@link SINK_POLL_MS} ms. With `stage`, every batch goes through
 * the config's transforms first ({@link deliverTransformed}).
 *
 * @throws UsageError when the backend has no consumers with offsets (Kinesis: deployed sinks run
 *   as Lambda functions fed by the stream instead).
 * @throws TopicWriteError when a record could not be written to the dead-letter topic (its offset
 *   is not committed: the next run delivers it again).
 * @throws TransformError when a transform step with `on_error: fail` failed on a record (committed up
 *   to that record: a restart meets it again).
 */
export async function runSinkLoop(options: SinkLoopOptions): Promise<void> {
  const { spec, sink, topics, ctx } = options;
  const { signal, log, clock, metrics } = ctx;
  const topic = spec.topic.name;
  const plan = sinkConsumerOf(spec);
  if (!topics.consumer) throw new UsageError(`${spec.file}: ${spec.type} is a sink and needs a topic backend it can consume (--topics local); deployed sinks run as Lambda functions fed by the stream`);
  const consumer = topics.consumer(topic);
  if (plan.commits && (!consumer.commit || !consumer.committed)) throw new UsageError(`${spec.file}: this topic backend stores no consumer offsets; run the sink with --topics local`);
  let deadLetters: { topic: string; pipeline: RecordPipeline; metrics: ConnectorMetrics } | undefined;
  const onAbort = (): void => deadLetters?.pipeline.stopping();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    let position = await startPosition(spec, consumer, plan, log);
    options.onStarted?.({ offset: position, consumer: plan });

    const deadLetter = async (record: TopicRecord, error: unknown): Promise<'continue'> => {
      if (!deadLetters) {
        const dlq = deadLetterTopicOf(topic);
        if (await topics.createTopic(dlq)) log.info({ topic: dlq }, 'dead-letter topic created');
        const own = createMetrics();
        deadLetters = { topic: dlq, metrics: own, pipeline: createRecordPipeline(topics.producer(dlq), { log, metrics: own, retry: options.producerRetry }) };
        if (signal.aborted) deadLetters.pipeline.stopping();
      }
      try {
        await deadLetters.pipeline.emit([{ key: record.key, value: record.value }]);
      } finally {
        // Failed writes of the dead-letter topic count as the connector's errors.
        metrics.errors += deadLetters.metrics.errors;
        deadLetters.metrics.errors = 0;
      }
      metrics.deadLettered++;
      log.warn({ offset: record.offset, deadLetterTopic: deadLetters.topic, err: describe(error) }, 'record written to the dead-letter topic');
      return 'continue';
    };

    while (!signal.aborted) {
      const batch = await consumer.fetch(position, SINK_BATCH_RECORDS);
      if (batch.length === 0) {
        await clock.sleep(SINK_POLL_MS, signal);
        continue;
      }
      metrics.polls++;
      const end = (batch[batch.length - 1] as TopicRecord).offset + 1;
      if (plan.commits) await consumer.commit!(plan.id, position, end);
      await deliverTransformed(options.stage, sink, batch, ctx, {
        settled: async (count) => {
          position = count < batch.length ? (batch[count] as TopicRecord).offset : end;
          if (plan.commits) await consumer.commit!(plan.id, position, position < end ? end : null);
        },
        failed: (record, _index, error) => deadLetter(record, error),
      });
    }
    await deadLetters?.pipeline.flush();
  } finally {
    signal.removeEventListener('abort', onAbort);
    await consumer.close();
  }
}

/**
 * Where the sink starts: its committed position (logging how many records of a batch that was in
 * flight may be delivered twice), else `consumer.offset.start` (default: the end), committed at once
 * so a restart resumes there.
 */
async function startPosition(spec: ConnectorSpec, consumer: TopicConsumer, plan: SinkConsumerPlan, log: Logger): Promise<number> {
  const end = await consumer.endOffset();
  if (plan.commits) {
    const committed = await consumer.committed!(plan.id);
    if (committed) {
      if (committed.pendingEnd !== null && committed.pendingEnd > committed.offset) {
        log.warn(
          { consumer: plan.id, offset: committed.offset, redelivered: committed.pendingEnd - committed.offset },
          'resuming a batch that was in flight when the last run stopped: its records may be delivered twice',
        );
      }
      return committed.offset;
    }
  }
  const start = startOffsetOf(spec.consumer?.offset?.start, end);
  if (plan.commits) await consumer.commit!(plan.id, start);
  return start;
}

/** Runs `sink`'s close, logging (not throwing) a failure. */
export async function closeSink(sink: Sink, log: Logger): Promise<void> {
  try {
    await sink.close?.();
  } catch (err) {
    log.warn({ err: describe(err) }, 'closing the sink failed');
  }
}
