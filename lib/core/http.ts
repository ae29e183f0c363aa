import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { ConnectorError, ErrorCode } from './errors';

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
  /**
   * Called once when the request (head and body) has been handed to the connection (Node's
   * `finish` of the first hop's `ClientRequest`): from then on the request only waits for its
   * response. Not called when the request fails before that. The runtime uses it to do work of a
   * cold start while the first response is on its way (see `runConnector`, poll windows).
   */
  onSent?: () => void;
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

/** Node's codes for a request it refuses to build: a header, the method or the URL holds a character HTTP does not allow. */
const REFUSED_REQUEST_CODES = new Set(['ERR_INVALID_CHAR', 'ERR_INVALID_HTTP_TOKEN', 'ERR_HTTP_INVALID_HEADER_VALUE', 'ERR_INVALID_URL', 'ERR_UNESCAPED_CHARACTERS', 'ERR_INVALID_ARG_VALUE']);

/** A config error for an error Node throws when it refuses to build a request; other errors as they are. */
function refusal(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && REFUSED_REQUEST_CODES.has(code)) {
    return new ConnectorError(`the request cannot be sent: ${(err as Error).message} (a header, the method or the URL holds a character HTTP does not allow)`, ErrorCode.CONFIG_INVALID_VALUE, { cause: err });
  }
  return err instanceof Error ? err : new Error(String(err));
}

let followRedirectsModule: typeof import('follow-redirects') | undefined;

/**
 * follow-redirects, loaded on first use (connectors that do not speak HTTP never load it) and kept:
 * a `require` call resolves its path again each time, about 10 µs of every poll on the bench machine.
 */
function loadFollowRedirects(): typeof import('follow-redirects') {
  followRedirectsModule ??= require('follow-redirects') as typeof import('follow-redirects');
  return followRedirectsModule;
}

let httpModule: typeof import('node:http') | undefined;
let httpsModule: typeof import('node:https') | undefined;
/** Node's `http`, loaded on first use and kept (like {@link loadFollowRedirects}). */
const loadHttp = (): typeof import('node:http') => (httpModule ??= require('node:http') as typeof import('node:http'));
/** Node's `https` (it loads TLS: tens of ms of a cold start), loaded on the first `https://` request and kept. */
const loadHttps = (): typeof import('node:https') => (httpsModule ??= require('node:https') as typeof import('node:https'));

/**
 * Default {@link HttpTransport}: real network I/O with Node's HTTP stack. Redirects are followed by
 * follow-redirects, up to 10 hops. A safe request (`GET`, `HEAD`, `OPTIONS`, `TRACE`) to a URL not
 * known to redirect is first sent with Node's `http`/`https` alone (see `send`): when that answer is a
 * redirect, the URL is remembered and the request is sent again through follow-redirects; any other
 * request goes through follow-redirects at once, so it is never sent twice.
 *
 * Every request settles: with the response head, or rejected when the request fails, when
 * `signal` aborts, when the connection closes without a response (an endpoint answering
 * `101 Switching Protocols`, which Node hands to an `upgrade` listener that follow-redirects does
 * not forward), or for `CONNECT` (a tunnel, not a request).
 *
 * @throws (rejects with) ConnectorError CONFIG_UNSUPPORTED for `CONNECT`, and CONFIG_INVALID_VALUE
 *   when Node refuses to build the request (`ERR_INVALID_CHAR` in a header value, an invalid method
 *   token): no retry can fix those. Any other rejection is a network error worth retrying.
 */
export const nodeHttpTransport: HttpTransport = (request) => {
  if (request.method.toUpperCase() === 'CONNECT') {
    return Promise.reject(new ConnectorError('method CONNECT opens a tunnel, not a request: it is not supported', ErrorCode.CONFIG_UNSUPPORTED));
  }
  let url: URL;
  try {
    url = new URL(request.url);
  } catch (err) {
    return Promise.reject(refusal(err));
  }
  const plain = SAFE_METHODS.has(request.method.toUpperCase()) && !redirectingUrls.has(request.url);
  return send(request, url, plain);
};

/** Methods that are safe (RFC 9110 §9.2.1): sending one again is harmless by definition. */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/**
 * URLs whose plain request answered with a redirect: their later requests go through follow-redirects at
 * once. At most {@link REDIRECTING_URLS_MAX} are remembered (the set starts again when full).
 */
