/** zod helpers shared by the config model, the connector schemas and the deployment options. */
export {
  DURATION_PATTERN,
  type DurationBounds,
  durationBounds,
  type DurationOptions,
  durationSchema,
  describeBounds,
  formatDuration,
  isDurationSchema,
  MAX_TIMER_DURATION,
  parseDuration,
  withDurationOptIns,
} from './duration';
export {
  CLIENT_OWNED_HEADERS,
  HEADER_VALUE_RULE,
  headerValueProblem,
  HTTP_TOKEN,
  HttpHeaderLineSchema,
  HttpHeaderValueSchema,
  HttpMethodSchema,
  type HttpUrlOptions,
  httpUrlSchema,
  isHttpToken,
  methodWarning,
  STANDARD_METHODS,
  urlProblem,
} from './http';
export { ByteSizeSchema, ConnectorNameSchema, SecretNameSchema, TopicNameOnlySchema, TopicNameSchema, VersionSchema, wholeNumber } from './fields';
export { HeaderLineSchema } from './http';
export { type FieldKind, fieldKind, knownKeysAt, objectShape, type PathSegment, unwrapSchema } from './walk';
