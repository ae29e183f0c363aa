import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { ConnectorRegistry } from '../core/registry';
import type { ConnectorDefinition } from '../core';
import { ErrorCode } from '../core/errors';
import { API_VERSIONS, type ApiVersion, apiConfigSchema, type LegacyConfig, legacyConfigSchema, type MetaV2, sectionSchema } from './envelope';
import { type ConfigIssue, ConfigError, formatIssueMessage, quoteList } from './errors';
import { suggestName, toIssueDetails } from './issues';
import { isPlainObject } from './normalize';
import { loadSecretValues, renderSecrets, type SecretValues } from './secrets';
import type { ConfigFormat, ConnectorSpec } from './spec';
import type { TransformStep } from '../transforms/schema';
import { ConfigSource, type IssueDetail, type PathSegment } from './yaml-source';

/** Options of {@link parseConnectorConfig}. */
export interface ParseOptions {
  /** File name for messages and `spec.file`. */
  file: string;
  /** Connector types to accept (`defaultRegistry` in production). */
  registry: ConnectorRegistry;
  /** Secret values; default: the environment only (`loadSecretValues({ env: process.env })`). */
  secrets?: SecretValues;
  /**
   * Check secret declarations and references but do not look values up (`serverless package`:
   * secrets resolve at run time). A reference renders as a placeholder (`secret`, or the
   * connector's `secretPlaceholders` entry when it is the whole value of a field), and schema issues
   * of a value that contains one are not reported, since its final value is unknown. Such a spec is for planning (type,
   * topic, interval, stream); run the connector from a spec parsed with real values. Default false.
   */
  deferSecrets?: boolean;
}

const LEGACY_KEYS = ['version', 'name', 'type', 'topic', 'parameters', 'direction', 'create_topic', 'create-topic'];
const META_KEYS = ['name', 'type', 'version', 'topic', 'secrets', 'producer', 'consumer', 'create-topic', 'create_topic'];

type Data = Record<string, unknown>;

function getIn(data: unknown, path: readonly PathSegment[]): unknown {
  return path.reduce<unknown>((value, segment) => (isPlainObject(value) ? value[segment] : undefined), data);
}

/** Which format the document uses; `undefined` (with an issue) when it is neither or its apiVersion is unsupported. */
function detectFormat(data: Data, source: ConfigSource, issues: ConfigIssue[]): ConfigFormat | undefined {
  if (!('apiVersion' in data) && !('meta' in data)) {
    if (LEGACY_KEYS.some((key) => key in data)) return 'legacy';
    issues.push(source.issue({ code: ErrorCode.CONFIG_MISSING_FIELD, path: ['meta'], target: 'parent', detail: 'missing required field: a connector config has `apiVersion` and `meta` (or the legacy `version`, `name`, `type`, `topic`)' }));
    return undefined;
  }
  if (!('apiVersion' in data)) return '0.0.0';
  const version = data.apiVersion;
  if (typeof version === 'string' && (API_VERSIONS as readonly string[]).includes(version)) return version as ApiVersion;
  const expected = 'expected one of "0.1.0", "0.2.0"';
  issues.push(source.issue({ code: ErrorCode.CONFIG_UNSUPPORTED_API_VERSION, path: ['apiVersion'], detail: `unsupported value {value}, ${expected}`, expected }));
  return undefined;
}

/** Declared secret names with their legacy default values (read leniently: the schema reports bad declarations). */
function declaredSecrets(data: Data, format: ConfigFormat): Map<string, string | undefined> {
  if (format === 'legacy') {
    const map = isPlainObject(data.secrets) ? data.secrets : {};
    return new Map(Object.entries(map).map(([name, value]) => [name, ['string', 'number', 'boolean'].includes(typeof value) ? String(value) : undefined]));
  }
  const list = getIn(data, ['meta', 'secrets']);
  const names = Array.isArray(list) ? list.map((item) => getIn(item, ['name'])).filter((name): name is string => typeof name === 'string') : [];
  return new Map(names.map((name) => [name, undefined]));
}

