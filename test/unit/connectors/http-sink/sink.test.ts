import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { DEFAULT_USER_AGENT, HttpSinkConfigSchema } from '../../../../lib/connectors/http-sink/schema';
import { createHttpSink } from '../../../../lib/connectors/http-sink/sink';
import { type Sink, type SinkContext, SinkWriteError, type TopicRecord } from '../../../../lib/core';
import { nodeHttpTransport } from '../../../../lib/core/http';
import { createMetrics } from '../../../../lib/core/metrics';
import { startHttpServer, type TestHandler, type TestHttpServer } from '../../../support/http-server';
import { CapturingLogger } from '../../../support/source-context';
import { VirtualClock } from '../../../support/virtual-clock';

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(handler: TestHandler, fields: Record<string, unknown> = {}): Promise<Sink> {
  server = await startHttpServer(handler);
  return createHttpSink(HttpSinkConfigSchema.parse({ endpoint: `${server.url}/ingest`, ...fields }));
}

function context(controller = new AbortController()): SinkContext {
  return { signal: controller.signal, clock: new VirtualClock(Date.parse('2025-01-01T00:00:00Z')), log: new CapturingLogger(), http: nodeHttpTransport, metrics: createMetrics() };
}

const record = (offset: number, value: string | Buffer): TopicRecord => ({ offset, timestamp: 0, key: Buffer.from('ignored-key'), value: Buffer.from(value) });

/** What a failed write rejected with. */
async function failure(write: Promise<void>): Promise<SinkWriteError> {
  const error = await write.then(() => undefined, (err: unknown) => err);
  if (!(error instanceof SinkWriteError)) throw new Error(`expected a SinkWriteError, got ${String(error)}`);
  return error;
}

