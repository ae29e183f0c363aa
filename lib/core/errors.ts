/**
 * Error model shared by every part of the project.
 *
 * Every error we throw on purpose is a {@link ConnectorError} with a stable SCREAMING_SNAKE `code`.
 * Codes are part of the public contract (tests and scripts match on them): never rename one.
 */

/** Stable error codes. Add new ones; never rename or reuse. */
export const ErrorCode = {
  /** The config file could not be read (missing, unreadable). */
  CONFIG_READ: 'CONFIG_READ',
  /** The YAML text is not well-formed. */
  CONFIG_YAML_SYNTAX: 'CONFIG_YAML_SYNTAX',
  /** A field has the wrong type or an invalid value. */
  CONFIG_INVALID_VALUE: 'CONFIG_INVALID_VALUE',
  /** A required field is absent. */
  CONFIG_MISSING_FIELD: 'CONFIG_MISSING_FIELD',
  /** A key that the schema does not know (Fluvio ignores these silently; we do not). */
  CONFIG_UNKNOWN_FIELD: 'CONFIG_UNKNOWN_FIELD',
  /** `type` / `meta.type` names no registered connector. */
  CONFIG_UNKNOWN_CONNECTOR: 'CONFIG_UNKNOWN_CONNECTOR',
  /** `apiVersion` is not one of the supported versions. */
  CONFIG_UNSUPPORTED_API_VERSION: 'CONFIG_UNSUPPORTED_API_VERSION',
  /** `${{ secrets.X }}` names a secret that has no value in the secrets file or environment. */
  CONFIG_SECRET_MISSING: 'CONFIG_SECRET_MISSING',
  /** `${{ secrets.X }}` names a secret that the config does not declare. */
  CONFIG_SECRET_UNDECLARED: 'CONFIG_SECRET_UNDECLARED',
  /** `${{ secrets.X }}` is used where a secret may not go (`meta.name`, the topic: they name files, logs and AWS resources). */
  CONFIG_SECRET_NOT_ALLOWED: 'CONFIG_SECRET_NOT_ALLOWED',
  /**
   * The config file exceeds a limit that keeps validation bounded: its size (256 KiB), its nesting
   * depth, its aliases (count, expansion), or the number of issues shown.
   */
  CONFIG_LIMIT_EXCEEDED: 'CONFIG_LIMIT_EXCEEDED',
  /** Warning: a field is set but has no effect with the other settings (e.g. `delimiter` without `stream`). */
  CONFIG_IGNORED_FIELD: 'CONFIG_IGNORED_FIELD',
  /** Warning: a valid value that is probably not what was meant (a non-standard HTTP method, a body with GET). */
  CONFIG_SUSPICIOUS_VALUE: 'CONFIG_SUSPICIOUS_VALUE',
  /** Warning: a declared secret is never used by `${{ secrets.NAME }}`. */
  CONFIG_SECRET_UNUSED: 'CONFIG_SECRET_UNUSED',
  /** Warning: a legacy `secrets:` default value is part of the config text, which is deployed in the function's or task's environment. */
  CONFIG_SECRET_DEFAULT_DEPLOYED: 'CONFIG_SECRET_DEFAULT_DEPLOYED',
  /** Warning: the YAML is valid but uses something the YAML spec says to warn about (a newer `%YAML` minor version, an unknown directive, a redefined anchor). */
  CONFIG_YAML_WARNING: 'CONFIG_YAML_WARNING',
  /** The secrets file could not be read or has a malformed line. */
  SECRETS_FILE_INVALID: 'SECRETS_FILE_INVALID',
  /** The config asks for something this project does not run yet (e.g. WebSocket, a sink). */
  CONFIG_UNSUPPORTED: 'CONFIG_UNSUPPORTED',
  /** The topic does not exist and the config does not allow creating it. */
  TOPIC_NOT_FOUND: 'TOPIC_NOT_FOUND',
  /** The topic backend rejected or failed a write after all retries. */
  TOPIC_WRITE_FAILED: 'TOPIC_WRITE_FAILED',
  /** The local store file was written by a newer version of this program (schema version). */
  TOPIC_STORE_UNSUPPORTED: 'TOPIC_STORE_UNSUPPORTED',
  /** A stored batch of the local store fails its check: its segment file is shorter than its row says, or its bytes do not match their CRC-32. */
  TOPIC_STORE_DAMAGED: 'TOPIC_STORE_DAMAGED',
  /** A record can never be accepted by the topic backend: too large (Kinesis: data + partition key > 1 MiB). */
  TOPIC_RECORD_TOO_LARGE: 'TOPIC_RECORD_TOO_LARGE',
  /** A topic management call (create, describe, list, delete) failed, or a topic did not become ready in time. */
  TOPIC_ADMIN_FAILED: 'TOPIC_ADMIN_FAILED',
  /** The topic already exists (explicit `topic create`). */
  TOPIC_EXISTS: 'TOPIC_EXISTS',
  /** A connector with this name is already running (`deploy start`). */
  CONNECTOR_ALREADY_RUNNING: 'CONNECTOR_ALREADY_RUNNING',
  /** No deployed connector with this name (`deploy shutdown|log`). */
  CONNECTOR_NOT_FOUND: 'CONNECTOR_NOT_FOUND',
  /** A background connector (`deploy start`) exited or stayed silent before it started. */
  CONNECTOR_START_FAILED: 'CONNECTOR_START_FAILED',
  /** Bad command-line usage. */
  USAGE: 'USAGE',
  /** Every poll of a scheduled function's window failed (the endpoint is down or answers errors). */
  CONNECTOR_POLLS_FAILED: 'CONNECTOR_POLLS_FAILED',
  /**
   * A poller's `CONNECTOR_SPEC` (the config the generator validated) is unreadable or was written for
   * another config schema than the function's code runs: redeploy (lib/config/deployed.ts).
   */
  DEPLOYED_SPEC_STALE: 'DEPLOYED_SPEC_STALE',
  /** Deployment options (`custom.connectors` in serverless.yml, `--param`) are invalid. */
  DEPLOY_OPTIONS_INVALID: 'DEPLOY_OPTIONS_INVALID',
  /**
   * The configs cannot be deployed as they are. Kept for compatibility; every condition now has a
   * code of its own (the `DEPLOY_*` codes below).
   */
  DEPLOY_UNSUPPORTED: 'DEPLOY_UNSUPPORTED',
  /** Two configs of one deployment use the same connector name. */
  DEPLOY_DUPLICATE_NAME: 'DEPLOY_DUPLICATE_NAME',
  /** No placement (function, task, …) runs this kind of connector in AWS yet (every kind has one today: kept for new kinds). */
  DEPLOY_NO_PLACEMENT: 'DEPLOY_NO_PLACEMENT',
  /** A config is too large for its function's environment (Lambda allows 4 KB). */
  DEPLOY_ENVIRONMENT_TOO_LARGE: 'DEPLOY_ENVIRONMENT_TOO_LARGE',
  /** Two resources of one stack would get the same CloudFormation logical ID. */
  DEPLOY_LOGICAL_ID_COLLISION: 'DEPLOY_LOGICAL_ID_COLLISION',
  /** A stack would exceed CloudFormation's 500 resources (the message says which `groups` value fits). */
  DEPLOY_STACK_TOO_LARGE: 'DEPLOY_STACK_TOO_LARGE',
  /** One topic's connectors alone exceed a stack's 500 resources (they share the stack of their stream). */
  DEPLOY_TOPIC_TOO_LARGE: 'DEPLOY_TOPIC_TOO_LARGE',
  /** No longer raised (sinks run their transforms, dead-letter steps included); kept so the code stays stable. */
  DEPLOY_TRANSFORMS_UNSUPPORTED: 'DEPLOY_TRANSFORMS_UNSUPPORTED',
  /** `connector cloud`: no stack of the service and stage in the region, or a stack without connector descriptors. */
  CLOUD_NOT_DEPLOYED: 'CLOUD_NOT_DEPLOYED',
  /** `connector cloud`: an AWS API call failed (credentials, permissions, endpoint, throttling after retries). */
  CLOUD_REQUEST_FAILED: 'CLOUD_REQUEST_FAILED',
  /** `connector cloud invoke`: the function ran and returned an error (its message and log tail are printed). */
  CLOUD_INVOKE_FAILED: 'CLOUD_INVOKE_FAILED',
  /** `transforms[].uses` names no known SmartModule (neither built in, nor a `.wasm` file). */
  CONFIG_UNKNOWN_TRANSFORM: 'CONFIG_UNKNOWN_TRANSFORM',
  /** A transform failed on a record and its `on_error` is `fail` (the default): the run stops. */
  TRANSFORM_FAILED: 'TRANSFORM_FAILED',
  /** A SmartModule `.wasm` file cannot be used: unreadable, not WebAssembly, no entry point, an import the host does not provide. */
  TRANSFORM_INVALID_MODULE: 'TRANSFORM_INVALID_MODULE',
  /** A SmartModule's `init` refused its `with:` parameters. */
  TRANSFORM_INIT_FAILED: 'TRANSFORM_INIT_FAILED',
  /** A SmartModule `.wasm` file cannot be deployed: outside the configs directory, or an absolute path. */
  DEPLOY_SMARTMODULE_PATH: 'DEPLOY_SMARTMODULE_PATH',
  /** A dead-letter topic (`<topic>-dlq`) is also another config's topic. */
  DEPLOY_DEAD_LETTER_CONFLICT: 'DEPLOY_DEAD_LETTER_CONFLICT',
  /** A sink's `consumer.offset.start` has no Kinesis event source mapping equivalent (only `beginning` and `end` have). */
  DEPLOY_CONSUMER_OFFSET_UNSUPPORTED: 'DEPLOY_CONSUMER_OFFSET_UNSUPPORTED',
  /** The external service refused the connector for good (bad credentials, a subscription it may not make): retrying cannot help. */
  SOURCE_REFUSED: 'SOURCE_REFUSED',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Base class of every error this project throws on purpose. */
export class ConnectorError extends Error {
  /** Stable machine-readable code, see {@link ErrorCode}. */
  readonly code: ErrorCode;

  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectorError';
    this.code = code;
  }
}

