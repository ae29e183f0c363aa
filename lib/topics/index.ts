import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { type Logger, silentLogger, type TopicBackend, type TopicBackendName, UsageError } from '../core';

/** Options of {@link openTopicBackend}; each backend reads its own part. */
export interface TopicBackendOptions {
  /** `local`: the data directory holding `topics.db` (absolute; see `resolveDataDir`). */
  dataDir?: string;
  /** `kinesis`: where the streams are. */
  kinesis?: {
    /** Stream name = `streamNameOf(streamPrefix, topic)`. Default `''`. */
    streamPrefix?: string;
    /** AWS region; default the SDK's chain (AWS_REGION, then the profile). */
    region?: string;
    /** Endpoint override (kinesalite in tests: `CONNECTOR_KINESIS_ENDPOINT`). */
    endpoint?: string;
    /** A client to reuse (a Lambda container's); it is not destroyed on close. Default: one made here. */
    client?: KinesisClient;
    /** Streams seen ACTIVE by earlier backends of this process (see `KinesisTopicsOptions.knownStreams`). */
    knownStreams?: Set<string>;
  };
  /** Partition key of records without a key: the connector name, so its records stay in order in one shard. */
  defaultPartitionKey?: string;
  /** Logger of the backend's producers. */
  log?: Logger;
}

/** A topic backend opened for one run, and how to release it. */
export interface OpenedTopics {
  topics: TopicBackend;
  /** Closes the backend (and what it created for itself, such as a Kinesis client). */
  close(): Promise<void>;
}

/** One kind of topic backend. */
export interface TopicBackendFactory {
  readonly name: TopicBackendName;
  /** One-line description for help texts. */
  readonly summary: string;
  /** Opens the backend; its implementation module is loaded only now. */
  open(options: TopicBackendOptions): Promise<OpenedTopics>;
}

const local: TopicBackendFactory = {
  name: 'local',
  summary: 'the embedded SQLite store of the data directory',
  async open(options) {
    if (options.dataDir === undefined) throw new Error('the local topic backend needs a data directory');
    const { openLocalTopicStore } = await import('./local');
    const store = openLocalTopicStore({ dataDir: options.dataDir });
    return { topics: store, close: () => store.close() };
  },
};

const kinesis: TopicBackendFactory = {
  name: 'kinesis',
  summary: 'Kinesis Data Streams (AWS_REGION, CONNECTOR_KINESIS_ENDPOINT)',
  async open(options) {
    // Loaded on demand: the AWS SDK adds ~0.1 s to the start of every command.
    const { createKinesisClient, openKinesisTopics, prefixedStreamNames, STREAM_NAME_PATTERN } = await import('./kinesis');
    const settings = options.kinesis ?? {};
    const prefix = settings.streamPrefix ?? '';
    if (prefix !== '' && !STREAM_NAME_PATTERN.test(prefix)) {
      throw new UsageError(`stream prefix "${prefix}": Kinesis stream names allow only letters, digits, "_", "." and "-"`);
    }
    const owned = settings.client === undefined;
    const client = settings.client ?? createKinesisClient({ region: settings.region || undefined, endpoint: settings.endpoint || undefined });
    try {
      await client.config.region();
    } catch {
      if (owned) client.destroy();
      throw new UsageError('the kinesis topic backend needs an AWS region: set AWS_REGION');
    }
    const topics = openKinesisTopics({
      client,
      ...prefixedStreamNames(prefix),
      defaultPartitionKey: options.defaultPartitionKey,
      log: options.log ?? silentLogger,
      knownStreams: settings.knownStreams,
    });
    return {
      topics,
      close: async () => {
        await topics.close();
        if (owned) client.destroy();
      },
    };
  },
};

/** The topic backend registry: every backend by name. A second backend (e.g. Kafka) is one entry here. */
export const topicBackends: { readonly [K in TopicBackendName]: TopicBackendFactory } = { local, kinesis };

/**
 * Opens a topic backend by name: the one factory used by `connector run` (`--topics`), the Lambda
 * handler and the container task.
 * @throws UsageError for a stream prefix with characters Kinesis refuses, or no AWS region.
 * @example
 * const opened = await openTopicBackend('local', { dataDir: resolveDataDir({}) });
 * await runConnector({ spec, topics: opened.topics, signal });
 * await opened.close();
 */
export function openTopicBackend(name: TopicBackendName, options: TopicBackendOptions): Promise<OpenedTopics> {
  return topicBackends[name].open(options);
}

export { type DeferredTopics, deferTopicBackend } from './deferred';