/** A version written as a YAML number (`version: 1.0`) is kept as written (`"1.0"`), not as `1`. */
function keepVersionAsWritten(data: Data, path: readonly [string, ...string[]], source: ConfigSource): void {
  const parent = getIn(data, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (isPlainObject(parent) && typeof parent[key] === 'number') parent[key] = source.sourceText(path) ?? String(parent[key]);
}

function resolveDefinition(data: Data, typePath: readonly PathSegment[], registry: ConnectorRegistry, source: ConfigSource, issues: ConfigIssue[]): ConnectorDefinition | undefined {
  const type = getIn(data, typePath);
  if (typeof type !== 'string' || type === '') return undefined; // the schema reports it
  const definition = registry.get(type);
  if (definition) return definition;
  const suggestion = suggestName(type, registry.typeNames);
  const expected = `expected one of ${quoteList(registry.typeNames)}`;
  const hint = suggestion ? `did you mean "${suggestion}"? ` : '';
  issues.push(source.issue({ code: ErrorCode.CONFIG_UNKNOWN_CONNECTOR, path: typePath, detail: `unknown connector type {value}, ${hint}${expected}`, expected, ...(suggestion ? { suggestion } : {}) }));
  return undefined;
}

/** Top-level keys that belong elsewhere, for "did you mean" (`name` → `meta.name`, `http` → `parameters`). */
function topLevelHints(format: ConfigFormat, registry: ConnectorRegistry, definition?: ConnectorDefinition): Record<string, string> {
  const sections = registry.definitions.map((def) => def.section);
  if (format === 'legacy') return Object.fromEntries([...sections, 'meta'].map((key) => [key, 'parameters']));
  const hints: Record<string, string> = Object.fromEntries(META_KEYS.map((key) => [key, `meta.${key.replace('create_topic', 'create-topic')}`]));
  if (definition) for (const key of [...sections, 'parameters']) if (key !== definition.section) hints[key] = definition.section;
  return hints;
}

function buildSpec(data: Data, format: ConfigFormat, definition: ConnectorDefinition, file: string): ConnectorSpec {
  const common = { file, format, type: definition.type, direction: definition.direction, definition };
  const optional = (key: 'producer' | 'consumer', from: Data) => (from[key] === undefined ? {} : { [key]: from[key] });
  if (format === 'legacy') {
    const legacy = data as LegacyConfig;
    return {
      ...common,
      name: legacy.name,
      version: legacy.version,
      config: data.parameters,
      topic: { name: legacy.topic, create: legacy.create_topic ?? false },
      ...optional('producer', data),
      ...optional('consumer', data),
      secrets: Object.keys(legacy.secrets ?? {}),
      transforms: legacy.transforms,
    };
  }
  const meta = data.meta as MetaV2;
  const create = meta['create-topic'] ?? true;
  return {
    ...common,
    name: meta.name,
    version: meta.version,
    config: data[definition.section],
    topic: typeof meta.topic === 'string' ? { name: meta.topic, create } : { name: meta.topic.meta.name, create, config: meta.topic },
    ...optional('producer', meta),
    ...optional('consumer', meta),
    secrets: (meta.secrets ?? []).map((secret) => secret.name),
    transforms: data.transforms as TransformStep[],
  };
}

/**
 * A section field that repeats the topic (`definition.topicFields`, e.g. legacy mqtt
 * `fluvio-topic`) must name the config's topic: the connector would otherwise write elsewhere than
 * the config says.
 */
function topicFieldIssues(data: Data, definition: ConnectorDefinition, sectionKey: string, source: ConfigSource): ConfigIssue[] {
  const topicOf = (meta: unknown): unknown => (isPlainObject(meta) ? (isPlainObject(meta.topic) ? getIn(meta.topic, ['meta', 'name']) : meta.topic) : undefined);
  const topic = sectionKey === 'parameters' ? data.topic : topicOf(data.meta);
  const section = data[sectionKey];
  return (definition.topicFields ?? []).flatMap((field) => {
    const value = isPlainObject(section) ? section[field] : undefined;
    if (value === undefined || value === topic) return [];
    const expected = `expected the config's topic ${JSON.stringify(topic)}`;
    return [source.issue({ code: ErrorCode.CONFIG_INVALID_VALUE, path: [sectionKey, field], detail: `invalid value {value}, ${expected} (records go to \`topic\`; this field only repeats it)`, expected })];
  });
}

function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
}

/**
 * Parses and validates a Fluvio connector config (legacy or apiVersion 0.0.0/0.1.0/0.2.0) into a
 * {@link ConnectorSpec}. Steps: YAML → format → `${{ secrets.NAME }}` rendered in string values →
 * connector type from the registry → envelope and section validated with strict zod schemas.
 *
 * Differences from Fluvio, on purpose: unknown keys are errors (with a suggestion), section keys may
 * be kebab-case, secrets render after YAML parsing, `name` and topic names are checked.
 *
 * @throws ConfigError with every issue found (file:line:column, path, value, expected), code of the
 *   first: CONFIG_YAML_SYNTAX, CONFIG_UNSUPPORTED_API_VERSION, CONFIG_UNKNOWN_CONNECTOR,
 *   CONFIG_UNKNOWN_FIELD, CONFIG_MISSING_FIELD, CONFIG_INVALID_VALUE, CONFIG_SECRET_UNDECLARED,
 *   CONFIG_SECRET_MISSING.
 * @example
 * const spec = parseConnectorConfig(text, { file: 'configs/cat-facts.yaml', registry: defaultRegistry });
 * spec.type; // 'http-source'
 */