/** Thrown when a topic is missing and may not be created (legacy config without `create_topic: true`). */
export class TopicNotFoundError extends ConnectorError {
  readonly topic: string;
  constructor(topic: string, hint?: string) {
    super(`Topic "${topic}" not found${hint ? `: ${hint}` : ''}`, ErrorCode.TOPIC_NOT_FOUND);
    this.name = 'TopicNotFoundError';
    this.topic = topic;
  }
}

/** Thrown when records could not be written to a topic after every retry. Carries how many were lost. */
export class TopicWriteError extends ConnectorError {
  /** Number of records that were received from the source but not accepted by the topic. */
  readonly undelivered: number;
  /** Retrying cannot help (access denied, record too large): the runtime fails at once instead of retrying. */
  readonly permanent: boolean;
  constructor(message: string, undelivered: number, cause?: unknown, permanent = false) {
    super(message, ErrorCode.TOPIC_WRITE_FAILED, { cause });
    this.name = 'TopicWriteError';
    this.undelivered = undelivered;
    this.permanent = permanent;
  }
}

/**
 * Thrown by a producer before writing anything when one record of a send can never be accepted
 * (Kinesis: data + partition key over 1 MiB). Retrying cannot help. The message gives the record's
 * index in the send, its size and the limit, never its content; `undelivered` is the whole send.
 */
