import { finished, Readable } from 'node:stream';
import type { HttpRequest } from '../../core/http';
import type { HttpSourceConfig } from './schema';

/**
 * The request Fluvio's http-source sends, for one poll or one streaming connection: `method`,
 * `endpoint`, `body`, the `headers` pairs in config order, and `User-Agent: <user_agent>` first
 * unless `headers` has its own `User-Agent` entry (Fluvio then sends both; ours wins alone).
 *
 * @param signal - aborts the request (shutdown, timeout).
 */
export function buildRequest(config: HttpSourceConfig, signal: AbortSignal): HttpRequest {
  const hasUserAgent = config.headers.some(([name]) => name.toLowerCase() === 'user-agent');
  const headers: Array<readonly [string, string]> = hasUserAgent ? [] : [['User-Agent', config.user_agent]];
  headers.push(...config.headers);
  return { url: config.endpoint, method: config.method, headers, body: config.body, signal };
}

/** Whether a status is a success (2xx), the only kind produced unless `produce_any_status`. */
export function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/** Whether a failed status is worth retrying: 429 (Too Many Requests) and every 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}

/**
 * Reads a whole body into one buffer.
 *
 * Read with `'data'` listeners and `stream.finished`, not `for await`: on Node 20 a stream's async
 * iterator costs about 80 µs and several KB of allocations per response, a third of a small poll on
 * the bench machine (`npm run bench -- http`). A body that is not a Node stream (what
 * `nodeHttpTransport` gives: the `IncomingMessage`) is wrapped with `Readable.from`, like `BodyReader` does.
 *
 * @throws whatever the body stream fails with (connection reset, abort of the request's signal;
 *   `ERR_STREAM_PREMATURE_CLOSE` when it closes before its end).
 */
export function readBody(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const stream = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    finished(stream, (err) => {
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    });
  });
}

/** First value of a response header (case-insensitive name), or `undefined`. */
export function headerValue(headers: ReadonlyArray<readonly [string, string]>, name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.toLowerCase() === lower)?.[1];
}

/** A short description of a request failure for logs (`TimeoutError`, `ECONNREFUSED: …`). */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${err.message}` : `${err.name}: ${err.message}`;
  }
  return String(err);
}
