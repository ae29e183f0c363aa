/**
 * Classification of errors thrown by `KinesisClient.send`: which ones a retry can fix.
 * Service errors are recognised by their `name` (the AWS error code), network errors by their
 * Node.js `code`, timeouts by `TimeoutError`.
 */

/** AWS error codes of throttling and service-side failures: retry with backoff. */
const TRANSIENT_AWS_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'KMSThrottlingException',
  'InternalFailure',
  'InternalFailureException',
  'InternalServerError',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'RequestTimeout',
  'RequestTimeoutException',
  'TimeoutError', // NodeHttpHandler's request/connection timeout
]);

/** Node.js socket and DNS error codes: retry with backoff. */
const NETWORK_ERRORS: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_HTTP2_STREAM_ERROR',
]);

interface AwsErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

/** The AWS error code (`name`) of an SDK error, e.g. `'ResourceNotFoundException'`; `'Error'` for other errors. */
export function awsErrorName(err: unknown): string {
  const name = (err as AwsErrorShape | null)?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** HTTP status of the failed request, when the SDK got a response. */
export function awsHttpStatus(err: unknown): number | undefined {
  return (err as AwsErrorShape | null)?.$metadata?.httpStatusCode;
}

/**
 * Whether retrying the same request later may succeed: throttling (ProvisionedThroughputExceeded,
 * LimitExceeded, Throttling, KMSThrottling), InternalFailure, any 5xx, errors the SDK marks
 * `$retryable`, timeouts and network errors. Everything else (ResourceNotFound, AccessDenied,
 * Validation, InvalidArgument, other KMS errors, unknown errors) is permanent.
 */
export function isTransientAwsError(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const shape = err as AwsErrorShape;
  if (TRANSIENT_AWS_ERRORS.has(awsErrorName(err))) return true;
  if (typeof shape.code === 'string' && NETWORK_ERRORS.has(shape.code)) return true;
  if (isWrappedNetworkError(err)) return true;
  if (shape.$retryable) return true;
  const status = awsHttpStatus(err);
  return status !== undefined && status >= 500;
}

/**
 * The SDK's retry middleware replaces an error that is not `instanceof Error` in its realm (e.g. a
 * socket error created outside a jest/vm sandbox) with `new Error('AWS SDK error wrapper for …')`,
 * which loses `code`: recognise the network code in that message.
 */
function isWrappedNetworkError(err: unknown): boolean {
  const message = (err as { message?: unknown }).message;
  if (typeof message !== 'string' || !message.startsWith('AWS SDK error wrapper for ')) return false;
  return [...NETWORK_ERRORS].some((code) => message.includes(code));
}

/** `true` for ResourceNotFoundException (the stream does not exist, or is not ACTIVE yet). */
export function isNotFound(err: unknown): boolean {
  return awsErrorName(err) === 'ResourceNotFoundException';
}

/** A short description of an error for messages: `Name: message`. */
export function describeAwsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  return err.message && err.message !== err.name ? `${err.name}: ${err.message}` : err.name;
}
