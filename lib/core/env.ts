import { z } from 'zod';
import { ConnectorError, ErrorCode } from './errors';

/**
 * Environment variables of the runtime: the contract between the deployment generator, which
 * writes them into functions and task definitions, and the Lambda handlers and `connector run`,
 * which parse them once with {@link parseRuntimeEnv}. No secret value is ever put here.
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
  /** Kinesis stream name = this prefix + topic (cut to 128 characters by `streamNameOf`). */
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
  /** `emf`: publish the connector's metrics as CloudWatch Embedded Metric Format lines on stdout; `none` (default): do not. */
  METRICS: 'CONNECTOR_METRICS',
  /** CloudWatch namespace of those metrics (default `RuntimeDefaults.metricsNamespace`). */
  METRICS_NAMESPACE: 'CONNECTOR_METRICS_NAMESPACE',
  /** Value of their `service` dimension: the deployment, `<service>-<stage>` (default `RuntimeDefaults.metricsService`). */
  METRICS_SERVICE: 'CONNECTOR_METRICS_SERVICE',
  /** A running connector (`connector run`, tasks) publishes its metrics this often, ms (a function: once per window). */
  METRICS_PERIOD_MS: 'CONNECTOR_METRICS_PERIOD_MS',
} as const;

/** Defaults of the runtime's timing, in one place (the generator, the handlers and the CLI use these). */
export const RuntimeDefaults = {
  /** Window of one scheduled invocation when `CONNECTOR_WINDOW_MS` is unset: one minute, ms. */
  windowMs: 60_000,
  /** A window starts no poll (and aborts a running one) this long before it ends, ms. */
  marginMs: 500,
  /** After a window ends, failing topic writes are retried this much longer before the invocation fails, ms. */
  flushGraceMs: 5_000,
  /** A poller function's timeout is its window plus this, seconds (covers `flushGraceMs`). */
  flushTimeoutMarginS: 10,
  /** Once a connector is stopping, failing topic writes are retried this long, ms (`connector run`, tasks). */
  stopGraceMs: 10_000,
  /** CloudWatch namespace of the connectors' metrics. */
  metricsNamespace: 'Connectors',
  /** `service` dimension of the metrics when no deployment names it (`connector run` on a laptop). */
  metricsService: 'connectors',
  /** Period of a running connector's metric lines, ms: CloudWatch's standard resolution (1 minute). */
  metricsPeriodMs: 60_000,
} as const;

/** Ways a runtime can publish its metrics: `none`, or CloudWatch Embedded Metric Format on stdout. */
export const METRICS_OUTPUTS = ['none', 'emf'] as const;
export type MetricsOutput = (typeof METRICS_OUTPUTS)[number];

/** Topic backends a runtime can write to. */
export const TOPIC_BACKENDS = ['local', 'kinesis'] as const;
export type TopicBackendName = (typeof TOPIC_BACKENDS)[number];

const millis = (name: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?$/, `expected a number of milliseconds (${name})`)
    .transform(Number);

const secretMap = z.string().transform((text, ctx): Record<string, string> => {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string')) {
      return value as Record<string, string>;
    }
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'expected a JSON object of secret name → parameter or secret name' });
  return z.NEVER;
});

/**
 * The environment contract as a zod schema: input strings as the environment holds them, output
 * typed values with {@link RuntimeDefaults} applied. Unrelated variables are ignored.
 */
export const RuntimeEnvSchema = z.object({
  [ConnectorEnv.CONFIG]: z.string().min(1, 'expected the config YAML text').optional(),
  [ConnectorEnv.CONFIG_FILE]: z.string().min(1).optional(),
  [ConnectorEnv.TOPICS]: z.enum(TOPIC_BACKENDS).optional(),
  [ConnectorEnv.NO_CREATE_TOPIC]: z.string().optional().transform((value) => value !== undefined),
  [ConnectorEnv.STREAM_PREFIX]: z.string().regex(/^[a-zA-Z0-9_.-]*$/, 'expected Kinesis stream name characters (a-z, A-Z, 0-9, _ . -)').default(''),
  [ConnectorEnv.KINESIS_ENDPOINT]: z.url().optional(),
  [ConnectorEnv.WINDOW_MS]: millis(ConnectorEnv.WINDOW_MS).default(RuntimeDefaults.windowMs),
  [ConnectorEnv.WINDOW_ANCHOR]: z.enum(['epoch', 'event']).default('epoch'),
  [ConnectorEnv.MARGIN_MS]: millis(ConnectorEnv.MARGIN_MS).default(RuntimeDefaults.marginMs),
  [ConnectorEnv.SECRETS_SOURCE]: z.enum(['ssm', 'secrets-manager']).optional(),
  [ConnectorEnv.SECRETS]: secretMap.optional(),
  [ConnectorEnv.METRICS]: z.enum(METRICS_OUTPUTS).default('none'),
  // CloudWatch: a namespace of 1-255 characters, no `:`; a dimension value of 1-1024 characters.
  [ConnectorEnv.METRICS_NAMESPACE]: z.string().regex(/^[^:]{1,255}$/, 'expected a CloudWatch namespace (1-255 characters, no ":")').default(RuntimeDefaults.metricsNamespace),
  [ConnectorEnv.METRICS_SERVICE]: z.string().max(1024).default(RuntimeDefaults.metricsService),
  [ConnectorEnv.METRICS_PERIOD_MS]: millis(ConnectorEnv.METRICS_PERIOD_MS).refine((ms) => ms >= 1, 'expected at least 1 ms').default(RuntimeDefaults.metricsPeriodMs),
});

/** The runtime environment, parsed. */
export type RuntimeEnv = z.output<typeof RuntimeEnvSchema>;
/** The runtime environment as the generator writes it (every value a string). */
export type RuntimeEnvInput = Partial<Record<(typeof ConnectorEnv)[keyof typeof ConnectorEnv], string>>;

/**
 * Parses the runtime variables of an environment (empty values count as unset).
 * @throws ConnectorError USAGE naming each variable with a bad value and what was expected.
 * @example
 * const env = parseRuntimeEnv(process.env);
 * env.CONNECTOR_WINDOW_MS; // 60000 when unset
 */
export function parseRuntimeEnv(env: NodeJS.ProcessEnv): RuntimeEnv {
  const present = Object.fromEntries(
    Object.values(ConnectorEnv)
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = RuntimeEnvSchema.safeParse(present);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `environment variable ${String(issue.path[0])} is ${JSON.stringify(present[String(issue.path[0])])}: ${issue.message}`);
  throw new ConnectorError(lines.join('; '), ErrorCode.USAGE);
}

/**
 * The environment a generated function or task gets: `values` checked against the contract, so a
 * generator can never write what the runtime would refuse.
 * @throws Error when a value breaks the contract (a generator bug).
 */
export function encodeRuntimeEnv(values: RuntimeEnvInput): Record<string, string> {
  const result = RuntimeEnvSchema.safeParse(values);
  if (!result.success) throw new Error(`runtime environment breaks its contract: ${result.error.message}`);
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Lambda's limit on the total size of a function's environment variables (keys + values), bytes. */
export const LAMBDA_ENV_LIMIT_BYTES = 4_096;

/** Size of an environment as Lambda counts it: UTF-8 bytes of every key and value. */
export function environmentBytes(env: Readonly<Record<string, string>>): number {
  return Object.entries(env).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}
