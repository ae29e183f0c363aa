/**
 * The contracts every layer depends on (connectors, sources, sinks, topics, the runtime
 * environment) and the ports (clock, log, HTTP). Depends on nothing else of this project.
 */
export { Backoff, BackoffDefaults, backoffPolicy, type BackoffSettings } from './backoff';
export { type Clock, MAX_TIMER_MS, systemClock } from './clock';
export {
  type ConnectorDefinition,
  type ConnectorInfo,
  type ConnectorMode,
  type Direction,
  type DurationUnit,
  modeOf,
  type SectionWarning,
  type SinkDefinition,
  type SourceDefinition,
  type SourceMode,
  type SourceRuntime,
} from './definition';
export {
  ConnectorEnv,
  encodeRuntimeEnv,
  environmentBytes,
  LAMBDA_ENV_LIMIT_BYTES,
  METRICS_OUTPUTS,
  type MetricsOutput,
  parseRuntimeEnv,
  RuntimeDefaults,
  type RuntimeEnv,
  type RuntimeEnvInput,
  RuntimeEnvContract,
  TOPIC_BACKENDS,
  type TopicBackendName,
} from './env';
export {
  ConnectorError,
  ErrorCode,
  isConfigError,
  RecordTooLargeError,
  RetryableError,
  SinkWriteError,
  TopicAdminError,
  TopicNotFoundError,
  TopicWriteError,
  TransformError,
  UsageError,
} from './errors';
export { ConnectTimeoutError, type HttpRequest, type HttpResponse, type HttpTransport, nodeHttpTransport } from './http';
export { parseRetryAfter } from './retry-after';
export { createJsonLogger, type Logger, redactingLogger, silentLogger } from './log';
export { CloudWatchMetric, type ConnectorMetrics, createMetrics } from './metrics';
export { fitName, shortHash } from './names';
export type { PortName, Ports } from './ports';
export { type ConnectorRegistry, createRegistry, RESERVED_SECTIONS } from './registry';
export type { Sink, SinkContext, SinkRetry } from './sink';
export type { ContinuousSource, PeriodicSource, PollRetry, SessionEnd, Source, SourceContext, SourceRecord } from './source';
export type { ConsumerOffset, ProducerRecord, TopicAdmin, TopicBackend, TopicConsumer, TopicInfo, TopicProducer, TopicRecord } from './topics';
