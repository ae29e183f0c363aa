import type { ServerResponse } from 'node:http';
import { startHttpServer } from '../../support/http-server';
import { CONFORMANCE_TOPIC, type SourceEndpoint, type SourceHarness } from '../harness';

const config = (url: string, http: string): string => `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: conformance-http
  type: http-source
  topic: ${CONFORMANCE_TOPIC}
http:
  endpoint: ${url}
  backoff_min: 10ms
  backoff_max: 100ms
${http}`;

const values = (n: number): string[] => Array.from({ length: n }, (_, i) => `record-${i + 1}`);

/** A server answering each GET with the next `record-N` (503 while dropped). */
async function periodic(): Promise<SourceEndpoint> {
  let next = 1;
  let down = false;
  const server = await startHttpServer((_req, res) => (down ? res.writeHead(503).end('down') : res.end(`record-${next++}`)));
  return {
    config: config(`${server.url}/quote`, '  interval: 50ms\n  allow_fast_interval: true\n'),
    expected: values,
    drop: async () => {
      down = true;
    },
    recover: async () => {
      down = false;
    },
    close: () => server.close(),
  };
}

/** A server streaming `record-N` lines every 10 ms on one response; dropping breaks it and refuses reconnects. */
async function streaming(): Promise<SourceEndpoint> {
  let next = 1;
  let down = false;
  const open = new Set<ServerResponse>();
  const server = await startHttpServer((_req, res) => {
    if (down) return res.writeHead(503).end('down');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    open.add(res);
    const timer = setInterval(() => res.write(`record-${next++}\n`), 10);
    res.on('close', () => {
      clearInterval(timer);
      open.delete(res);
    });
  });
  return {
    config: config(`${server.url}/stream`, '  stream: true\n'),
    expected: values,
    drop: async () => {
      down = true;
      for (const res of open) res.destroy();
    },
    recover: async () => {
      down = false;
    },
    close: () => server.close(),
  };
}

/** http-source, periodic and streaming, against a real HTTP server on port 0. */
export const httpSourceHarness: SourceHarness = {
  type: 'http-source',
  direction: 'source',
  variants: [
    { name: 'periodic', canDrop: true, start: periodic },
    { name: 'streaming', canDrop: true, start: streaming },
  ],
  badConfig: { text: config('http://127.0.0.1:9/x', '  interval: often\n'), code: 'CONFIG_INVALID_VALUE', path: 'http.interval', line: 11 },
};
