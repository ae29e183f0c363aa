import { type KinesisClient, PutRecordsCommand, type PutRecordsResultEntry } from '@aws-sdk/client-kinesis';
import type { RetryPolicy } from 'cockatiel';
import { BackoffDefaults, backoffPolicy } from '../../core/backoff';
import { TopicNotFoundError, TopicWriteError } from '../../core/errors';
import { type Logger, silentLogger } from '../../core/log';
import type { ProducerRecord, TopicProducer } from '../../core/topics';
import { describeAwsError, isNotFound, isTransientAwsError } from './aws-errors';
import { type SizedEntry, splitIntoRequests, toEntries } from './batches';
import { fallbackPartitionKey } from './partition-key';

/** Retry settings of a {@link KinesisTopicProducer}. */
export interface KinesisRetryOptions {
  /** Most PutRecords attempts per request, the first included. Default 8. */
  maxAttempts?: number;
  /** Lower bound of the first backoff delay, in ms. Default `BackoffDefaults.kinesisPut.minMs` (100). */
  minMs?: number;
  /** Cap of one backoff delay, in ms. Default `BackoffDefaults.kinesisPut.maxMs` (5000). */
  maxMs?: number;
}

/** Options of {@link KinesisTopicProducer}. */
export interface KinesisProducerOptions {
  /** The caller's client (see `createKinesisClient`); never destroyed by the producer. */
  client: KinesisClient;
  /** The topic name (for messages and `producer.topic`). */
  topic: string;
  /** The Kinesis stream the topic is stored in. */
  streamName: string;
  /** Partition key of records without a key; default the topic name. Deployments pass the connector name. */
  defaultPartitionKey?: string;
  retry?: KinesisRetryOptions;
  /** Where retries and give-ups are logged (counts and error codes, never record contents). */
  log?: Logger;
}

/** Some entries of a PutRecords response were not accepted; the retry sends only these. */
class PartialFailure extends Error {
  constructor(
    readonly failed: number,
    readonly errorCodes: Record<string, number>,
  ) {
    super(`${failed} record(s) not accepted (${Object.entries(errorCodes).map(([code, n]) => `${code}: ${n}`).join(', ')})`);
    this.name = 'PartialFailure';
  }
}

const isRetryable = (err: unknown): boolean => err instanceof PartialFailure || isTransientAwsError(err);

/**
 * Writes one topic to one Kinesis stream with PutRecords.
 *
 * - A `send` is split, in order, into requests of at most 500 records and 5 MiB (data + partition
 *   keys, UTF-8), sent one after the other.
 * - Partition key: see `partitionKeyOf` (the key as UTF-8 text, or its sha256 hex; records without a key
 *   use `defaultPartitionKey`, else the topic name). The record `timestamp` is not stored.
 * - Partial failure (`FailedRecordCount > 0`): only the failed entries are sent again, in their
 *   relative order, after a backoff. Throttling and transient errors of a whole request
 *   (ProvisionedThroughputExceeded, LimitExceeded, Throttling, KMSThrottling, InternalFailure, 5xx,
 *   network errors, timeouts) are retried the same way: exponential backoff with half
 *   jitter (the core backoff, `BackoffDefaults.kinesisPut`), at most `retry.maxAttempts` requests per batch.
 *
 * Ordering caveat: Kinesis orders records per shard by arrival. A record retried after a partial
 * failure arrives AFTER the records of the same request that were accepted the first time, so it
 * can end up behind later records with the same partition key. Records of later requests are only
 * sent once the earlier request is fully accepted.
 */
export class KinesisTopicProducer implements TopicProducer {
  readonly topic: string;
  /** The stream written to. */
  readonly streamName: string;
  private readonly client: KinesisClient;
  private readonly fallbackKey: string;
  private readonly log: Logger;
  private readonly policy: RetryPolicy;
  private readonly maxAttempts: number;
  private closed = false;

