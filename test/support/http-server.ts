import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the test server received it. */
export interface RecordedRequest {
  /** Method, e.g. `GET`. */
  readonly method: string;
  /** Path and query, e.g. `/api?x=1`. */
  readonly path: string;
  /** Header pairs in wire order, names as sent (repeated headers appear once per line). */
  readonly rawHeaders: ReadonlyArray<readonly [string, string]>;
  /** Node's parsed headers (lower-case names; repeated values joined or in arrays). */
  readonly headers: IncomingMessage['headers'];
  /** The whole request body, decoded as UTF-8. */
  readonly body: string;
  /** The whole request body as bytes. */
  readonly bodyBytes: Buffer;
}

/**
 * Handles one request. The request body has already been read (see `recorded.body`). The handler
 * may answer at once, stream, or never answer; it may be async. Its return value is ignored
 * (so `(_req, res) => res.end('x')` is fine); a rejected promise answers 500.
 */
export type TestHandler = (req: IncomingMessage, res: ServerResponse, recorded: RecordedRequest) => unknown;

/** A running test server. */
export interface TestHttpServer {
  /** Base URL with the real port, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Every request received so far, in arrival order (pushed before the handler runs). */
  readonly requests: RecordedRequest[];
  /** Stops the server and destroys open connections (including streams still being written). */
  close(): Promise<void>;
}

/**
 * Starts a real `node:http` server on 127.0.0.1, port 0 (a free port), for tests that need a
 * real HTTP peer (no HTTP mocking). Each request is recorded, then passed to `handler`. A handler
 * that throws answers 500 (if nothing was sent yet), so a broken test fails visibly.
 *
 * @example
 * ```ts
 * const server = await startHttpServer((_req, res) => res.end('hello'));
 * try { ... fetch(server.url) ... } finally { await server.close(); }
 * ```
 */
export async function startHttpServer(handler: TestHandler): Promise<TestHttpServer> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawHeaders: Array<readonly [string, string]> = [];
      for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) rawHeaders.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
      const recorded: RecordedRequest = {
        method: req.method ?? '',
        path: req.url ?? '',
        rawHeaders,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        bodyBytes: Buffer.concat(chunks),
      };
      requests.push(recorded);
      Promise.resolve()
        .then(() => handler(req, res, recorded))
        .catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500).end(String(err));
          else res.destroy();
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
