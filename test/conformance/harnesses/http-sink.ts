import { startHttpServer } from '../../support/http-server';
import { CONFORMANCE_TOPIC, type SinkEndpoint, type SinkHarness } from '../harness';

const config = (url: string, extra = ''): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: conformance-http-sink
  type: http-sink
  topic: ${CONFORMANCE_TOPIC}
  consumer:
    id: conformance
    offset: {start: beginning, strategy: auto}
http:
  endpoint: ${url}
  backoff_min: 10ms
  backoff_max: 50ms
  max_retries: 1000
${extra}`;

/** A server accepting every POST (503 while dropped) and recording the bodies it accepted. */
async function endpoint(): Promise<SinkEndpoint> {
  let down = false;
  const accepted: string[] = [];
  const server = await startHttpServer((_req, res, recorded) => {
    if (down) return res.writeHead(503).end('down');
    accepted.push(recorded.body);
    return res.end('ok');
  });
  return {
    config: config(`${server.url}/ingest`),
    received: () => [...accepted],
    drop: async () => {
      down = true;
    },
    recover: async () => {
      down = false;
    },
    close: () => server.close(),
  };
}

/** http-sink against a real HTTP server on port 0. */
export const httpSinkHarness: SinkHarness = {
  type: 'http-sink',
  direction: 'sink',
  variants: [{ name: 'POST per record', canDrop: true, start: endpoint }],
  badConfig: { text: config('http://127.0.0.1:9/x', '  http_request_timeout: never\n'), code: 'CONFIG_INVALID_VALUE', path: 'http.http_request_timeout', line: 15 },
};
