import { dirname } from 'node:path';
import { type ConnectorSpec, ConfigError, loadConnectorConfig, loadSecretValues, parseConnectorConfig } from '../config';
import { formatIssueMessage } from '../config/errors';
import { type ConnectorRegistry, defaultRegistry } from '../connectors';
import { ConnectorEnv, ErrorCode, type Logger, type RuntimeEnv, type TopicBackendName, UsageError } from '../core';
import { type OpenedTopics, openTopicBackend } from '../topics';
import { type LocalTopicStore, openLocalTopicStore, resolveDataDir } from '../topics/local';

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
  // A deployed task names its config file (CONNECTOR_CONFIG_FILE): its SmartModule files are next to it in the image.
  const configFile = process.env[ConnectorEnv.CONFIG_FILE];
  return parseConnectorConfig(text, { file, registry, secrets, ...(configFile ? { baseDir: dirname(configFile) } : {}) });
}

/** `--topics`/`--stream-prefix` of `connector run` (see {@link openTopics}). */
export interface TopicsOptions extends GlobalOptions {
  /** `--topics` (env CONNECTOR_TOPICS): `local` (default) or `kinesis`. */
  topics?: TopicBackendName;
  /** `--stream-prefix` (env CONNECTOR_STREAM_PREFIX): with kinesis, stream name = prefix + topic. Default `''`. */
  streamPrefix?: string;
}

/**
 * Opens the topic backend of `connector run` through the backend registry (`openTopicBackend`):
 * - `local`: the local store of the data directory;
 * - `kinesis`: Kinesis Data Streams, stream name = `streamNameOf(streamPrefix, topic)`, region from
 *   AWS_REGION (else the SDK's profile chain), endpoint from CONNECTOR_KINESIS_ENDPOINT when set,
 *   credentials from the SDK's default chain; records without a key go to partition key
 *   `defaultPartitionKey` (the connector name), so one connector's records stay ordered in one shard.
 * @throws UsageError (exit 2) for a stream prefix with characters Kinesis refuses, or no AWS region.
 */
export async function openTopics(options: TopicsOptions, run: { defaultPartitionKey: string; log: Logger; env: RuntimeEnv }): Promise<OpenedTopics> {
  const name = options.topics ?? 'local';
  const prefix = options.streamPrefix ?? '';
  if (name === 'kinesis' && prefix !== '' && !/^[a-zA-Z0-9_.-]+$/.test(prefix)) {
    throw new UsageError(`--stream-prefix "${prefix}": Kinesis stream names allow only letters, digits, "_", "." and "-"`);
  }
  return openTopicBackend(name, {
    dataDir: name === 'local' ? dataDirOf(options) : undefined,
    kinesis: { streamPrefix: prefix, region: process.env.AWS_REGION || undefined, endpoint: run.env[ConnectorEnv.KINESIS_ENDPOINT] },
    defaultPartitionKey: run.defaultPartitionKey,
    log: run.log,
  });
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
