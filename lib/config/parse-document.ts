import { dirname } from 'node:path';
import type { z } from 'zod';
import type { ConnectorRegistry } from '../core/registry';
import type { ConnectorDefinition } from '../core';
import { ErrorCode } from '../core/errors';
import { API_VERSIONS, type ApiVersion, apiConfigSchema, type LegacyConfig, legacyConfigSchema, type MetaV2, sectionSchema } from './envelope';
import { type ConfigIssue, ConfigError, formatIssueMessage, quoteList } from './errors';
import { suggestName, toIssueDetails } from './issues';
import { isPlainObject, snakeCaseKey } from './normalize';
import { loadSecretValues, renderSecrets, type SecretValues } from './secrets';
import type { ConfigFormat, ConnectorSpec } from './spec';
import { defaultTransforms, type TransformRegistry, type TransformStep } from '../transforms';
import { transformIssues } from './transforms';
import type { ConfigDocument } from './document';
import type { IssueDetail, PathSegment } from './yaml-source';

/** Options of {@link parseConfigDocument} and `parseConnectorConfig` (parse.ts). */
export interface ParseOptions {
  /** File name for messages and `spec.file`. */
  file: string;
  /** Connector types to accept (`defaultRegistry` in production). */
  registry: ConnectorRegistry;
  /** Built-in transforms `transforms[].uses` may name; default `defaultTransforms` (lib/transforms). */
  transforms?: TransformRegistry;
  /**
   * Directory that relative SmartModule `.wasm` paths in `transforms[].uses` resolve against;
   * default: the directory of `file` (the current directory for `$VAR`).
   */
  baseDir?: string;
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
function detectFormat(data: Data, source: ConfigDocument, issues: ConfigIssue[]): ConfigFormat | undefined {
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
function keepVersionAsWritten(data: Data, path: readonly [string, ...string[]], source: ConfigDocument): void {
  const parent = getIn(data, path.slice(0, -1));
  const key = path[path.length - 1] as string;
  if (isPlainObject(parent) && typeof parent[key] === 'number') parent[key] = source.sourceText(path) ?? String(parent[key]);
}

function resolveDefinition(data: Data, typePath: readonly PathSegment[], registry: ConnectorRegistry, source: ConfigDocument, issues: ConfigIssue[]): ConnectorDefinition | undefined {
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

function buildSpec(data: Data, format: ConfigFormat, definition: ConnectorDefinition, file: string, baseDir: string): Omit<ConnectorSpec, 'warnings' | 'redact'> {
  const common = { file, baseDir, format, type: definition.type, direction: definition.direction, definition };
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

/** The validating schema of each format and connector type, built once (zod compiles a schema on its first use). */
const schemas = new Map<ConfigFormat, { none?: z.ZodType; byDefinition: WeakMap<ConnectorDefinition, z.ZodType> }>();

/** The whole-config schema of a format with the connector's section (without one: the section is not checked). */
function configSchemaOf(format: ConfigFormat, definition: ConnectorDefinition | undefined): z.ZodType {
  let entry = schemas.get(format);
  if (!entry) schemas.set(format, (entry = { byDefinition: new WeakMap() }));
  const cached = definition ? entry.byDefinition.get(definition) : entry.none;
  if (cached) return cached;
  const section = definition && { key: format === 'legacy' ? 'parameters' : definition.section, schema: sectionSchema(definition, format) };
  const schema: z.ZodType = format === 'legacy' ? legacyConfigSchema(section?.schema) : apiConfigSchema(format, section);
  if (definition) entry.byDefinition.set(definition, schema);
  else entry.none = schema;
  return schema;
}

/**
 * A section field that repeats the topic (`definition.topicFields`, e.g. legacy mqtt
 * `fluvio-topic`) must name the config's topic: the connector would otherwise write elsewhere than
 * the config says.
 */
function topicFieldIssues(data: Data, definition: ConnectorDefinition, sectionKey: string, source: ConfigDocument): ConfigIssue[] {
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

/** Most issues of one file located and sorted (the rest are counted), and most shown in a ConfigError. */
const MAX_LOCATED_ISSUES = 200;
export const MAX_SHOWN_ISSUES = 50;

/**
 * The ConfigError of a file: issues deduplicated and sorted by position, at most
 * {@link MAX_SHOWN_ISSUES} of them, then one CONFIG_LIMIT_EXCEEDED line counting the others
 * (`omitted`: issues found but not located), located at the first one not shown.
 */
export function configError(found: readonly ConfigIssue[], omitted: number, file: string): ConfigError {
  const unique = [...new Map(found.map((issue) => [issue.message, issue])).values()].sort(byPosition);
  const shown = unique.slice(0, MAX_SHOWN_ISSUES);
  const more = unique.length - shown.length + omitted;
  if (more > 0) {
    const next = unique[MAX_SHOWN_ISSUES] ?? unique[unique.length - 1];
    const line = next?.line ?? 1;
    const column = next?.column ?? 1;
    const code = ErrorCode.CONFIG_LIMIT_EXCEEDED;
    const detail = `${more} more issue${more === 1 ? '' : 's'} not shown (the first ${shown.length} are listed)`;
    shown.push({ code, file, line, column, path: '', message: formatIssueMessage({ code, file, line, column, path: '', detail }) });
  }
  return new ConfigError(shown);
}

/** Whether `path` starts with `prefix`. */
function startsWith(path: readonly PathSegment[], prefix: readonly PathSegment[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => segment === path[index]);
}

/** Where a secret may not be rendered: the connector's name and its topic name it in logs, file names and AWS resources. */
function secretFreePaths(legacy: boolean): Array<{ prefix: PathSegment[]; label: string }> {
  return legacy
    ? [
        { prefix: ['name'], label: 'the connector name' },
        { prefix: ['topic'], label: 'the topic' },
      ]
    : [
        { prefix: ['meta', 'name'], label: 'meta.name' },
        { prefix: ['meta', 'topic'], label: 'the topic' },
      ];
}

/**
 * Located warnings about secrets: a declared secret never used (CONFIG_SECRET_UNUSED) and, for a
 * deployment (`deferSecrets`), a legacy `secrets:` default value, which travels with the config
 * text into the function's or task's environment (CONFIG_SECRET_DEFAULT_DEPLOYED).
 */
function secretWarnings(document: Data, format: ConfigFormat, used: ReadonlySet<string>, deploying: boolean): IssueDetail[] {
  const warnings: IssueDetail[] = [];
  const declared = declaredSecrets(document, format);
  // Only called for a valid config: meta.secrets holds unique {name} entries, so the index is the list's.
  const names = [...declared.keys()];
  names.forEach((name, index) => {
    const path: PathSegment[] = format === 'legacy' ? ['secrets', name] : ['meta', 'secrets', index, 'name'];
    if (!used.has(name)) {
      warnings.push({ code: ErrorCode.CONFIG_SECRET_UNUSED, severity: 'warning', path, target: format === 'legacy' ? 'key' : 'value', detail: `secret "${name}" is declared but never used as \${{ secrets.${name} }}` });
    }
    const fallback = declared.get(name);
    if (deploying && format === 'legacy' && fallback !== undefined && fallback !== '') {
      warnings.push({
        code: ErrorCode.CONFIG_SECRET_DEFAULT_DEPLOYED,
        severity: 'warning',
        path,
        hideValue: true,
        detail: `the default value of secret "${name}" is part of the config text, which is deployed in the function's or task's environment (CONNECTOR_CONFIG, or a poller's CONNECTOR_DOCUMENT): store the value in SSM Parameter Store (or Secrets Manager) and remove the default`,
      });
    }
  });
  return warnings;
}

/** A function replacing each secret value in a text by `***` (longest first), or `undefined` without secrets. */
function redactorOf(values: readonly string[]): ((text: string) => string) | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => b.length - a.length);
  return (text) => sorted.reduce((out, value) => out.split(value).join('***'), text);
}

/**
 * Validates the data of a connector config document (legacy or apiVersion 0.0.0/0.1.0/0.2.0) into a
 * {@link ConnectorSpec}: the steps of `parseConnectorConfig` (lib/config/parse.ts) after the YAML is
 * read. Steps: format → `${{ secrets.NAME }}` rendered in string values → connector type from the
 * registry → envelope and section validated with strict zod schemas → warnings (the document's,
 * secrets, the connector's `warnings`), each issue located by `source`.
 *
 * No yaml here: `source` is a YAML file's `ConfigSource` (parse.ts) or, in a deployed poller, the
 * generator's JSON of it (`decodeConfigDocument`, lib/config/deployed-document.ts).
 *
 * @throws ConfigError as `parseConnectorConfig` (every code but CONFIG_YAML_SYNTAX and the YAML
 *   CONFIG_LIMIT_EXCEEDED, which come from reading the YAML).
 * @example
 * const parsed = ConfigSource.parse(text, 'configs/cat-facts.yaml');
 * const spec = parseConfigDocument(parsed.source!, { file: 'configs/cat-facts.yaml', registry: defaultRegistry });
 */
export function parseConfigDocument(source: ConfigDocument, options: ParseOptions): ConnectorSpec {
  const { file, registry } = options;
  const document = source.toJS();
  if (!isPlainObject(document)) {
    throw new ConfigError([source.issue({ code: ErrorCode.CONFIG_INVALID_VALUE, path: [], detail: 'invalid document {value}, expected a mapping with `apiVersion` and `meta` (or a legacy config)' })]);
  }
  const issues: ConfigIssue[] = [];
  const format = detectFormat(document, source, issues);
  if (!format) throw configError(issues, 0, file);

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
  const reported = new Set(rendered.issues.map((detail) => JSON.stringify(detail.path)));
  for (const reference of rendered.references) {
    const place = secretFreePaths(legacy).find(({ prefix }) => startsWith(reference.path, prefix));
    if (!place) continue;
    reported.add(JSON.stringify(reference.path));
    issues.push(
      source.issue({
        code: ErrorCode.CONFIG_SECRET_NOT_ALLOWED,
        path: reference.path,
        needle: reference.text,
        hideValue: true,
        detail: `secret "${reference.name}" cannot be used in ${place.label}: it names the connector's logs, files and AWS resources, where its value would show`,
      }),
    );
  }
  const data = rendered.data as Data;
  keepVersionAsWritten(data, legacy ? ['version'] : ['meta', 'version'], source);

  const schema = configSchemaOf(format, definition);
  const result = schema.safeParse(data, { reportInput: true });
  let skippedDeferred: IssueDetail | undefined;
  let omitted = 0;
  if (!result.success) {
    const deferredPaths = new Set(rendered.deferred.map((path) => JSON.stringify(path)));
    const { details, omitted: unconverted } = toIssueDetails(result.error.issues, { schema, topLevelHints: topLevelHints(format, registry, definition) });
    let located = 0;
    for (const detail of details) {
      if (deferredPaths.has(JSON.stringify(detail.path))) {
        skippedDeferred ??= detail;
        continue;
      }
      if (reported.has(JSON.stringify(detail.path))) continue; // already reported as a secret issue
      // Locating is linear in the file: past a bound, issues are only counted (100,000 unknown keys stay fast).
      if (located >= MAX_LOCATED_ISSUES) {
        omitted += 1;
        continue;
      }
      located += 1;
      issues.push(source.issue(legacy && detail.path[0] === 'secrets' ? { ...detail, hideValue: true } : detail));
    }
    omitted += unconverted;
  }
  if (result.success) {
    const checked = result.data as Data;
    const topic = legacy ? checked.topic : (checked.meta as MetaV2 | undefined)?.topic;
    const topicName = typeof topic === 'string' ? topic : (topic as { meta: { name: string } } | undefined)?.meta.name ?? '';
    const details = transformIssues((checked.transforms as TransformStep[] | undefined) ?? [], {
      registry: options.transforms ?? defaultTransforms,
      baseDir: options.baseDir ?? dirname(file),
      topic: topicName,
      // A value made of a deferred secret is a placeholder: what it must be cannot be checked.
      skip: (path) => rendered.deferred.some((deferred) => deferred.length <= path.length && deferred.every((segment, index) => segment === path[index])),
    });
    issues.push(...details.map((detail) => source.issue(detail)));
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
  if (issues.length > 0 || !result.success || !definition || sectionKey === undefined) {
    throw configError(issues, omitted, file);
  }
  const valid = result.data as Data;
  const written = new Set(Object.keys(isPlainObject(data[sectionKey]) ? data[sectionKey] : {}).map(snakeCaseKey));
  const sectionWarnings = (definition.warnings?.(valid[sectionKey], written) ?? []).map(
    (warning): IssueDetail => ({ code: warning.code, severity: 'warning', path: [sectionKey, ...warning.path], detail: warning.message }),
  );
  const used = new Set(rendered.references.map((reference) => reference.name));
  const warnings = [
    ...source.warnings,
    ...[...secretWarnings(document, format, used, options.deferSecrets === true), ...sectionWarnings].map((detail) => source.issue(detail)),
  ].sort(byPosition);
  return { ...buildSpec(valid, format, definition, file, options.baseDir ?? dirname(file)), warnings, ...redactOption(redactorOf(rendered.values)) };
}

/** `{ redact }` when there is something to redact (kept off the spec otherwise). */
function redactOption(redact: ((text: string) => string) | undefined): Pick<ConnectorSpec, 'redact'> {
  return redact ? { redact } : {};
}
