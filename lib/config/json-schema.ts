import type { ConnectorDefinition } from '../core';
import type { ConnectorRegistry } from '../core/registry';
import { inputJsonSchema, type JsonSchema, type JsonSchemaSite, widenJsonSchema } from '../schema/json-schema';
import { apiConfigSchema, legacyConfigSchema, sectionSchema } from './envelope';

/** The JSON Schema dialect of the generated schemas. */
export const JSON_SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** Where `npm run docs` writes the schemas, relative to the repository root. */
export const CONFIG_SCHEMA_DIR = 'schema';

/** File name of a generated schema: `connector.schema.json` (every type), `<type>.schema.json` (one type). */
export function configSchemaFile(type?: string): string {
  return `${type ?? 'connector'}.schema.json`;
}

/**
 * A string holding a secret reference, `${{ secrets.NAME }}` (rendered in any string value before
 * validation, see `renderSecrets`): its final value is only known at run time.
 */
const SECRET_REFERENCE: JsonSchema = { type: 'string', pattern: '\\$\\{\\{\\s*secrets\\.[A-Za-z_][A-Za-z0-9_]*\\s*\\}\\}' };

/** A string field whose form is checked (`pattern`, `format`) may hold a secret reference instead. */
function allowSecretReferences({ jsonSchema }: JsonSchemaSite): void {
  if (jsonSchema.type === 'string' && (jsonSchema.pattern !== undefined || jsonSchema.format !== undefined)) widenJsonSchema(jsonSchema, SECRET_REFERENCE);
}

/** The `type` values of a connector (both formats accept each, as the registry resolves them). */
const typeNamesOf = (definition: ConnectorDefinition): string[] => [definition.type, ...(definition.legacyTypes ?? [])];

type Properties = Record<string, JsonSchema>;
const propertiesOf = (json: JsonSchema): Properties => (json.properties ?? {}) as Properties;

/** Whether the connector's section has a required field: then the section itself is required (an absent one reads as `{}`). */
function sectionRequired(definition: ConnectorDefinition): boolean {
  const json = inputJsonSchema(definition.schema);
  return Array.isArray(json.required) && json.required.length > 0;
}

/** Lists `key` in `json.required` exactly when `required` (zod marks a preprocessed key required on the input side either way). */
function requireSection(json: JsonSchema, key: string, required: boolean): void {
  const others = ((json.required as string[] | undefined) ?? []).filter((name) => name !== key);
  json.required = required ? [...others, key] : others;
}

/**
 * The apiVersion format (0.0.0, 0.1.0, 0.2.0) of one connector type: the envelope and section of
 * `apiConfigSchema('0.2.0')`, `meta.type` one of the type's names, and a topic object only with
 * `apiVersion: 0.2.0` (as `MetaV1Schema` says for the others).
 */
function apiFormat(definition: ConnectorDefinition): JsonSchema {
  const json = inputJsonSchema(apiConfigSchema('0.2.0', { key: definition.section, schema: sectionSchema(definition, '0.2.0') }), allowSecretReferences);
  delete json.$schema;
  const meta = propertiesOf(json).meta as JsonSchema;
  const metaProperties = propertiesOf(meta);
  metaProperties.type = { ...metaProperties.type, enum: typeNamesOf(definition) };
  requireSection(json, definition.section, sectionRequired(definition));
  return {
    title: `${definition.type} (apiVersion format)`,
    description: `${definition.summary} Fluvio's apiVersion format: \`apiVersion\` (0.1.0 or 0.2.0; absent: 0.0.0), \`meta\`, \`${definition.section}:\`, \`transforms\`.`,
    ...json,
    if: { type: 'object', properties: { apiVersion: { const: '0.2.0' } }, required: ['apiVersion'] },
    else: { type: 'object', properties: { meta: { type: 'object', properties: { topic: { type: 'string', description: 'A topic name (a topic config object needs apiVersion 0.2.0).' } } } } },
  };
}

