/**
 * Environment variables the generated functions and tasks read (the contract between the
 * generator and the Lambda handler / container entrypoint). No secret value is ever put here.
 */
export const ConnectorEnv = {
  /** The config file's YAML text (parsed at run time, with secret values). */
  CONFIG: 'CONNECTOR_CONFIG',
  /** The config's path in the service (`configs/x.yaml`), for messages. */
  CONFIG_FILE: 'CONNECTOR_CONFIG_FILE',
  /** Topic backend of `connector run` (`kinesis` in a task). */
  TOPICS: 'CONNECTOR_TOPICS',
  /** Set (any value): `connector run` never creates a missing topic (the stack creates streams). */
  NO_CREATE_TOPIC: 'CONNECTOR_NO_CREATE_TOPIC',
  /** Kinesis stream name = this prefix + topic. */
  STREAM_PREFIX: 'CONNECTOR_STREAM_PREFIX',
  /** Kinesis endpoint override (tests: kinesalite). */
  KINESIS_ENDPOINT: 'CONNECTOR_KINESIS_ENDPOINT',
  /** Window length of one invocation, ms (the schedule period). */
  WINDOW_MS: 'CONNECTOR_WINDOW_MS',
  /** Slot grid of the window: `epoch` (every interval slot of the grid through the event's second of the minute) or `event` (one poll at the event time). */
  WINDOW_ANCHOR: 'CONNECTOR_WINDOW_ANCHOR',
  /** Stop this many ms before the window ends. */
  MARGIN_MS: 'CONNECTOR_MARGIN_MS',
  /** `ssm` or `secrets-manager`. */
  SECRETS_SOURCE: 'CONNECTOR_SECRETS_SOURCE',
  /** JSON object: secret name → parameter or secret name, e.g. `{"API_TOKEN":"/connectors/dev/API_TOKEN"}`. */
  SECRETS: 'CONNECTOR_SECRETS',
} as const;

/**
 * Seconds a poller function's timeout adds to its window: time to finish writing records after the
 * window ends (the handler stops retrying writes 5 s after the window, and reports what was not written).
 */
export const FLUSH_TIMEOUT_MARGIN_S = 10;

/** Lambda's limit on the total size of a function's environment variables (keys + values), bytes. */
export const LAMBDA_ENV_LIMIT_BYTES = 4_096;

/** Size of an environment as Lambda counts it: UTF-8 bytes of every key and value. */
export function environmentBytes(env: Readonly<Record<string, string>>): number {
  return Object.entries(env).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}
