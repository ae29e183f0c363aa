import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A few public-domain quotes, served in turn. */
export const QUOTES: ReadonlyArray<{ quote: string; by: string }> = [
  { quote: 'The only way to do great work is to love what you do.', by: 'Steve Jobs' },
  { quote: 'Simplicity is prerequisite for reliability.', by: 'Edsger W. Dijkstra' },
  { quote: 'Premature optimization is the root of all evil.', by: 'Donald Knuth' },
  { quote: 'Talk is cheap. Show me the code.', by: 'Linus Torvalds' },
  { quote: 'Programs must be written for people to read, and only incidentally for machines to execute.', by: 'Harold Abelson' },
  { quote: 'Any sufficiently advanced technology is indistinguishable from magic.', by: 'Arthur C. Clarke' },
  { quote: 'The best way to predict the future is to invent it.', by: 'Alan Kay' },
  { quote: 'Make it work, make it right, make it fast.', by: 'Kent Beck' },
];

export interface QuoteServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (serve `/api/quote` and `/api/stream-quote`). */
  url: string;
  /** Number of requests served so far, per path. */
  hits: Record<string, number>;
  close(): Promise<void>;
}

/**
 * A local stand-in for InfinyOn's demo API (`https://demo-data.infinyon.com`), so the seed quote
 * configs run offline:
 * - `GET /api/quote`: one JSON quote per request, `{"id":N,"quote":"…","by":"…"}`.
 * - `GET /api/stream-quote`: a streaming response with `quotesPerSecond` quotes per second (default 2,
 *   like the original), each followed by `"\n\n"` (the seed config's delimiter).
 * Listens on 127.0.0.1, port 0 (a free port) unless `port` is given.
 */
export async function startQuoteServer(options: { port?: number; quotesPerSecond?: number } = {}): Promise<QuoteServer> {
  const perSecond = options.quotesPerSecond ?? 2;
  const hits: Record<string, number> = {};
  let next = 0;
  const quote = (): string => {
    const q = QUOTES[next % QUOTES.length]!;
    return JSON.stringify({ id: ++next, ...q });
  };
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    hits[path] = (hits[path] ?? 0) + 1;
    if (path === '/api/quote') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(quote());
    } else if (path === '/api/stream-quote') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
      res.write(`${quote()}\n\n`);
      const timer = setInterval(() => res.write(`${quote()}\n\n`), 1000 / perSecond);
      res.on('close', () => clearInterval(timer));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

if (require.main === module) {
  const port = Number(process.env.PORT ?? 8080);
  void startQuoteServer({ port }).then((s) => process.stdout.write(`quote server on ${s.url} (/api/quote, /api/stream-quote)\n`));
}
