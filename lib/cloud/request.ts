import { ConnectorError, ErrorCode } from '../core';

/** An AWS API call of `connector cloud` that failed (after the SDK's own retries). */
export class CloudRequestError extends ConnectorError {
  /** The AWS error's name (`AccessDeniedException`, `ResourceNotFoundException`, …), or the Node error code. */
  readonly awsName: string;
  constructor(message: string, awsName: string, cause: unknown) {
    super(message, ErrorCode.CLOUD_REQUEST_FAILED, { cause });
    this.name = 'CloudRequestError';
    this.awsName = awsName;
  }
}

/** The name of an AWS SDK error (`error.name`), or a Node system error code (`ECONNREFUSED`). */
export function awsErrorName(error: unknown): string {
  if (error instanceof CloudRequestError) return error.awsName;
  if (error === null || typeof error !== 'object') return 'Error';
  const { name, code } = error as { name?: unknown; code?: unknown };
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  return typeof name === 'string' ? name : 'Error';
}

/** True when `error` is (or wraps) an AWS error named `name`. */
export function isAwsError(error: unknown, name: string): boolean {
  return awsErrorName(error) === name;
}

/** A short hint for well-known failures. */
function hintFor(name: string): string {
  if (name === 'CredentialsProviderError') return ' (no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)';
  if (/AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId/.test(name)) return ' (the credentials in use may not call this; see the IAM actions in lib/cloud/README.md)';
  if (/^E(CONNREFUSED|NOTFOUND|AI_AGAIN|TIMEDOUT|CONNRESET)$/.test(name)) return ' (the AWS endpoint cannot be reached: check the network, --region and AWS_ENDPOINT_URL)';
  if (/Throttl|TooManyRequests/.test(name)) return ' (throttled after the SDK\'s retries: try again later)';
  return '';
}

/**
 * Runs one AWS API call; a failure becomes a {@link CloudRequestError} (code
 * `CLOUD_REQUEST_FAILED`) naming the call, the AWS error and a hint, with the SDK error as cause.
 * @param what - the call, as the user would recognise it (`CloudFormation ListStacks`).
 */
export async function awsCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof CloudRequestError) throw error;
    const name = awsErrorName(error);
    const message = error instanceof Error ? error.message : String(error);
    throw new CloudRequestError(`${what} failed: ${name}: ${message}${hintFor(name)}`, name, error);
  }
}

/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the order of `items`.
 * Used to stay well inside AWS API rate limits while not calling one connector at a time.
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
