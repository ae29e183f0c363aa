import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Benchmark endpoint, run in its own process so that serving does not share the event loop with
 * the client being measured:
 * - `GET /stream?records=N&size=S&delimiter=D`: N records of S bytes, each followed by D (URL-encoded),
 *   written as fast as the client reads (64 KiB writes, backpressure respected), then the response ends.
 * - `GET /quote`: a small JSON body (~120 bytes).
 * Prints `listening <port>` on stdout when ready.
 */
const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname === '/quote') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: 1, quote: 'Simplicity is prerequisite for reliability.', by: 'Edsger W. Dijkstra' }));
    return;
  }
  const records = Number(url.searchParams.get('records') ?? 1000);
  const size = Number(url.searchParams.get('size') ?? 1024);
  const delimiter = url.searchParams.get('delimiter') ?? '\n';
  const record = Buffer.concat([Buffer.alloc(size, 'x'), Buffer.from(delimiter)]);
  const perChunk = Math.max(1, Math.floor(65536 / record.length));
  const chunk = Buffer.concat(Array.from({ length: perChunk }, () => record));
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
  let left = records;
  const pump = (): void => {
    while (left > 0) {
      const n = Math.min(perChunk, left);
      left -= n;
      const ok = res.write(n === perChunk ? chunk : chunk.subarray(0, n * record.length));
      if (!ok) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
