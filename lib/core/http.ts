import type { IncomingMessage } from 'node:http';

/** One HTTP request as the connectors issue it. */
export interface HttpRequest {
  /** Absolute `http://` or `https://` URL. */
  url: string;
  /** Method token, e.g. `GET` (sent as given). */
  method: string;
  /** Header pairs in the order to send them; a name may repeat. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Request body: a string is sent as UTF-8, bytes as they are; omitted when undefined. */
  body?: string | Uint8Array;
  /** Aborts the request (connect, headers and body). */
  signal: AbortSignal;
  /**
   * Limit for establishing the TCP (and TLS) connection, ms; the request fails with a
   * `ConnectTimeoutError` past it. A reused keep-alive connection is already established.
   * Default: none (the OS's own limit).
   */
  connectTimeoutMs?: number;
}

/** The response head plus a body stream. */
export interface HttpResponse {
  /** Protocol version as the server sent it, e.g. `1.1`. */
  httpVersion: string;
  /** Status code, e.g. 200. */
  status: number;
  /** Reason phrase, e.g. `OK` (may be empty). */
  statusText: string;
  /** Raw header pairs in wire order, names as sent; repeated headers appear once per line. */
  headers: ReadonlyArray<readonly [string, string]>;
  /** Body bytes as they arrive. Iterating it after `signal` aborts throws an AbortError. */
  body: AsyncIterable<Uint8Array>;
}

/**
 * The injected HTTP side effect. The default ({@link nodeHttpTransport}) is Node's `http`/`https`
 * through follow-redirects (up to 10 redirects, like reqwest's default that Fluvio's http-source uses).
 * We use it instead of `fetch` because Fluvio's `full` output needs the HTTP version, the reason
 * phrase and repeated headers kept apart, which `fetch` folds together.
 */
export type HttpTransport = (request: HttpRequest) => Promise<HttpResponse>;

/** Default {@link HttpTransport}: real network I/O with Node's HTTP stack. */
export const nodeHttpTransport: HttpTransport = (request) =>
  new Promise<HttpResponse>((resolve, reject) => {
    const url = new URL(request.url);
    // Loaded on first use: connectors that do not speak HTTP never load it.
    const followRedirects = require('follow-redirects') as typeof import('follow-redirects');
    const lib = url.protocol === 'https:' ? followRedirects.https : followRedirects.http;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of request.headers) {
      const existing = headers[name];
      headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    if (request.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['Content-Length'] = String(Buffer.byteLength(request.body));
    }
    const onAbort = (): void => {
      const reason = request.signal.reason instanceof Error ? request.signal.reason : new Error('request aborted');
      req.destroy(reason);
    };
    const release = (): void => request.signal.removeEventListener('abort', onAbort);
    const req = lib.request(
      url,
      { method: request.method, headers, maxRedirects: 10, maxBodyLength: Infinity },
      (res: IncomingMessage) => {
        // Errors after the head surface through the body iterator; this listener only keeps an
        // unread, aborted response from becoming an unhandled 'error' event.
        res.on('error', () => undefined);
        res.once('close', release);
        const raw = res.rawHeaders;
        const pairs: Array<readonly [string, string]> = [];
        for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!, raw[i + 1]!]);
        resolve({
          httpVersion: res.httpVersion,
          status: res.statusCode ?? 0,
          statusText: res.statusMessage ?? '',
          headers: pairs,
          body: res,
        });
      },
    );
    req.on('error', (err: Error) => {
      release();
      reject(err);
    });
    if (request.connectTimeoutMs !== undefined) limitConnect(req, request.connectTimeoutMs);
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    if (request.body !== undefined) req.write(request.body);
    req.end();
  });

/** Thrown (as the request's error) when a connection is not established within `connectTimeoutMs`. */
export class ConnectTimeoutError extends Error {
  readonly code = 'ECONNECTTIMEOUT';
  constructor(ms: number) {
    super(`connection not established within ${ms} ms`);
    this.name = 'ConnectTimeoutError';
  }
}

/** Destroys `req` with a {@link ConnectTimeoutError} when its socket is not connected within `ms`. */
function limitConnect(req: { once(event: 'socket', listener: (socket: import('node:net').Socket) => void): unknown; destroy(error: Error): unknown }, ms: number): void {
  req.once('socket', (socket: import('node:net').Socket) => {
    if (!socket.connecting) return; // a reused keep-alive connection
    const timer = setTimeout(() => req.destroy(new ConnectTimeoutError(ms)), ms);
    timer.unref();
    const clear = (): void => clearTimeout(timer);
    socket.once((socket as { encrypted?: boolean }).encrypted === true ? 'secureConnect' : 'connect', clear);
    socket.once('close', clear);
  });
}
