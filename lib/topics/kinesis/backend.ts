import {
  CreateStreamCommand,
  type CreateStreamCommandInput,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ListStreamsCommand,
  type ListStreamsCommandInput,
  type StreamStatus,
} from '@aws-sdk/client-kinesis';
import { TopicAdminError } from '../../core/errors';
import { type Clock, systemClock } from '../../core/clock';
import type { Logger } from '../../core/log';
import type { TopicBackend, TopicInfo } from '../../core/topics';
import { describeAwsError, isNotFound } from './aws-errors';
import { KinesisTopicProducer, type KinesisRetryOptions } from './producer';

/** Capacity of the streams `createTopic` creates: on-demand, or provisioned with a shard count. */
export type KinesisStreamMode = 'on-demand' | { shards: number };

/** Options of {@link openKinesisTopics}. */
export interface KinesisTopicsOptions {
  /** The caller's client (see `createKinesisClient`); `close()` does not destroy it. */
  client: KinesisClient;
  /** Stream name of a topic; default identity. See `prefixedStreamNames`. */
  streamName?: (topic: string) => string;
  /** Inverse of `streamName` for `listTopics` (`undefined`: not ours, skipped); default identity. */
  topicName?: (streamName: string) => string | undefined;
  /** Partition key of records without a key (the connector name in deployments); default the topic name. */
  defaultPartitionKey?: string;
  /** Retry settings of the producers. */
  retry?: KinesisRetryOptions;
  /** Mode of created streams; default `'on-demand'`. */
  streamMode?: KinesisStreamMode;
  /** Bounded wait for a stream to become ACTIVE (create) or disappear (delete). Defaults: 120 000 ms, polled every 1000 ms. */
  wait?: { timeoutMs?: number; pollIntervalMs?: number };
  /**
   * Streams already seen ACTIVE, shared by several backends (a Lambda container's invocations):
   * `topicExists` answers from it without a call. DescribeStreamSummary allows 20 calls per second
   * per account, which many scheduled functions checking every minute would exceed. Default: none.
   */
  knownStreams?: Set<string>;
  /** Logger of the producers (retries, give-ups). */
  log?: Logger;
  /** Clock of the status polling. */
  clock?: Clock;
}

/** What DescribeStreamSummary says about a stream: its status, or `'MISSING'`. */
type StreamState = StreamStatus | 'MISSING';

/**
 * Topics stored as Kinesis Data Streams, one stream per topic. Implements the admin calls and
 * producers; there is no consumer (Kinesis reads by shard iterator, not by topic offset).
 */
export class KinesisTopicBackend implements TopicBackend {
  private readonly client: KinesisClient;
  private readonly streamName: (topic: string) => string;
  private readonly topicName: (streamName: string) => string | undefined;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly pollIntervalMs: number;
  private readonly producers = new Set<KinesisTopicProducer>();

  constructor(private readonly options: KinesisTopicsOptions) {
    this.client = options.client;
    this.streamName = options.streamName ?? ((topic) => topic);
    this.topicName = options.topicName ?? ((stream) => stream);
    this.clock = options.clock ?? systemClock;
    this.timeoutMs = options.wait?.timeoutMs ?? 120_000;
    this.pollIntervalMs = options.wait?.pollIntervalMs ?? 1000;
  }

  /**
   * Whether the topic's stream exists and can be written: DescribeStreamSummary says ACTIVE or
   * UPDATING. A stream still CREATING is waited for (bounded); a missing or DELETING one is `false`.
   * (ensureTopic then calls createTopic, which reports a DELETING stream as a TopicAdminError.)
   * @throws TopicAdminError (TOPIC_ADMIN_FAILED) when the call fails otherwise (permissions…) or the wait times out.
   */
  async topicExists(name: string): Promise<boolean> {
    const known = this.options.knownStreams;
    const stream = this.streamName(name);
    if (known?.has(stream)) return true;
    const state = await this.describe(name);
    const exists = state === 'CREATING' ? (await this.waitFor(name, 'ACTIVE')) === 'ACTIVE' : state === 'ACTIVE' || state === 'UPDATING';
    if (exists) known?.add(stream);
    return exists;
  }

  /**
   * CreateStream (on-demand, or provisioned with `streamMode.shards`), then waits until the stream
   * is ACTIVE, so records can be written as soon as it resolves.
   * @returns `false` when the stream already existed (ResourceInUseException); it is then also
   *   waited for, in case another process is creating it right now.
   * @throws TopicAdminError (TOPIC_ADMIN_FAILED) when CreateStream fails otherwise (limits,
   *   permissions, invalid name), or the stream is not ACTIVE within the wait timeout.
   */
  async createTopic(name: string): Promise<boolean> {
    const stream = this.streamName(name);
    let created = true;
    try {
      await this.client.send(new CreateStreamCommand(this.createInput(stream)));
    } catch (err) {
      if ((err as Error | undefined)?.name !== 'ResourceInUseException') throw adminError(name, `creating Kinesis stream "${stream}"`, err);
      created = false;
    }
    const state = await this.waitFor(name, 'ACTIVE');
    if (state !== 'ACTIVE' && state !== 'UPDATING') {
      throw new TopicAdminError(name, `Kinesis stream "${stream}" for topic "${name}" is ${state}, not ACTIVE`);
    }
    return created;
  }