  /** @throws RangeError when `retry.maxAttempts` is not an integer ≥ 1. */
  constructor(options: KinesisProducerOptions) {
    this.client = options.client;
    this.topic = options.topic;
    this.streamName = options.streamName;
    this.fallbackKey = fallbackPartitionKey(options.defaultPartitionKey, options.topic);
    this.log = (options.log ?? silentLogger).child({ topic: options.topic, stream: options.streamName });
    this.maxAttempts = options.retry?.maxAttempts ?? 8;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError(`retry.maxAttempts must be an integer >= 1, got ${this.maxAttempts}`);
    this.policy = backoffPolicy(
      { minMs: options.retry?.minMs ?? BackoffDefaults.kinesisPut.minMs, maxMs: options.retry?.maxMs ?? BackoffDefaults.kinesisPut.maxMs },
      { maxAttempts: this.maxAttempts, retryable: isRetryable },
    );
    this.policy.onRetry((event) => {
      const err = 'error' in event ? event.error : undefined;
      const detail =
        err instanceof PartialFailure ? { failed: err.failed, errorCodes: err.errorCodes } : { error: describeAwsError(err) };
      this.log.warn({ ...detail, attempt: event.attempt, delayMs: Math.round(event.delay) }, 'kinesis PutRecords failed, retrying');
    });
  }

  /**
   * Writes `records` in order; resolves only when Kinesis accepted every one of them.
   *
   * @returns `undefined` (Kinesis has sequence numbers per shard, not topic offsets).
   * @throws RecordTooLargeError (TOPIC_RECORD_TOO_LARGE) before anything is written, when a record's
   *   data + partition key exceed 1 MiB.
   * @throws TopicNotFoundError when the stream does not exist (ResourceNotFoundException); records of
   *   earlier requests of this send may have been written.
   * @throws TopicWriteError (TOPIC_WRITE_FAILED) at once for a permanent error (AccessDenied,
   *   Validation, KMS errors other than throttling), or when retries are exhausted; `undelivered` is
   *   the number of records of this send not accepted (failed + never sent). Accepted ones stay
   *   written, so resending the whole batch duplicates them (at-least-once).
   */
  async send(records: readonly ProducerRecord[]): Promise<undefined> {
    if (this.closed) {
      throw new TopicWriteError(`cannot write ${records.length} record(s) to topic "${this.topic}": the producer is closed`, records.length);
    }
    if (records.length === 0) return undefined;
    const requests = splitIntoRequests(toEntries(records, { topic: this.topic, fallbackKey: this.fallbackKey }));
    let sent = 0;
    for (const request of requests) {
      const state = { pending: request };
      try {
        await this.policy.execute(() => this.putOnce(state));
      } catch (err) {
        const undelivered = records.length - sent - request.length + state.pending.length;
        throw this.failure(err, undelivered, records.length);
      }
      sent += request.length;
    }
    return undefined;
  }

  /** Marks the producer closed: later sends reject. The client belongs to the caller. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }

  /** One PutRecords of `state.pending`; leaves only the entries Kinesis did not accept in `state.pending`. */
  private async putOnce(state: { pending: SizedEntry[] }): Promise<void> {
    const entries = state.pending;
    const response = await this.client.send(new PutRecordsCommand({ StreamName: this.streamName, Records: entries.map((e) => e.entry) }));
    const results: readonly (PutRecordsResultEntry | undefined)[] = response.Records ?? [];
    const errorCodes: Record<string, number> = {};
    // Accepted = the result has a sequence number and no error code. Missing results count as failed.
    const failed = entries.filter((_, i) => {
      const result = results[i];
      if (result?.SequenceNumber && !result.ErrorCode) return false;
      const code = result?.ErrorCode ?? 'NoResult';
      errorCodes[code] = (errorCodes[code] ?? 0) + 1;
      return true;
    });
    if (failed.length === 0) return;
    state.pending = failed;
    throw new PartialFailure(failed.length, errorCodes);
  }

  private failure(err: unknown, undelivered: number, total: number): Error {
    const exhausted = isRetryable(err) ? ` after ${this.maxAttempts} attempt(s)` : '';
    const reason = err instanceof PartialFailure ? err.message : describeAwsError(err);
    this.log.error({ undelivered, records: total, error: reason }, 'records not delivered to kinesis');
    if (isNotFound(err)) return new TopicNotFoundError(this.topic, `Kinesis stream "${this.streamName}" does not exist or is not ACTIVE`);
    return new TopicWriteError(
      `could not write ${undelivered} of ${total} record(s) to topic "${this.topic}" (Kinesis stream "${this.streamName}")${exhausted}: ${reason}`,
      undelivered,
      err,
      !isRetryable(err),
    );
  }
}
