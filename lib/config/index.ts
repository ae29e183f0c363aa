/**
 * The config model: one loader for both Fluvio connector config formats, producing a validated
 * {@link ConnectorSpec}, with issues located at file:line:column.
 */
export { type ConsumerOptions, ConsumerOffsetStartSchema, ConsumerOptionsSchema, type ProducerOptions, ProducerOptionsSchema } from './client-options';
export { durationSchema, formatDuration, isDurationSchema, parseDuration } from '../schema/duration';
export {
  API_VERSIONS,
  type ApiConfig,
  ApiConfigSchema,
  type ApiVersion,
  apiConfigSchema,
  type LegacyConfig,
  LegacyConfigSchema,
  LegacySecretsSchema,
  legacyConfigSchema,
  type MetaV1,
  MetaV1Schema,
  type MetaV2,
  MetaV2Schema,
  RESERVED_KEYS,
  SecretDeclarationsSchema,
  sectionSchema,
} from './envelope';
export { type ConfigIssue, ConfigError, formatIssueMessage, type Severity } from './errors';
export { ByteSizeSchema, ConnectorNameSchema, SecretNameSchema, TopicNameSchema, VersionSchema } from '../schema/fields';
export { loadConnectorConfig, MAX_SHOWN_ISSUES, type ParseOptions, parseConnectorConfig, readConfigText } from './parse';
export { ConfigLimits } from './yaml-source';
export { loadSecretValues, type SecretValues } from './secrets';
export type { ConfigFormat, ConnectorSpec, TopicSpec } from './spec';
export { type TopicConfig, TopicConfigSchema } from './topic-config';
export { type TransformStep, TransformParameterSchema, TransformStepSchema, TransformsSchema } from '../transforms/schema';
export { deadLetterTopicOf, transformIssues } from './transforms';