export class RecordTooLargeError extends TopicWriteError {
  override readonly code: ErrorCode = ErrorCode.TOPIC_RECORD_TOO_LARGE;
  /** Index of the first oversize record in the `send` call. */
  readonly index: number;
  /** Its size in bytes, counted as the backend counts it. */
  readonly size: number;
  /** The backend's per-record limit, in bytes. */
  readonly limit: number;
  constructor(topic: string, details: { index: number; size: number; limit: number; undelivered: number }) {
    super(
      `record ${details.index} of a batch for topic "${topic}" is ${details.size} bytes, over the limit of ${details.limit} bytes: nothing of the batch was written`,
      details.undelivered,
      undefined,
      true,
    );
    this.name = 'RecordTooLargeError';
    this.index = details.index;
    this.size = details.size;
    this.limit = details.limit;
  }
}

/** A topic management call failed (permissions, limits, validation), or a topic did not become ready in time. */
export class TopicAdminError extends ConnectorError {
  /** The topic concerned (`''` for a listing). */
  readonly topic: string;
  constructor(topic: string, message: string, cause?: unknown) {
    super(message, ErrorCode.TOPIC_ADMIN_FAILED, { cause });
    this.name = 'TopicAdminError';
    this.topic = topic;
  }
}

/**
 * Thrown by a source for a failure worth trying again (a network error, a timeout, 429 or 5xx, a
 * broken connection), after it logged the failure and counted it in `metrics.errors`. The runtime
 * owns what happens next: a periodic poll is retried within its slot with backoff (or after
 * `retryAfterMs`), a continuous source reconnects with backoff. Any other error thrown by a poll is
 * logged and counted by the runtime; by a continuous source, it ends the connector.
 */
