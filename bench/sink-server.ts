import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Benchmark endpoint of the sink benchmark, run in its own process (serving does not share the event
 * loop with the client measured): every request's body is read, counted, and answered `200 ok`
 * (keep-alive). `GET /count` answers the number of bodies received so far. Prints `listening <port>`.
 */
let received = 0;
const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') {
    res.end(String(received));
    return;
  }
  req.on('data', () => undefined);
  req.on('end', () => {
    received++;
    res.end('ok');
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as AddressInfo).port}\n`));
