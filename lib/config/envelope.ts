import { z } from 'zod';
import { type ConnectorDefinition, RESERVED_SECTIONS } from '../core';
import { ConsumerOptionsSchema, ProducerOptionsSchema } from './client-options';
import { ConnectorNameSchema, SecretNameSchema, TopicNameOnlySchema, TopicNameSchema, VersionSchema } from '../schema/fields';
import { noteJsonSchema } from '../schema/json-schema-notes';
import { aliasKeys, coerceLegacyScalars, snakeCaseKey, withKeyAliases } from './normalize';
import { TopicConfigSchema } from './topic-config';
import { TransformsSchema } from '../transforms/schema';

/** Supported `apiVersion`s; a config with `meta` and no `apiVersion` is read as `0.0.0` (FL config/mod.rs). */
export const API_VERSIONS = ['0.0.0', '0.1.0', '0.2.0'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];

/** Top-level keys of apiVersion configs that a connector section may not use (FL derive `ast.rs`); checked by `createRegistry`. */
export const RESERVED_KEYS = RESERVED_SECTIONS;

const typeField = z.string({ error: 'expected a connector type such as "http-source"' }).min(1, 'expected a connector type such as "http-source"');
const createTopicField = z.boolean({ error: 'expected true or false' });

/** `meta.secrets`: the secrets the config may use as `${{ secrets.NAME }}`; each name once. */
export const SecretDeclarationsSchema = z
  .array(z.strictObject({ name: SecretNameSchema }), {
    error: 'expected a list of {name: NAME} entries',
  })
  .superRefine((declarations, ctx) => {
    const seen = new Set<string>();
    declarations.forEach(({ name }, index) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], input: name, message: `expected each secret declared once ("${name}" is declared above)` });
      seen.add(name);
    });
  });

const metaFields = {
  name: ConnectorNameSchema,
  type: typeField,
  version: VersionSchema,
  'create-topic': createTopicField.optional(),
  producer: ProducerOptionsSchema.optional(),
  consumer: ConsumerOptionsSchema.optional(),
  secrets: SecretDeclarationsSchema.optional(),
};

/** `create_topic` is Fluvio's other spelling of `meta.create-topic`. */
const metaAliases = aliasKeys({ create_topic: 'create-topic' });

/**
 * `meta` of apiVersion 0.0.0/0.1.0 configs: `topic` is a topic name.
 * `create-topic` (alias `create_topic`; Fluvio ignores it) decides whether a missing topic is
 * created; default true, as Fluvio always creates it.
 *
 * @example
 * ```yaml
 * meta: {name: quotes-periodic, type: http-source, version: 0.3.3, topic: quotes}
 * ```
 */
export const MetaV1Schema = withKeyAliases(z.strictObject({ ...metaFields, topic: TopicNameOnlySchema }), metaAliases);
export type MetaV1 = z.output<typeof MetaV1Schema>;

/**
 * `meta` of apiVersion 0.2.0 configs: `topic` is a topic name or a {@link TopicConfigSchema} object.
 *
 * @example
 * ```yaml
 * meta: {name: quotes, type: http-source, version: 0.3.3, topic: {meta: {name: quotes}, partition: {count: 1}}}
 * ```
 */
export const MetaV2Schema = withKeyAliases(
  z.strictObject({ ...metaFields, topic: z.union([TopicNameSchema, TopicConfigSchema]) }),
  metaAliases,
);
export type MetaV2 = z.output<typeof MetaV2Schema>;

/**
 * Legacy `secrets:` (FC config.rs): a map NAME → default value. Declares NAME for
 * `${{ secrets.NAME }}`; the secrets file or the environment override the value.
 */
export const LegacySecretsSchema = z.record(
  SecretNameSchema,
  z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string value' }).transform(String),
  { error: 'expected a mapping of NAME: value' },
);

/**
 * The connector's own section (`http:`; legacy `parameters:`): absent or empty is an empty map
 * (defaults apply, FL `fluvio-connector-common/src/config.rs`), keys in kebab-case are read as
 * snake_case, and in legacy configs scalars are read as Fluvio passed them (see `coerceLegacyScalars`;
 * integer durations in the units of `definition.legacyDurationUnits`).
 */
export function sectionSchema(definition: ConnectorDefinition, format: 'legacy' | ApiVersion): z.ZodType {
  const schema = definition.schema as z.ZodType;
  const units = definition.legacyDurationUnits ?? {};
  const base =
    format === 'legacy'
      ? noteJsonSchema(z.preprocess((value) => coerceLegacyScalars(value, schema, units), schema), { kind: 'legacy-scalars', schema, units })
      : schema;
  return noteJsonSchema(z.preprocess((value) => value ?? {}, withKeyAliases(base, snakeCaseKey)), { kind: 'null-when-optional' });
}

/**
 * A legacy config (FC `rust-connectors/common/src/config.rs`) with the given `parameters:` schema.
 * `create-topic` is accepted for `create_topic`.
 */
export function legacyConfigSchema(parameters: z.ZodType = z.record(z.string(), z.unknown()).optional()) {
  return withKeyAliases(
    z.strictObject({
      version: VersionSchema,
      name: ConnectorNameSchema,
      type: typeField,
      topic: TopicNameSchema,
      direction: z.enum(['source', 'sink']).optional(),
      create_topic: createTopicField.optional(),
      parameters,
      secrets: LegacySecretsSchema.optional(),
      producer: ProducerOptionsSchema.optional(),
      consumer: ConsumerOptionsSchema.optional(),
      transforms: TransformsSchema,
    }),
    aliasKeys({ 'create-topic': 'create_topic' }),
  );
}

/**
 * The legacy envelope without connector-specific validation of `parameters`.
 * @example
 * ```yaml
 * version: v1
 * name: cat-facts
 * type: http
 * topic: cat-facts
 * create_topic: true
 * parameters: {endpoint: https://catfact.ninja/fact, interval: 10}
 * ```
 */
export const LegacyConfigSchema = legacyConfigSchema();
export type LegacyConfig = z.output<typeof LegacyConfigSchema>;

/**
 * An apiVersion config: `apiVersion`, `meta`, `transforms` and the connector's section under
 * `section.key`. Without a section (unknown connector type) other keys are not checked.
 */
export function apiConfigSchema(version: ApiVersion, section?: { key: string; schema: z.ZodType }) {
  const shape = {
    apiVersion: z.enum(API_VERSIONS).optional(),
    meta: version === '0.2.0' ? MetaV2Schema : MetaV1Schema,
    transforms: TransformsSchema,
  };
  if (!section) return z.looseObject(shape);
  return z.strictObject({ ...shape, [section.key]: section.schema });
}

/**
 * The apiVersion 0.2.0 envelope with the connector section left unchecked.
 * @example
 * ```yaml
 * apiVersion: 0.2.0
 * meta: {version: 0.3.3, name: quotes-periodic, type: http-source, topic: quotes}
 * http: {endpoint: "https://demo-data.infinyon.com/api/quote", interval: 2s}
 * ```
 */
export const ApiConfigSchema = apiConfigSchema('0.2.0');
export type ApiConfig = z.output<typeof ApiConfigSchema>;
