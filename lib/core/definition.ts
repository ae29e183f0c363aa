import type { z } from 'zod';
import type { ErrorCode } from './errors';
import type { PortName } from './ports';
import type { Sink } from './sink';
import type { Source } from './source';

/** Whether a connector reads from outside into a topic (`source`) or from a topic to outside (`sink`). */
export type Direction = 'source' | 'sink';

/**
 * How a source runs, known from its config alone (no source is built to learn it): the generator
 * places a periodic source in a scheduled function and a continuous one in a container task;
 * `connector validate` prints it; the runtime checks the built source against it.
 */
export type SourceMode =
  | { readonly kind: 'periodic'; /** Fluvio's `interval`, ms. */ readonly intervalMs: number }
  | { readonly kind: 'continuous'; /** It ends by itself (e.g. test-connector `count`). */ readonly finite: boolean };

/** Unit of a legacy integer duration: Fluvio's legacy connectors read some as seconds, some as milliseconds. */
export type DurationUnit = 's' | 'ms';

/**
 * A located warning about a valid section: something that runs, but probably not as meant (a field
 * ignored with the other settings, a non-standard HTTP method). The config model locates it in the
 * file (`file:line:col: warning: path: message [CODE]`); `connector validate` prints it (exit 0),
 * the runtime logs it.
 */
export interface SectionWarning {
  /** Path inside the section, e.g. `['delimiter']` or `['headers', 1]`. */
  readonly path: readonly (string | number)[];
  /** A `CONFIG_*` code (`CONFIG_IGNORED_FIELD`, `CONFIG_SUSPICIOUS_VALUE`, …). */
  readonly code: ErrorCode;
  /** What is wrong and what to do, without the value (the config model shows it as written). */
  readonly message: string;
}

/** The connector a source or sink is built for, from the config's envelope. */
export interface ConnectorInfo {
  /** `meta.name` / legacy `name` (e.g. the default MQTT client id derives from it). */
  readonly name: string;
  /** The topic records go to (a source) or come from (a sink). */
  readonly topic: string;
}

/** What every connector definition declares, as data. */
interface DefinitionBase<S extends z.ZodType> {
  /** Canonical type, as in `meta.type` (e.g. `http-source`). Also the folder name under lib/connectors. */
  readonly type: string;
  /** Other `type` values accepted in legacy configs (e.g. `http`). */
  readonly legacyTypes?: readonly string[];
  /** Key of the connector's section in apiVersion configs (e.g. `http`); never `meta` or `transforms`. */
  readonly section: string;
  /** Strict zod schema of the section: the single source of truth for its types, defaults, validation and docs. */
  readonly schema: S;
  /** One-line summary, used by generated docs and `connector validate`. */
  readonly summary: string;
  /** Ports the implementation uses; the runtime fills these (clock and log are always given). */
  readonly needs: readonly PortName[];
  /**
   * Unit of a legacy integer for each duration field (`parameters: {interval: 10}`): Fluvio's legacy
   * http `interval` was seconds, test-connector `timeout` milliseconds. A field not listed takes no
   * integer (a humantime string such as `"10s"` only).
   */
  readonly legacyDurationUnits?: Readonly<Record<string, DurationUnit>>;
  /**
   * What a field whose whole value is a secret reference (`${{ secrets.X }}`) reads as when secrets
   * are deferred (`serverless package`, `validate --defer-secrets`): a value the field's schema
   * accepts, e.g. `https://secret.invalid/` for a URL. Default for every field: `secret`.
   */
  readonly secretPlaceholders?: Readonly<Record<string, string>>;
  /**
   * Located warnings about a section that validated (pure): cross-field rules that are not errors.
   * @param config - the validated section (defaults applied).
   * @param written - the section's keys as the user wrote them, normalised to the schema's keys
   *   (so a default can be told apart from a value set on purpose).
   */
  warnings?(config: z.output<S>, written: ReadonlySet<string>): readonly SectionWarning[];
  /**
   * Section fields that, when present, must name the config's topic: some legacy Fluvio connectors
   * took the topic as a parameter too (mqtt `fluvio-topic`). Another value is a located config error.
   */
  readonly topicFields?: readonly string[];
}

/**
 * A source connector type: schema, mode and a lazily loaded implementation.
 *
 * @typeParam S - zod schema of the section (`http:` in apiVersion configs, `parameters:` in legacy
 *   configs). Its output type is what `mode` and `createSource` receive.
 * @example
 * export const testConnector: SourceDefinition<typeof TestConnectorConfigSchema> = {
 *   type: 'test-connector', direction: 'source', section: 'test', schema: TestConnectorConfigSchema,
 *   summary: '…', needs: [], legacyDurationUnits: { timeout: 'ms' },
 *   mode: (config) => ({ kind: 'continuous', finite: config.count !== undefined }),
 *   load: async () => ({ createSource: (await import('./source')).createTestSource }),
 * };
 */
export interface SourceDefinition<S extends z.ZodType = z.ZodType> extends DefinitionBase<S> {
  readonly direction: 'source';
  /** The mode of a validated section. Pure. */
  mode(config: z.output<S>): SourceMode;
  /** Loads the implementation (a dynamic import: its libraries load only when a connector of this type runs). */
  load(): Promise<{ createSource(config: z.output<S>, connector: ConnectorInfo): Source }>;
}

/**
 * A sink connector type: schema and a lazily loaded implementation. A sink runs as a local
 * consumer of its topic (`connector run`) or as a Lambda function fed by its topic's Kinesis
 * stream (deployments); the implementation is the same {@link Sink}.
 */
export interface SinkDefinition<S extends z.ZodType = z.ZodType> extends DefinitionBase<S> {
  readonly direction: 'sink';
  /** Loads the implementation (see {@link SourceDefinition.load}). */
  load(): Promise<{ createSink(config: z.output<S>, connector: ConnectorInfo): Sink }>;
}

/** One connector type. */
export type ConnectorDefinition = SourceDefinition | SinkDefinition;

/**
 * What running an already validated section of a source needs of its definition: no schema,
 * summary or warnings (what parsing a config needs). A deployed poller that runs the generator's
 * validated config holds only these (lib/connectors/periodic-runtime.ts), so its bundle has no zod.
 */
export type SourceRuntime<S extends z.ZodType = z.ZodType> = Pick<SourceDefinition<S>, 'type' | 'legacyTypes' | 'direction' | 'section' | 'needs' | 'legacyDurationUnits' | 'secretPlaceholders' | 'topicFields' | 'mode' | 'load'>;

/** How any connector runs: a source's {@link SourceMode}, or a sink (it consumes its topic). */
export type ConnectorMode = SourceMode | { readonly kind: 'sink' };

/**
 * The mode of a validated config section, from its definition alone (nothing is built or loaded).
 * @example modeOf(httpSource, { ...config, stream: true }) // { kind: 'continuous', finite: false }
 */
export function modeOf(definition: ConnectorDefinition, config: unknown): ConnectorMode {
  return definition.direction === 'sink' ? { kind: 'sink' } : definition.mode(config);
}