/** The legacy format of one connector type: `legacyConfigSchema` with its `parameters:`, `type` one of its names, `direction` its direction. */
function legacyFormat(definition: ConnectorDefinition): JsonSchema {
  const json = inputJsonSchema(legacyConfigSchema(sectionSchema(definition, 'legacy')), allowSecretReferences);
  delete json.$schema;
  const properties = propertiesOf(json);
  properties.type = { ...properties.type, enum: typeNamesOf(definition) };
  properties.direction = { ...properties.direction, enum: [definition.direction] };
  requireSection(json, 'parameters', sectionRequired(definition));
  return {
    title: `${definition.type} (legacy format)`,
    description: `${definition.summary} Fluvio's legacy format: \`version\`, \`name\`, \`type\`, \`topic\`, \`parameters:\`.`,
    ...json,
  };
}

/** The schema of one connector type, both formats, without `$schema`. */
function typeSchema(definition: ConnectorDefinition): JsonSchema {
  return {
    title: `${definition.type} connector config`,
    description: definition.summary,
    type: 'object',
    anyOf: [apiFormat(definition), legacyFormat(definition)],
  };
}

/** `meta.type` (apiVersion format) or `type` (legacy format) is one of `names`. */
function typeIs(names: readonly string[]): JsonSchema {
  const oneOf = names.length === 1 ? { const: names[0] } : { enum: [...names] };
  return {
    anyOf: [
      { type: 'object', properties: { meta: { type: 'object', properties: { type: oneOf }, required: ['type'] } }, required: ['meta'] },
      { type: 'object', properties: { type: oneOf }, required: ['type'] },
    ],
  };
}

/**
 * The JSON Schema (draft 2020-12) of connector configs, generated from the zod schemas of the
 * config model (`apiConfigSchema`, `legacyConfigSchema`, `sectionSchema`) and of each registered
 * connector, on their input side (what a user writes: kebab-case keys, legacy string scalars,
 * secret references). For editors (completion, inline errors); `connector validate` remains the
 * authority for what JSON Schema cannot say (durations, URLs' schemes, secrets, cross-field rules).
 *
 * - With `type`: that connector type only (`anyOf` its apiVersion and legacy formats).
 * - Without: every registered type in `$defs`, dispatched on `meta.type` (apiVersion format) or
 *   `type` (legacy format) with `if`/`then`; an unknown type fails on the type field itself.
 * @throws Error when `type` is not registered (canonical or legacy name).
 * @example
 * const schema = configJsonSchema(defaultRegistry, { type: 'http-source' });
 */
export function configJsonSchema(registry: ConnectorRegistry, options: { type?: string } = {}): JsonSchema {
  if (options.type !== undefined) {
    const definition = registry.get(options.type);
    if (!definition) throw new Error(`unknown connector type "${options.type}", expected one of ${registry.typeNames.map((name) => `"${name}"`).join(', ')}`);
    return { $schema: JSON_SCHEMA_DIALECT, ...typeSchema(definition) };
  }
  const definitions = registry.definitions;
  return {
    $schema: JSON_SCHEMA_DIALECT,
    title: 'Fluvio connector config',
    description: `A connector config in Fluvio's apiVersion or legacy format, for one of: ${definitions.map((def) => def.type).join(', ')}. Generated from the zod schemas (\`connector schema\`); \`connector validate\` checks what JSON Schema cannot.`,
    type: 'object',
    allOf: [
      typeIs(registry.typeNames),
      ...definitions.map((def) => ({ if: typeIs(typeNamesOf(def)), then: { $ref: `#/$defs/${def.type}` } })),
    ],
    $defs: Object.fromEntries(definitions.map((def) => [def.type, typeSchema(def)])),
  };
}

/**
 * The files `npm run docs` writes (path relative to the repository root → text): the dispatching
 * schema and one per connector type, as `connector schema [--type T]` prints them. A test compares
 * them with the files, so they cannot drift from the zod schemas.
 */
export function generatedConfigSchemas(registry: ConnectorRegistry): Record<string, string> {
  const text = (schema: JsonSchema): string => `${JSON.stringify(schema, null, 2)}\n`;
  return {
    [`${CONFIG_SCHEMA_DIR}/${configSchemaFile()}`]: text(configJsonSchema(registry)),
    ...Object.fromEntries(registry.definitions.map((def) => [`${CONFIG_SCHEMA_DIR}/${configSchemaFile(def.type)}`, text(configJsonSchema(registry, { type: def.type }))])),
  };
}
