import { dirname } from 'node:path';
import type { ConnectorSpec } from '../config/spec';
import { deadLetterTopicOf } from '../config/transforms';
import {
  type Clock,
  ConnectorError,
  type ConnectorMetrics,
  ErrorCode,
  createMetrics,
  type Logger,
  type ProducerRecord,
  type SourceRecord,
  type TopicBackend,
  TopicNotFoundError,
  TransformError,
} from '../core';
import { type ChainFailure, defaultTransforms, openTransformChain, type TransformChain, type TransformRegistry } from '../transforms';
import { createRecordPipeline, type ProducerRetryOptions, type RecordPipeline } from './pipeline';

/** The transform stage between a source's `emit` and the topic (see {@link openTransformStage}). */
export interface TransformStage {
  /**
   * Runs `records` through the chain and hands what comes out to `produce` (the topic pipeline).
   * Records a step fails on follow the step's `on_error`: `skip` drops them (counted, logged),
   * `dead-letter` writes them to `<topic>-dlq`, `fail` produces the records before the failing
   * one and then rejects with a {@link TransformError} (its `unwritten` counts the records of
   * `records`, from the failing one on, that were not passed on). Calls are serialised.
   * @param produce - receives the records that came out, in order, and for each the index in
   *   `records` of the record it came from (a filtered record has none, an array-map one has several).
   * @param offsets - the records' topic offsets, for logs and errors (a sink's stage); default: their
   *   position among the records this stage was given in the run (a source's records have no offset yet).
   */
  emit(records: readonly SourceRecord[], produce: (records: readonly SourceRecord[], origins: readonly number[]) => Promise<void>, offsets?: readonly number[]): Promise<void>;
  /** Resolves when every dead-letter record was written. */
  flush(): Promise<void>;
  /** The connector is stopping (see `RecordPipeline.stopping`). */
  stopping(): void;
  /** Stops the chain's workers and closes the dead-letter producer. Idempotent. */
  close(): Promise<void>;
}

/** Options of {@link openTransformStage}. */
export interface TransformStageOptions {
  spec: ConnectorSpec;
  /** Where dead letters go; undefined when the runtime has none (a step with `on_error: dead-letter` is then refused). */
  topics: TopicBackend | undefined;
  log: Logger;
  metrics: ConnectorMetrics;
  clock: Clock;
  /** Built-in transforms (default `defaultTransforms`). */
  registry?: TransformRegistry;
  /** Retry settings of dead-letter writes (as the topic's). */
  producerRetry?: ProducerRetryOptions;
  /** Create a missing dead-letter topic (`connector run`); false in AWS, where the stack creates its stream. */
  createTopic: boolean;
}