  /**
   * DeleteStream (with `EnforceConsumerDeletion`, so registered consumers do not block it: the
   * topic and all its records go), then waits until the stream is gone.
   * @returns `false` when the stream did not exist.
   * @throws TopicAdminError (TOPIC_ADMIN_FAILED) when the call fails otherwise or the stream is still there after the wait timeout.
   */
  async deleteTopic(name: string): Promise<boolean> {
    const stream = this.streamName(name);
    try {
      await this.client.send(new DeleteStreamCommand({ StreamName: stream, EnforceConsumerDeletion: true }));
    } catch (err) {
      if (isNotFound(err)) return false;
      throw adminError(name, `deleting Kinesis stream "${stream}"`, err);
    }
    await this.waitFor(name, 'MISSING');
    return true;
  }

  /**
   * The topics whose streams exist (ListStreams, every page; streams `topicName` maps to
   * `undefined` are skipped), in ListStreams order (by stream name).
   *
   * Kinesis does not count records, so `records` is `NaN` (unknown). `createdAt` is the stream's
   * creation time (ms) when ListStreams returns StreamSummaries (AWS does), else `NaN`.
   * @throws TopicAdminError (TOPIC_ADMIN_FAILED) when ListStreams fails.
   */
  async listTopics(): Promise<TopicInfo[]> {
    const topics: TopicInfo[] = [];
    let input: ListStreamsCommandInput = {};
    for (;;) {
      let page;
      try {
        page = await this.client.send(new ListStreamsCommand(input));
      } catch (err) {
        throw adminError('', 'listing Kinesis streams', err);
      }
      const streams =
        page.StreamSummaries?.map((s) => ({ stream: s.StreamName ?? '', createdAt: s.StreamCreationTimestamp?.getTime() ?? Number.NaN })) ??
        (page.StreamNames ?? []).map((stream) => ({ stream, createdAt: Number.NaN }));
      for (const { stream, createdAt } of streams) {
        const name = this.topicName(stream);
        if (name !== undefined) topics.push({ name, records: Number.NaN, createdAt });
      }
      // Two pagination styles of the API: NextToken (current), or HasMoreStreams + ExclusiveStartStreamName.
      const last = streams[streams.length - 1]?.stream;
      if (page.NextToken) input = { NextToken: page.NextToken };
      else if (page.HasMoreStreams && last) input = { ExclusiveStartStreamName: last };
      else return topics;
    }
  }

  /** A producer for the topic's stream (see {@link KinesisTopicProducer}); closed by {@link close}. */
  producer(topic: string): KinesisTopicProducer {
    const producer = new KinesisTopicProducer({
      client: this.client,
      topic,
      streamName: this.streamName(topic),
      defaultPartitionKey: this.options.defaultPartitionKey,
      retry: this.options.retry,
      log: this.options.log,
    });
    this.producers.add(producer);
    return producer;
  }

  /** Closes every producer. The client belongs to the caller and stays open. Idempotent. */
  async close(): Promise<void> {
    await Promise.all([...this.producers].map((p) => p.close()));
    this.producers.clear();
  }

  private createInput(stream: string): CreateStreamCommandInput {
    const mode = this.options.streamMode ?? 'on-demand';
    if (mode === 'on-demand') return { StreamName: stream, StreamModeDetails: { StreamMode: 'ON_DEMAND' } };
    return { StreamName: stream, ShardCount: mode.shards, StreamModeDetails: { StreamMode: 'PROVISIONED' } };
  }

  private async describe(topic: string): Promise<StreamState> {
    const stream = this.streamName(topic);
    try {
      const out = await this.client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
      return out.StreamDescriptionSummary?.StreamStatus ?? 'MISSING';
    } catch (err) {
      if (isNotFound(err)) return 'MISSING';
      throw adminError(topic, `describing Kinesis stream "${stream}"`, err);
    }
  }

  /**
   * Polls the stream's state every `pollIntervalMs` until it is `target`, or (waiting for ACTIVE)
   * UPDATING (writable) or DELETING (will never be ACTIVE). MISSING while waiting for ACTIVE keeps
   * polling (a stream just created may not be visible at once). Returns the last state seen.
   * @throws TopicAdminError when `timeoutMs` passes first.
   */
  private async waitFor(topic: string, target: 'ACTIVE' | 'MISSING'): Promise<StreamState> {
    const deadline = this.clock.now() + this.timeoutMs;
    for (;;) {
      const state = await this.describe(topic);
      if (state === target) return state;
      if (target === 'ACTIVE' && (state === 'UPDATING' || state === 'DELETING')) return state;
      if (this.clock.now() >= deadline) {
        const verb = target === 'ACTIVE' ? 'become ACTIVE' : 'be deleted';
        throw new TopicAdminError(topic, `Kinesis stream "${this.streamName(topic)}" for topic "${topic}" did not ${verb} within ${this.timeoutMs} ms (status ${state})`);
      }
      await this.clock.sleep(this.pollIntervalMs);
    }
  }
}

function adminError(topic: string, doing: string, err: unknown): TopicAdminError {
  return new TopicAdminError(topic, `${doing} failed: ${describeAwsError(err)}`, err);
}

/**
 * Opens topics stored as Kinesis Data Streams, see {@link KinesisTopicBackend}.
 *
 * @example
 * const client = createKinesisClient({ region: process.env.AWS_REGION });
 * const topics = openKinesisTopics({ client, ...prefixedStreamNames('prod-'), defaultPartitionKey: 'cat-facts' });
 * if (!(await topics.topicExists('cat-facts'))) await topics.createTopic('cat-facts');
 * await topics.producer('cat-facts').send([{ value: Buffer.from('{"fact":"…"}') }]);
 * await topics.close();
 * client.destroy();
 */
export function openKinesisTopics(options: KinesisTopicsOptions): KinesisTopicBackend {
  return new KinesisTopicBackend(options);
}