const redirectingUrls = new Set<string>();
const REDIRECTING_URLS_MAX = 1024;

/** Whether follow-redirects would follow this response (its own test: a 3xx status with a `Location`). */
const isRedirect = (res: IncomingMessage): boolean => {
  const status = res.statusCode ?? 0;
  return status >= 300 && status < 400 && res.headers.location !== undefined;
};

/**
 * One attempt of {@link nodeHttpTransport}.
 *
 * @param plain - send with Node's `http`/`https` directly: a safe request to a URL not known to redirect.
 *   follow-redirects wraps every request in a `Writable` and forwards its events, about 35 µs of CPU and
 *   most of the young-generation garbage that survives a minor GC per poll on the bench machine
 *   (`npm run bench -- http`). When the plain response is a redirect it is discarded, the URL is remembered,
 *   and the request is sent again through follow-redirects, which follows the chain (up to 10 hops);
 *   the first hop is then asked twice, which a safe method allows.
 *   `false`: through follow-redirects from the start (every other method, and URLs known to redirect).
 */
function send(request: HttpRequest, url: URL, plain: boolean): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of request.headers) {
      const existing = headers[name];
      headers[name] = existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
    }
    if (request.body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-length')) {
      headers['Content-Length'] = String(Buffer.byteLength(request.body));
    }
    let settled = false;
    // The socket of the request in flight (a redirect replaces it): its close before a response
    // means none will come.
    let socket: Socket | undefined;
    const onSocketClose = (): void => fail(new Error('the connection closed without an HTTP response (a 101 Switching Protocols answer, a protocol upgrade, is not supported)'));
    const detachSocket = (): void => {
      socket?.removeListener('close', onSocketClose);
      socket = undefined;
    };
    const onAbort = (): void => {
      const reason = request.signal.reason instanceof Error ? request.signal.reason : new Error('request aborted');
      fail(reason);
      req?.destroy(reason);
    };
    const release = (): void => request.signal.removeEventListener('abort', onAbort);
    function fail(err: Error): void {
      detachSocket();
      release();
      if (settled) return;
      settled = true;
      reject(err);
    }
    const onResponse = (res: IncomingMessage): void => {
      detachSocket();
      // Errors after the head surface through the body; this listener only keeps an unread,
      // aborted response from becoming an unhandled 'error' event.
      res.on('error', () => undefined);
      res.once('close', release);
      if (settled) {
        res.destroy();
        return;
      }
      settled = true;
      if (plain && isRedirect(res)) {
        res.resume(); // discarded; its connection stays reusable
        release();
        if (redirectingUrls.size >= REDIRECTING_URLS_MAX) redirectingUrls.clear();
        redirectingUrls.add(request.url);
        resolve(send({ ...request, onSent: undefined }, url, false)); // onSent was called for the first hop
        return;
      }
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
    };
    let req: ClientRequest | undefined;
    try {
      if (plain) {
        req = (url.protocol === 'https:' ? loadHttps() : loadHttp()).request(url, { method: request.method, headers }, onResponse);
      } else {
        const followRedirects = loadFollowRedirects();
        req = (url.protocol === 'https:' ? followRedirects.https : followRedirects.http).request(
          url,
          {
            method: request.method,
            headers,
            maxRedirects: 10,
            maxBodyLength: Infinity,
            // The previous hop's socket closes after a redirect: that is not a missing response.
            beforeRedirect: () => detachSocket(),
          },
          onResponse,
        ) as unknown as ClientRequest;
      }
    } catch (err) {
      fail(refusal(err));
      return;
    }
    req.on('error', (err: Error) => fail(err));
    req.on('socket', (next: Socket) => {
      detachSocket();
      if (settled) return;
      socket = next;
      next.once('close', onSocketClose);
    });
    // follow-redirects forwards `connect` (a CONNECT answer); never expected, since CONNECT is refused above.
    req.on('connect', () => fail(new Error('the endpoint opened a tunnel (CONNECT), which is not supported')));
    if (request.connectTimeoutMs !== undefined) limitConnect(req, request.connectTimeoutMs);
    if (request.signal.aborted) onAbort();
    else request.signal.addEventListener('abort', onAbort, { once: true });
    if (request.body !== undefined) req.write(request.body);
    const onSent = request.onSent;
    if (onSent) req.end(() => onSent());
    else req.end();
  });
}

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