describe('connectors/http-sink', () => {
  it('should send each record as one POST, its value as the body, with Fluvio\'s default headers', async () => {
    // Prepare
    const sink = await setup((_req, res) => res.end('ok'));

    // Act
    await sink.write([record(0, 'first'), record(1, 'second')], context());

    // Assess
    expect(server!.requests.map((r) => [r.method, r.path, r.body])).toEqual([
      ['POST', '/ingest', 'first'],
      ['POST', '/ingest', 'second'],
    ]);
    expect(server!.requests[0]!.headers).toMatchObject({ 'content-type': 'text/html', 'user-agent': DEFAULT_USER_AGENT });
    expect(JSON.stringify(server!.requests[0]!.rawHeaders)).not.toContain('ignored-key');
  });

  it('should send binary values byte for byte', async () => {
    // Prepare
    const bytes = Buffer.from([0, 255, 128, 10, 13, 0xc3, 0x28]);
    const sink = await setup((_req, res) => res.end());

    // Act
    await sink.write([record(0, bytes)], context());

    // Assess
    expect(server!.requests[0]!.bodyBytes.equals(bytes)).toBe(true);
    expect(server!.requests[0]!.headers['content-length']).toBe('7');
  });

  it('should replace the default headers with the configured ones, and let a User-Agent header win', async () => {
    // Prepare
    const sink = await setup((_req, res) => res.end(), { method: 'PUT', headers: ['Content-Type: application/json', 'User-Agent: mine/1.0', 'X-Trace: a b '] });

    // Act
    await sink.write([record(0, '{}')], context());

    // Assess
    const request = server!.requests[0]!;
    expect(request.method).toBe('PUT');
    expect(request.headers).toMatchObject({ 'content-type': 'application/json', 'user-agent': 'mine/1.0', 'x-trace': 'a b' });
    expect(request.rawHeaders.filter(([name]) => name.toLowerCase() === 'user-agent')).toHaveLength(1);
  });

  it('should fail a 503 as retryable after the records accepted before it, with the Retry-After asked for', async () => {
    // Prepare
    let n = 0;
    const sink = await setup((_req, res) => (++n === 3 ? res.writeHead(503, { 'Retry-After': '7' }).end('busy') : res.end()));

    // Act
    const error = await failure(sink.write([record(0, 'a'), record(1, 'b'), record(2, 'c'), record(3, 'd')], context()));

    // Assess
    expect(error).toMatchObject({ accepted: 2, retryable: true, retryAfterMs: 7_000, message: 'HTTP 503: busy' });
    expect(server!.requests).toHaveLength(3);
  });

  it('should treat 429 as retryable and other 4xx as a refusal of the record', async () => {
    // Prepare
    const sink = await setup((req, res) => res.writeHead(req.url === '/ingest' && server!.requests.length === 1 ? 429 : 422).end('no'));

    // Act
    const tooMany = await failure(sink.write([record(0, 'a')], context()));
    const refused = await failure(sink.write([record(0, 'a')], context()));

    // Assess
    expect(tooMany).toMatchObject({ retryable: true, accepted: 0 });
    expect(refused).toMatchObject({ retryable: false, accepted: 0, message: 'HTTP 422: no' });
  });

  it('should fail a request that exceeds http_request_timeout as retryable', async () => {
    // Prepare: the server never answers
    const sink = await setup(() => undefined, { http_request_timeout: '50ms' });

    // Act
    const error = await failure(sink.write([record(0, 'a')], context()));

    // Assess
    expect(error).toMatchObject({ retryable: true, accepted: 0 });
    expect(error.message).toContain('http_request_timeout 50 ms');
  });

  it('should fail a refused connection as retryable, naming the network error but not the endpoint', async () => {
    // Prepare: a port with nothing listening
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const sink = createHttpSink(HttpSinkConfigSchema.parse({ endpoint: `http://127.0.0.1:${port}/secret-token` }));

    // Act
    const error = await failure(sink.write([record(0, 'a')], context()));

    // Assess
    expect(error).toMatchObject({ retryable: true, accepted: 0 });
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).not.toContain('secret-token');
  });

  it('should cancel the request in flight when the connector stops', async () => {
    // Prepare
    const controller = new AbortController();
    const sink = await setup(() => controller.abort());

    // Act
    const error = await failure(sink.write([record(0, 'a')], context(controller)));

    // Assess
    expect(error).toMatchObject({ accepted: 0, message: 'stopped while sending' });
  });

  it('should declare the retries of its config for the runtime', async () => {
    // Act
    const sink = await setup((_req, res) => res.end(), { backoff_min: '10ms', backoff_max: '2s', max_retries: 4 });

    // Assess
    expect(sink.retry).toEqual({ minMs: 10, maxMs: 2_000, maxRetries: 4 });
  });
});

describe('connectors/http-sink/schema', () => {
  it('should apply Fluvio http-sink 0.3.0 defaults', () => {
    // Act
    const config = HttpSinkConfigSchema.parse({ endpoint: 'https://example.com/in' });

    // Assess
    expect(config).toEqual({
      endpoint: 'https://example.com/in',
      method: 'POST',
      headers: [['Content-Type', 'text/html']],
      user_agent: 'fluvio/http-sink 0.3.0',
      http_request_timeout: 15_000,
      http_connect_timeout: 1_000,
      backoff_min: 1_000,
      backoff_max: 60_000,
      max_retries: 10,
    });
  });

  it.each([
    [{ endpoint: 'ftp://example.com' }, 'endpoint'],
    [{ endpoint: 'https://example.com', headers: ['no colon'] }, 'headers'],
    [{ endpoint: 'https://example.com', method: 'post' }, 'method'],
    [{ endpoint: 'https://example.com', http_request_timeout: 'soon' }, 'http_request_timeout'],
    [{ endpoint: 'https://example.com', max_retries: -1 }, 'max_retries'],
  ])('should refuse %j at %s', (input, field) => {
    const result = HttpSinkConfigSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path[0]).toBe(field);
  });
});
