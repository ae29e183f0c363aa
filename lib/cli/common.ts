import { type ConnectorSpec, loadConnectorConfig, loadSecretValues } from '../config';
import { type ConnectorRegistry, defaultRegistry } from '../connectors';
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