export function parseConnectorConfig(text: string, options: ParseOptions): ConnectorSpec {
  const { file, registry } = options;
  const parsed = ConfigSource.parse(text, file);
  const source = parsed.source;
  if (!source) throw new ConfigError(parsed.issues);
  const document = source.toJS();
  if (!isPlainObject(document)) {
    throw new ConfigError([source.issue({ code: ErrorCode.CONFIG_INVALID_VALUE, path: [], detail: 'invalid document {value}, expected a mapping with `apiVersion` and `meta` (or a legacy config)' })]);
  }
  const issues: ConfigIssue[] = [];
  const format = detectFormat(document, source, issues);
  if (!format) throw new ConfigError(issues);

  const legacy = format === 'legacy';
  // The type is read before secrets render (a type is never a secret), so the connector's own
  // placeholders apply to deferred secrets.
  const definition = resolveDefinition(document, legacy ? ['type'] : ['meta', 'type'], registry, source, issues);
  const sectionKey = definition && (legacy ? 'parameters' : definition.section);
  const rendered = renderSecrets(document, {
    declared: declaredSecrets(document, format),
    values: options.secrets ?? loadSecretValues({ env: process.env }),
    skip: legacy ? ['secrets'] : ['meta', 'secrets'],
    declaredIn: legacy ? '`secrets:`' : '`meta.secrets` (- name: NAME)',
    defer: options.deferSecrets === true,
    placeholder: (path) => (path.length === 2 && path[0] === sectionKey ? definition?.secretPlaceholders?.[String(path[1]).replace(/-/g, '_')] : undefined),
  });
  issues.push(...rendered.issues.map((detail) => source.issue(detail)));
  const data = rendered.data as Data;
  keepVersionAsWritten(data, legacy ? ['version'] : ['meta', 'version'], source);

  const section = definition && sectionKey !== undefined ? { key: sectionKey, schema: sectionSchema(definition, format) } : undefined;
  const schema: z.ZodType = legacy ? legacyConfigSchema(section?.schema) : apiConfigSchema(format, section);
  const result = schema.safeParse(data, { reportInput: true });
  let skippedDeferred: IssueDetail | undefined;
  if (!result.success) {
    const renderFailed = new Set(rendered.issues.map((detail) => JSON.stringify(detail.path)));
    const deferredPaths = new Set(rendered.deferred.map((path) => JSON.stringify(path)));
    const details = toIssueDetails(result.error.issues, { schema, topLevelHints: topLevelHints(format, registry, definition) });
    for (const detail of details) {
      if (deferredPaths.has(JSON.stringify(detail.path))) {
        skippedDeferred ??= detail;
        continue;
      }
      if (renderFailed.has(JSON.stringify(detail.path))) continue; // already reported as a secret issue
      issues.push(source.issue(legacy && detail.path[0] === 'secrets' ? { ...detail, hideValue: true } : detail));
    }
  }
  if (result.success && definition && sectionKey !== undefined) issues.push(...topicFieldIssues(result.data as Data, definition, sectionKey, source));
  if (legacy && definition && (data.direction === 'source' || data.direction === 'sink') && data.direction !== definition.direction) {
    const expected = `expected "${definition.direction}" (${definition.type} is a ${definition.direction} connector)`;
    issues.push(source.issue({ code: ErrorCode.CONFIG_INVALID_VALUE, path: ['direction'], detail: `invalid value {value}, ${expected}`, expected }));
  }
  if (issues.length === 0 && skippedDeferred) {
    // Only values made of deferred secrets failed, and no placeholder satisfies them.
    const { path, code } = skippedDeferred;
    issues.push(source.issue({ path, code, hideValue: true, detail: `this value contains a secret and cannot be checked without its value (${skippedDeferred.detail.replace(/\{value\}\s*/g, '')})` }));
  }
  if (issues.length > 0 || !result.success || !definition) {
    const unique = [...new Map(issues.map((issue) => [issue.message, issue])).values()];
    throw new ConfigError(unique.sort(byPosition));
  }
  return buildSpec(result.data as Data, format, definition, file);
}

/**
 * Reads (synchronously) and parses a connector config file; see {@link parseConnectorConfig}.
 * @throws ConfigError CONFIG_READ when the file cannot be read; otherwise as parseConnectorConfig.
 */
export function loadConnectorConfig(file: string, options: Omit<ParseOptions, 'file'>): ConnectorSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const detail = `cannot read the config file: ${(error as Error).message}`;
    const message = formatIssueMessage({ code: ErrorCode.CONFIG_READ, file, path: '', detail });
    throw new ConfigError([{ code: ErrorCode.CONFIG_READ, file, path: '', message }]);
  }
  return parseConnectorConfig(text, { ...options, file });
}