const encoder = new TextEncoder();
const toBytes = (value: string | Uint8Array): Uint8Array => (typeof value === 'string' ? encoder.encode(value) : value);
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function text(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * The dead-letter record of a failed source record: its key, and as value a JSON document with the
 * raw record and the error (`value`/`key` as UTF-8 text, or base64 when either is not UTF-8).
 */
export function deadLetterRecord(record: { key: Uint8Array | null; value: Uint8Array }, failure: ChainFailure, context: { connector: string; topic: string; offset: number; poll: number; time: number }): ProducerRecord {
  const keyText = record.key === null ? null : text(record.key);
  const valueText = text(record.value);
  const utf8 = valueText !== undefined && keyText !== undefined;
  const document = {
    connector: context.connector,
    topic: context.topic,
    step: failure.step.index,
    uses: failure.step.uses,
    error: failure.message,
    cause: failure.cause,
    offset: context.offset,
    poll: context.poll,
    time: new Date(context.time).toISOString(),
    encoding: utf8 ? 'utf8' : 'base64',
    key: record.key === null ? null : utf8 ? keyText : Buffer.from(record.key).toString('base64'),
    value: utf8 ? valueText : Buffer.from(record.value).toString('base64'),
  };
  return { key: record.key, value: encoder.encode(JSON.stringify(document)) };
}

/**
 * Opens the Filter and Shape stages of a config: its transform chain (lib/transforms) and, when a
 * step says `on_error: dead-letter`, the dead-letter topic `<topic>-dlq` (created when missing and
 * `createTopic`; in AWS the stack creates its stream). `undefined` when the config has no transforms.
 *
 * State (an aggregate's accumulator) lives as long as the stage: one run of the connector; in a
 * scheduled Lambda function, the slots of one window.
 *
 * @throws ConnectorError CONFIG_UNKNOWN_TRANSFORM, TRANSFORM_INVALID_MODULE, TRANSFORM_INIT_FAILED from the chain.
 * @throws TopicNotFoundError when the dead-letter topic is missing and may not be created.
 * @throws ConnectorError CONFIG_UNSUPPORTED when a step says `on_error: dead-letter` and `topics` is undefined.
 */
export async function openTransformStage(options: TransformStageOptions): Promise<TransformStage | undefined> {
  const { spec, topics, log, metrics, clock } = options;
  if (spec.transforms.length === 0) return undefined;
  const chain: TransformChain = await openTransformChain(spec.transforms, {
    registry: options.registry ?? defaultTransforms,
    baseDir: spec.baseDir ?? dirname(spec.file),
    log,
  });
  let deadLetters: { pipeline: RecordPipeline; close(): Promise<void> } | undefined;
  try {
    if (chain.steps.some((step) => step.onError === 'dead-letter')) {
      const dlq = deadLetterTopicOf(spec.topic.name);
      if (!topics) throw new ConnectorError(`${spec.file}: on_error: dead-letter needs a topic backend to write ${dlq} to, and this runtime has none; use fail or skip`, ErrorCode.CONFIG_UNSUPPORTED);
      if (!(await topics.topicExists(dlq))) {
        if (!options.createTopic) throw new TopicNotFoundError(dlq, `the dead-letter topic of ${spec.file} is created by the deployment (serverless deploy)`);
        if (await topics.createTopic(dlq)) log.info({ topic: dlq }, 'dead-letter topic created');
      }
      const producer = topics.producer(dlq);
      // Its own counters: dead letters are not records of the topic (metrics.deadLettered counts them).
      deadLetters = { pipeline: createRecordPipeline(producer, { log: log.child({ topic: dlq }), metrics: createMetrics(), retry: options.producerRetry }), close: () => producer.close() };
    }
  } catch (err) {
    await chain.close();
    throw err;
  }
  log.info({ transforms: chain.steps.map((step) => ({ uses: step.uses, kind: step.kind, runtime: step.runtime, on_error: step.onError })) }, 'transforms ready');

  let emitted = 0;
  let tail: Promise<void> = Promise.resolve();

  async function run(records: readonly SourceRecord[], produce: (records: readonly SourceRecord[], origins: readonly number[]) => Promise<void>, offsets?: readonly number[]): Promise<void> {
    const raw = records.map((record) => ({ key: record.key == null ? null : toBytes(record.key), value: toBytes(record.value) }));
    const first = emitted;
    emitted += raw.length;
    const offsetOf = (index: number): number => offsets?.[index] ?? first + index;
    const result = await chain.process(raw);
    const fatal = result.failures.find((failure) => failure.step.onError === 'fail');
    const cutoff = fatal ? fatal.origin : raw.length;
    const produced = new Set<number>();
    const out: SourceRecord[] = [];
    const origins: number[] = [];
    for (const record of result.records) {
      if (record.origin >= cutoff) break;
      produced.add(record.origin);
      out.push({ key: record.key, value: record.value });
      origins.push(record.origin);
    }
    const failedBefore = result.failures.filter((failure) => failure.origin < cutoff);
    const filtered = cutoff - produced.size - failedBefore.length;
    metrics.filtered += filtered;
    if (filtered > 0) log.debug({ filtered, records: raw.length }, 'records removed by a transform');

    const now = clock.now();
    const letters: ProducerRecord[] = [];
    for (const failure of failedBefore) {
      metrics.transformErrors++;
      const offset = offsetOf(failure.origin);
      const where = { step: failure.step.index, uses: failure.step.uses, offset, poll: metrics.polls, cause: failure.cause, err: failure.message };
      if (failure.step.onError === 'skip') {
        metrics.transformSkipped++;
        log.warn(where, 'transform failed on a record; record skipped (on_error: skip)');
      } else {
        log.warn(where, 'transform failed on a record; record written to the dead-letter topic (on_error: dead-letter)');
        letters.push(deadLetterRecord(raw[failure.origin] as { key: Uint8Array | null; value: Uint8Array }, failure, { connector: spec.name, topic: spec.topic.name, offset, poll: metrics.polls, time: now }));
      }
    }
    if (letters.length > 0 && deadLetters) {
      await deadLetters.pipeline.emit(letters);
      metrics.deadLettered += letters.length;
    }
    await produce(out, origins);
    if (fatal) {
      metrics.transformErrors++;
      const offset = offsetOf(fatal.origin);
      const unwritten = raw.length - cutoff;
      log.error(
        { step: fatal.step.index, uses: fatal.step.uses, offset, poll: metrics.polls, cause: fatal.cause, err: fatal.message, unwritten },
        'transform failed on a record (on_error: fail): stopping; the record and those after it in its batch are not written',
      );
      throw new TransformError(
        `${spec.file}: transforms[${fatal.step.index}] (${fatal.step.uses}) failed on record ${offset}${offsets ? ' of the topic' : ' of this run'} (poll ${metrics.polls}): ${fatal.message}. ` +
          `${unwritten} record(s) of the batch not written (on_error: fail; use skip or dead-letter to go on)`,
        { step: fatal.step.index, uses: fatal.step.uses, offset, unwritten },
      );
    }
  }

  return {
    emit(records, produce, offsets) {
      const done = tail.then(() => run(records, produce, offsets));
      tail = done.catch(() => undefined);
      return done;
    },
    async flush() {
      await tail;
      await deadLetters?.pipeline.flush();
    },
    stopping() {
      deadLetters?.pipeline.stopping();
    },
    async close() {
      await Promise.all([chain.close(), deadLetters?.close()]);
    },
  };
}
