/** zod helpers shared by the config model, the connector schemas and the deployment options. */
export { durationSchema, formatDuration, isDurationSchema, parseDuration } from './duration';
export { ByteSizeSchema, ConnectorNameSchema, SecretNameSchema, TopicNameOnlySchema, TopicNameSchema, VersionSchema, wholeNumber } from './fields';
export { HeaderLineSchema } from './http';
export { type FieldKind, fieldKind, knownKeysAt, objectShape, type PathSegment, unwrapSchema } from './walk';
