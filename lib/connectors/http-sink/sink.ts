import { type HttpRequest, type HttpResponse, parseRetryAfter, type Sink, type SinkContext, SinkWriteError, type TopicRecord } from '../../core';
import type { HttpSinkConfig } from './schema';

/** Bytes of a failed response's body kept for the log message. */
const LOGGED_BODY_BYTES = 200;

/**
 * The request headers of every record: `User-Agent: <user_agent>` first unless `headers` has its
 * own `User-Agent` entry, then `headers` in config order (the default `Content-Type: text/html`
 * when none are given, as in Fluvio).
 */
export function requestHeaders(config: HttpSinkConfig): ReadonlyArray<readonly [string, string]> {
  const hasUserAgent = config.headers.some(([name]) => name.toLowerCase() === 'user-agent');
  return [...(hasUserAgent ? [] : [['User-Agent', config.user_agent] as const]), ...config.headers];
}

/** Whether a failed status is worth retrying: 429 (Too Many Requests) and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/** How one request went. */
type Outcome = { ok: true } | { ok: false; reason: string; retryable: boolean; retryAfterMs?: number; cause?: unknown };

/**
 * Creates the http-sink: each record is sent as one request (`method`, `endpoint`, the record's
 * value bytes as the body, the key ignored, as Fluvio does), one after the other in offset order.
 *
 * - A 2xx response accepts the record.
 * - A network error, a timeout (`http_connect_timeout`, `http_request_timeout`), 429 or 5xx fails
 *   the write as retryable, with the `Retry-After` of the response: the runtime retries it with
 *   backoff (`backoff_min`…`backoff_max`, `max_retries` times), then dead-letters it.
 * - Any other status (4xx, an unfollowed 3xx) refuses the record: it is dead-lettered at once.
 *   (Fluvio logs non-2xx responses and moves on as if delivered, and drops a record after its
 *   retries of network errors; here no record is lost silently.)
 *
 * Responses are read to the end (so connections are reused); failures are described by status
 * and the start of the body, never by the endpoint, which may hold a secret.
 */
export function createHttpSink(config: HttpSinkConfig): Sink {
  const headers = requestHeaders(config);
  return {
    retry: { maxRetries: config.max_retries, minMs: config.backoff_min, maxMs: config.backoff_max },
    async write(records, ctx) {
      for (let i = 0; i < records.length; i++) {
        const outcome = await send(config, headers, records[i] as TopicRecord, ctx);
        if (!outcome.ok) {
          throw new SinkWriteError(outcome.reason, { accepted: i, retryable: outcome.retryable, retryAfterMs: outcome.retryAfterMs, cause: outcome.cause });
        }
      }
    },
  };
}

/** Sends one record. Never throws: the outcome says what happened. */
async function send(config: HttpSinkConfig, headers: HttpRequest['headers'], record: TopicRecord, ctx: SinkContext): Promise<Outcome> {
  const request = new AbortController();
  const onStop = (): void => request.abort(ctx.signal.reason);
  if (ctx.signal.aborted) onStop();
  else ctx.signal.addEventListener('abort', onStop, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    request.abort(new DOMException(`http_request_timeout of ${config.http_request_timeout} ms exceeded`, 'TimeoutError'));
  }, config.http_request_timeout);
  try {
    let response: HttpResponse;
    let body: Buffer;
    try {
      response = await ctx.http({ url: config.endpoint, method: config.method, headers, body: record.value, signal: request.signal, connectTimeoutMs: config.http_connect_timeout });
      body = await readStart(response.body);
    } catch (err) {
      if (ctx.signal.aborted) return { ok: false, reason: 'stopped while sending', retryable: true, cause: err };
      const reason = timedOut ? `request timed out (http_request_timeout ${config.http_request_timeout} ms)` : `request failed: ${describeError(err)}`;
      return { ok: false, reason, retryable: true, cause: err };
    }
    if (response.status >= 200 && response.status < 300) return { ok: true };
    const retryable = isRetryableStatus(response.status);
    const retryAfterMs = retryable ? parseRetryAfter(headerValue(response.headers, 'retry-after'), ctx.clock.now()) : undefined;
    const text = body.toString('utf8').replace(/\s+/g, ' ').trim();
    return { ok: false, reason: `HTTP ${response.status}${text ? `: ${text}` : ''}`, retryable, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onStop);
  }
}

/** Reads a body to its end, keeping its first {@link LOGGED_BODY_BYTES} bytes. */
async function readStart(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const kept: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < LOGGED_BODY_BYTES) kept.push(Buffer.from(chunk.subarray(0, LOGGED_BODY_BYTES - size)));
    size += chunk.byteLength;
  }
  return Buffer.concat(kept);
}

/** First value of a response header (case-insensitive name), or `undefined`. */
function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** A short description of a request failure (`ECONNREFUSED: …`). */
function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
