import { type ConnectorSpec, ConfigError, loadConnectorConfig, loadSecretValues, parseConnectorConfig } from '../config';
import { formatIssueMessage } from '../config/errors';
import { type ConnectorRegistry, defaultRegistry } from '../connectors';
import { ErrorCode, UsageError } from '../core/errors';
import type { Logger } from '../core/log';
import { type LocalTopicStore, openLocalTopicStore, resolveDataDir } from '../topics/local';
import type { TopicBackend } from '../core/topics';

/** Options every command accepts (declared on the root command). */
export interface GlobalOptions {
  /** `--data-dir`: where topics and deployments live; else CONNECTOR_DATA_DIR, else ./.connector */
  dataDir?: string;
}

/** The data directory for these options (absolute). */
export function dataDirOf(options: GlobalOptions): string {
  return resolveDataDir({ dataDir: options.dataDir, env: process.env, cwd: process.cwd() });
}

/** Opens the local topic store of these options. */
export function openStore(options: GlobalOptions): LocalTopicStore {
  return openLocalTopicStore({ dataDir: dataDirOf(options) });
}

/** Opens the local topic store of these options for `fn`, and closes it after. */
export async function withStore<T>(options: GlobalOptions, fn: (store: LocalTopicStore) => Promise<T>): Promise<T> {
  const store = openStore(options);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/**
 * Loads and validates a connector config with secrets from `--secrets FILE` and the environment.
 * @throws ConfigError (exit 2) for any config problem.
 */
export function loadSpec(configFile: string, secretsFile: string | undefined, registry: ConnectorRegistry = defaultRegistry): ConnectorSpec {
  const secrets = loadSecretValues({ file: secretsFile, env: process.env });
  return loadConnectorConfig(configFile, { registry, secrets });
}

/** Where `connector run` gets its config: `--config FILE` or `--config-env VAR` (exactly one). */
export interface ConfigSourceOptions {
  config?: string;
  configEnv?: string;
  secrets?: string;
}

/**
 * Loads the config named by `--config FILE` or `--config-env VAR`. With `--config-env`, the YAML
 * text is the value of environment variable VAR (how the container task passes it), and messages
 * name the file `$VAR` (e.g. `$CONNECTOR_CONFIG:3:5: ...`).
 * @throws UsageError (exit 2) unless exactly one of the two is given.
 * @throws ConfigError (exit 2): CONFIG_READ when the file cannot be read or VAR is unset or empty;
 *   otherwise as `parseConnectorConfig`.
 */
export function loadSpecFrom(options: ConfigSourceOptions, registry: ConnectorRegistry = defaultRegistry): ConnectorSpec {
  const { config, configEnv } = options;
  if ((config === undefined) === (configEnv === undefined)) {
    throw new UsageError(config === undefined ? 'give the connector config with --config <file> or --config-env <VAR>' : '--config and --config-env cannot be used together: give one of them');
  }
  if (config !== undefined) return loadSpec(config, options.secrets, registry);
  const file = `$${configEnv}`;
  const text = process.env[configEnv as string];
  if (!text) {
    const detail = `cannot read the config: environment variable ${configEnv} is ${text === undefined ? 'not set' : 'empty'}`;
    throw new ConfigError([{ code: ErrorCode.CONFIG_READ, file, path: '', message: formatIssueMessage({ code: ErrorCode.CONFIG_READ, file, path: '', detail }) }]);
  }
  const secrets = loadSecretValues({ file: options.secrets, env: process.env });
  return parseConnectorConfig(text, { file, registry, secrets });
}

/** The topic backends `connector run --topics` offers. */
export const TopicBackendName = { LOCAL: 'local', KINESIS: 'kinesis' } as const;
export type TopicBackendName = (typeof TopicBackendName)[keyof typeof TopicBackendName];

/** `--topics`/`--stream-prefix` of `connector run` (see {@link openTopics}). */
export interface TopicsOptions extends GlobalOptions {
  /** `--topics` (env CONNECTOR_TOPICS): `local` (default) or `kinesis`. */
  topics?: TopicBackendName;
  /** `--stream-prefix` (env CONNECTOR_STREAM_PREFIX): with kinesis, stream name = prefix + topic. Default `''`. */
  streamPrefix?: string;
}

/** Environment variable with a Kinesis endpoint override (e.g. kinesalite's `http://127.0.0.1:4567`). */
export const KINESIS_ENDPOINT_ENV = 'CONNECTOR_KINESIS_ENDPOINT';

/** A topic backend opened for one run, and how to release it. */
export interface OpenedTopics {
  topics: TopicBackend;
  /** Closes the backend (and, for kinesis, destroys the client it created). */
  close(): Promise<void>;
}

/**
 * Opens the topic backend of `connector run`:
 * - `local`: the local store of the data directory;
 * - `kinesis`: Kinesis Data Streams, stream name = `streamPrefix` + topic, region from AWS_REGION
 *   (else the SDK's profile chain), endpoint from CONNECTOR_KINESIS_ENDPOINT when set, credentials
 *   from the SDK's default chain; records without a key go to partition key `defaultPartitionKey`
 *   (the connector name), so one connector's records stay ordered in one shard.
 * @throws UsageError (exit 2) for a stream prefix with characters Kinesis refuses, or no AWS region.
 */
export async function openTopics(options: TopicsOptions, run: { defaultPartitionKey: string; log: Logger }): Promise<OpenedTopics> {
  if ((options.topics ?? TopicBackendName.LOCAL) === TopicBackendName.LOCAL) {
    const store = openStore(options);
    return { topics: store, close: () => store.close() };
  }
  // Loaded on demand: the AWS SDK adds ~0.1 s to the start of every command.
  const { createKinesisClient, openKinesisTopics, prefixedStreamNames, STREAM_NAME_PATTERN } = await import('../topics/kinesis');
  const prefix = options.streamPrefix ?? '';
  if (prefix !== '' && !STREAM_NAME_PATTERN.test(prefix)) {
    throw new UsageError(`--stream-prefix "${prefix}": Kinesis stream names allow only letters, digits, "_", "." and "-"`);
  }
  const client = createKinesisClient({ region: process.env.AWS_REGION || undefined, endpoint: process.env[KINESIS_ENDPOINT_ENV] || undefined });
  try {
    await client.config.region();
  } catch {
    client.destroy();
    throw new UsageError('--topics kinesis needs an AWS region: set AWS_REGION');
  }
  const topics = openKinesisTopics({ client, ...prefixedStreamNames(prefix), defaultPartitionKey: run.defaultPartitionKey, log: run.log });
  return {
    topics,
    close: async () => {
      await topics.close();
      client.destroy();
    },
  };
}

/** Writes to stdout and resolves once the data is handed to the OS (respects backpressure). */
export function writeOut(text: string | Uint8Array): Promise<void> | void {
  if (process.stdout.write(text)) return;
  return new Promise((resolve) => process.stdout.once('drain', resolve));
}

/** An AbortSignal aborted by the first SIGINT/SIGTERM; a second signal exits at once with 130. */
export function stopSignal(): AbortSignal {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error(`received ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return controller.signal;
}