export class RetryableError extends Error {
  /** Wait the endpoint asked for (`Retry-After`), ms; capped by the source's backoff maximum. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'RetryableError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * Thrown by a sink's `write` when the external service did not accept every record: the first
 * `accepted` records (in offset order) were delivered, the rest were not.
 */
export class SinkWriteError extends Error {
  /** Leading records of the batch that were delivered before the failure. */
  readonly accepted: number;
  /** Whether a retry may succeed (5xx, 429, network errors) or not (4xx, a record the service refuses). */
  readonly retryable: boolean;
  /** Wait the service asked for (`Retry-After`), ms; capped by the sink's backoff maximum. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { accepted: number; retryable: boolean; retryAfterMs?: number; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = 'SinkWriteError';
    this.accepted = options.accepted;
    this.retryable = options.retryable;
    this.retryAfterMs = options.retryAfterMs;
  }
}

/**
 * A transform (SmartModule) failed on a record whose step says `on_error: fail` (the default): the
 * run stops. Thrown by the runtime after the records before the failing one were written; the
 * message names the step, the SmartModule, the record's position and the cause.
 */
export class TransformError extends ConnectorError {
  /** Index of the step in `transforms:` (0-based). */
  readonly step: number;
  /** The step's `uses:`. */
  readonly uses: string;
  /** A source's record: its position among the records the source produced in this run (0-based); a sink's: its topic offset. */
  readonly offset: number;
  /** Records of the batch that were not written because the run stopped (the failing one included). */
  readonly unwritten: number;
  constructor(message: string, details: { step: number; uses: string; offset: number; unwritten: number; cause?: unknown }) {
    super(message, ErrorCode.TRANSFORM_FAILED, { cause: details.cause });
    this.name = 'TransformError';
    this.step = details.step;
    this.uses = details.uses;
    this.offset = details.offset;
    this.unwritten = details.unwritten;
  }
}

/**
 * Whether `err` is a config problem (a {@link ConnectorError} with a `CONFIG_*` code): no retry can
 * fix it, so the runtime ends the connector with it instead of retrying (e.g. a header value that
 * Node refuses at send time).
 */
export function isConfigError(err: unknown): err is ConnectorError {
  return err instanceof ConnectorError && err.code.startsWith('CONFIG_');
}

/** Bad command-line usage; the CLI exits with code 2. */
export class UsageError extends ConnectorError {
  constructor(message: string) {
    super(message, ErrorCode.USAGE);
    this.name = 'UsageError';
  }
}
