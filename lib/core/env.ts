import { ConnectorError, ErrorCode } from './errors';

/**
 * Environment variables of the runtime: the contract between the deployment generator, which
 * writes them into functions and task definitions, and the Lambda handlers and `connector run`,
 * which parse them once with {@link parseRuntimeEnv}. No secret value is ever put here.
 */
export const ConnectorEnv = {
  /**
   * The config file's YAML text (parsed at run time, with secret values): tasks and sink functions
   * (pollers get {@link ConnectorEnv.SPEC} or {@link ConnectorEnv.DOCUMENT}).
   */
  CONFIG: 'CONNECTOR_CONFIG',
  /**
   * A poller's config as the generator validated it: the zod schemas' output, JSON, tagged with the
   * schema version (`encodeDeployedSpec` in lib/config/deployed.ts), so the poller runs it without
   * loading zod or yaml. Written instead of {@link ConnectorEnv.CONFIG} for configs without secrets.
   */
  SPEC: 'CONNECTOR_SPEC',
  /**
   * A poller's config with secrets as the generator read it: the YAML document's data as JSON, with
   * where each string holding a secret reference is written (`encodeConfigDocument` in
   * lib/config/deployed-document.ts), validated at invocation with the secret values without a YAML
   * reader. Written instead of {@link ConnectorEnv.CONFIG} for pollers whose config declares secrets.
   */
  DOCUMENT: 'CONNECTOR_DOCUMENT',
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

/** One variable of the contract: how its text becomes a value, or why it cannot. */
interface EnvField<T> {
  /** The value of a set, non-empty variable, or an {@link Invalid} saying what was expected. */
  parse(text: string): T | Invalid;
  /** The value when unset or empty (absent: the key is left out). */
  default?: T;
}

/** A variable with a default: always present in the parsed environment. */
const withDefault = <T>(parse: EnvField<T>['parse'], value: T): EnvField<T> & { default: T } => ({ parse, default: value });
/** A variable without a default: absent from the parsed environment when unset. */
const optional = <T>(parse: EnvField<T>['parse']): EnvField<T> => ({ parse });

/** A parse result that failed: what was expected. */
class Invalid {
  constructor(readonly error: string) {}
}

const text = (check?: (value: string) => string | undefined): EnvField<string>['parse'] => (value) => {
  const error = check?.(value);
  return error === undefined ? value : new Invalid(error);
};
const millis = (name: string, min = 0): EnvField<number>['parse'] => (value) => {
  if (!/^\d+(\.\d+)?$/.test(value)) return new Invalid(`expected a number of milliseconds (${name})`);
  const ms = Number(value);
  return ms >= min ? ms : new Invalid(`expected at least ${min} ms`);
};
const oneOf = <T extends string>(values: readonly T[]): EnvField<T>['parse'] => (value) =>
  (values as readonly string[]).includes(value) ? (value as T) : new Invalid(`expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}`);

const secretMap: EnvField<Record<string, string>>['parse'] = (value) => {
  try {
    const map: unknown = JSON.parse(value);
    if (typeof map === 'object' && map !== null && !Array.isArray(map) && Object.values(map).every((v) => typeof v === 'string')) {
      return map as Record<string, string>;
    }
  } catch {
    // reported below
  }
  return new Invalid('expected a JSON object of secret name → parameter or secret name');
};

/**
 * The environment contract, one entry per variable: how its text is checked and typed, and its
 * default ({@link RuntimeDefaults}). Plain checks rather than a zod schema on purpose: the Lambda
 * handlers parse it at every cold start, and loading zod alone costs a poller's init about 40 ms
 * (functions/README.md, "Cold start"). Unrelated variables are ignored.
 */
export const RuntimeEnvContract = {
  [ConnectorEnv.CONFIG]: optional<string>(text()),
  [ConnectorEnv.CONFIG_FILE]: optional<string>(text()),
  [ConnectorEnv.SPEC]: optional<string>(text()),
  [ConnectorEnv.DOCUMENT]: optional<string>(text()),
  [ConnectorEnv.TOPICS]: optional<TopicBackendName>(oneOf(TOPIC_BACKENDS)),
  [ConnectorEnv.NO_CREATE_TOPIC]: withDefault<boolean>(() => true, false),
  [ConnectorEnv.STREAM_PREFIX]: withDefault<string>(text((v) => (/^[a-zA-Z0-9_.-]*$/.test(v) ? undefined : 'expected Kinesis stream name characters (a-z, A-Z, 0-9, _ . -)')), ''),
  [ConnectorEnv.KINESIS_ENDPOINT]: optional<string>(text((v) => (URL.canParse(v) ? undefined : 'expected a URL'))),
  [ConnectorEnv.WINDOW_MS]: withDefault<number>(millis(ConnectorEnv.WINDOW_MS), RuntimeDefaults.windowMs),
  [ConnectorEnv.WINDOW_ANCHOR]: withDefault<'epoch' | 'event'>(oneOf(['epoch', 'event'] as const), 'epoch'),
  [ConnectorEnv.MARGIN_MS]: withDefault<number>(millis(ConnectorEnv.MARGIN_MS), RuntimeDefaults.marginMs),
  [ConnectorEnv.SECRETS_SOURCE]: optional<'ssm' | 'secrets-manager'>(oneOf(['ssm', 'secrets-manager'] as const)),
  [ConnectorEnv.SECRETS]: optional<Record<string, string>>(secretMap),
  [ConnectorEnv.METRICS]: withDefault<MetricsOutput>(oneOf(METRICS_OUTPUTS), 'none'),
  // CloudWatch: a namespace of 1-255 characters, no `:`; a dimension value of 1-1024 characters.
  [ConnectorEnv.METRICS_NAMESPACE]: withDefault<string>(text((v) => (/^[^:]{1,255}$/.test(v) ? undefined : 'expected a CloudWatch namespace (1-255 characters, no ":")')), RuntimeDefaults.metricsNamespace),
  [ConnectorEnv.METRICS_SERVICE]: withDefault<string>(text((v) => (v.length <= 1024 ? undefined : 'expected at most 1024 characters')), RuntimeDefaults.metricsService),
  [ConnectorEnv.METRICS_PERIOD_MS]: withDefault<number>(millis(ConnectorEnv.METRICS_PERIOD_MS, 1), RuntimeDefaults.metricsPeriodMs),
} as const;

type Contract = typeof RuntimeEnvContract;
type ValueOf<F> = F extends EnvField<infer T> ? T : never;
type WithDefault = { [K in keyof Contract]: Contract[K] extends { default: unknown } ? K : never }[keyof Contract];

/** The runtime environment, parsed: typed values, {@link RuntimeDefaults} applied. */
export type RuntimeEnv = { [K in WithDefault]: ValueOf<Contract[K]> } & { [K in Exclude<keyof Contract, WithDefault>]?: ValueOf<Contract[K]> };
/** The runtime environment as the generator writes it (every value a string). */
export type RuntimeEnvInput = Partial<Record<(typeof ConnectorEnv)[keyof typeof ConnectorEnv], string>>;

/** The parsed environment, or one line per variable with a bad value. */
function checkRuntimeEnv(env: Readonly<Record<string, string | undefined>>): { env: RuntimeEnv; errors: string[] } {
  const parsed: Record<string, unknown> = {};
  const errors: string[] = [];
  for (const [name, field] of Object.entries(RuntimeEnvContract) as Array<[string, EnvField<unknown>]>) {
    const value = env[name];
    if (value === undefined || value === '') {
      if (field.default !== undefined) parsed[name] = field.default;
      continue;
    }
    const result = field.parse(value);
    if (result instanceof Invalid) errors.push(`environment variable ${name} is ${JSON.stringify(value)}: ${result.error}`);
    else parsed[name] = result;
  }
  return { env: parsed as RuntimeEnv, errors };
}

/**
 * Parses the runtime variables of an environment (empty values count as unset).
 * @throws ConnectorError USAGE naming each variable with a bad value and what was expected.
 * @example
 * const env = parseRuntimeEnv(process.env);
 * env.CONNECTOR_WINDOW_MS; // 60000 when unset
 */
export function parseRuntimeEnv(env: NodeJS.ProcessEnv): RuntimeEnv {
  const { env: parsed, errors } = checkRuntimeEnv(env);
  if (errors.length > 0) throw new ConnectorError(errors.join('; '), ErrorCode.USAGE);
  return parsed;
}

/**
 * The environment a generated function or task gets: `values` checked against the contract, so a
 * generator can never write what the runtime would refuse.
 * @throws Error when a value breaks the contract (a generator bug).
 */
export function encodeRuntimeEnv(values: RuntimeEnvInput): Record<string, string> {
  const { errors } = checkRuntimeEnv(values);
  if (errors.length > 0) throw new Error(`runtime environment breaks its contract: ${errors.join('; ')}`);
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** Lambda's limit on the total size of a function's environment variables (keys + values), bytes. */
export const LAMBDA_ENV_LIMIT_BYTES = 4_096;

/** Size of an environment as Lambda counts it: UTF-8 bytes of every key and value. */
export function environmentBytes(env: Readonly<Record<string, string>>): number {
  return Object.entries(env).reduce((total, [key, value]) => total + Buffer.byteLength(key) + Buffer.byteLength(value), 0);
}
