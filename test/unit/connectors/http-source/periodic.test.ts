import type { ServerResponse } from 'node:http';
import { createHttpSource } from '../../../../lib/connectors/http-source/source';
import { DEFAULT_USER_AGENT, HttpSourceConfigSchema, type HttpSourceConfig } from '../../../../lib/connectors/http-source/schema';
import type { PeriodicSource } from '../../../../lib/core';
import { pollSlot } from '../../../../lib/runtime/schedule';
import { TopicWriteError } from '../../../../lib/core/errors';
import { startHttpServer, type TestHandler, type TestHttpServer } from '../../../support/http-server';
import { createSourceContext, recordBytes, recordText, type SourceContextOptions } from '../../../support/source-context';
import { VirtualClock } from '../../../support/virtual-clock';
import { waitFor } from '../../../support/wait-for';

let server: TestHttpServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts the server and builds a periodic source for it from raw config fields (schema defaults apply). */
async function setup(handler: TestHandler, fields: Record<string, unknown> = {}): Promise<{ source: PeriodicSource; config: HttpSourceConfig }> {
  server = await startHttpServer(handler);
  const config = HttpSourceConfigSchema.parse({ endpoint: `${server.url}/api`, ...fields });
  const source = createHttpSource(config);
  if (source.kind !== 'periodic') throw new Error('expected a periodic source');
  return { source, config };
}

/** Sends exactly these header lines (Node adds none: no Date, explicit length and Connection). */
function sendExact(res: ServerResponse, status: number, headers: Array<[string, string]>, body: Buffer | string): void {
  const bytes = Buffer.from(body);
  res.sendDate = false;
  res.writeHead(status, [...headers, ['Content-Length', String(bytes.length)], ['Connection', 'close']].flat());
  res.end(bytes);
}

describe('connectors/http-source/periodic', () => {
  it('should be a periodic source polling every interval', async () => {
    const { source } = await setup((_req, res) => res.end(), { interval: '2s' });
    expect(source).toMatchObject({ kind: 'periodic', intervalMs: 2000 });
  });

  it('should produce one record with a null key per poll and send one request per poll', async () => {
    // Prepare
    let n = 0;
    const { source } = await setup((_req, res) => res.end(`quote ${++n}`));
    const t = createSourceContext();
    // Act
    for (let i = 0; i < 3; i++) await pollSlot(source, t.ctx);
    // Assess
    expect(t.records.map(recordText)).toEqual(['quote 1', 'quote 2', 'quote 3']);
    expect(t.records.every((r) => r.key === null)).toBe(true);
    expect(server!.requests).toHaveLength(3);
    expect(t.metrics).toMatchObject({ polls: 3, errors: 0, dropped: 0 });
    expect(t.metrics.lastPollAt).not.toBeNull();
  });

  it('should send the method, the headers including repeated ones, the body and the default user agent', async () => {
    // Prepare
    const { source } = await setup((_req, res) => res.end('ok'), {
      method: 'POST',
      headers: ['X-Multi: one', 'Authorization: Bearer token', 'X-Multi: two'],
      body: '{"q":1}',
    });
    // Act
    await pollSlot(source, createSourceContext().ctx);
    // Assess
    const [request] = server!.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/api', body: '{"q":1}' });
    const sent = request!.rawHeaders.filter(([name]) => /^(user-agent|x-multi|authorization)$/i.test(name));
    // Values of a repeated name go out together, in config order (as reqwest's HeaderMap sends them).
    expect(sent).toEqual([
      ['User-Agent', DEFAULT_USER_AGENT],
      ['X-Multi', 'one'],
      ['X-Multi', 'two'],
      ['Authorization', 'Bearer token'],
    ]);
  });

  it('should send a custom user_agent', async () => {
    const { source } = await setup((_req, res) => res.end('ok'), { user_agent: 'my-agent/1.0' });
    await pollSlot(source, createSourceContext().ctx);
    expect(server!.requests[0]!.headers['user-agent']).toBe('my-agent/1.0');
  });

  it('should let a User-Agent entry in headers win over user_agent', async () => {
    const { source } = await setup((_req, res) => res.end('ok'), { user_agent: 'ignored', headers: ['user-agent: from-headers'] });
    await pollSlot(source, createSourceContext().ctx);
    const agents = server!.requests[0]!.rawHeaders.filter(([name]) => name.toLowerCase() === 'user-agent');
    expect(agents).toEqual([['user-agent', 'from-headers']]);
  });

  describe('record shapes', () => {
    const body = 'héllo "world"\n';
    const headers: Array<[string, string]> = [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Set-Cookie', 'a=1'],
      ['X-Multi', 'one'],
      ['Set-Cookie', 'b=2'],
      ['X-Multi', 'two'],
    ];
    const length = String(Buffer.byteLength(body));
    const handler: TestHandler = (_req, res) => sendExact(res, 200, headers, body);

    it('should produce the raw body for text/body', async () => {
      const { source } = await setup(handler, { output_parts: 'body', output_type: 'text' });
      const t = createSourceContext();
      await pollSlot(source, t.ctx);
      expect(recordBytes(t.records[0]!)).toEqual(Buffer.from(body));
    });

    it('should produce the status line, lower-case headers one per value, a blank line and the body for text/full', async () => {
      const { source } = await setup(handler, { output_parts: 'full', output_type: 'text' });
      const t = createSourceContext();
      await pollSlot(source, t.ctx);
      expect(recordText(t.records[0]!)).toBe(
        [
          'HTTP/1.1 200 OK',
          'content-type: text/plain; charset=utf-8',
          'set-cookie: a=1',
          'set-cookie: b=2',
          'x-multi: one',
          'x-multi: two',
          `content-length: ${length}`,
          'connection: close',
          '',
          body,
        ].join('\n'),
      );
    });

    it('should produce the body as a JSON string for json/body', async () => {
      const { source } = await setup(handler, { output_parts: 'body', output_type: 'json' });
      const t = createSourceContext();
      await pollSlot(source, t.ctx);
      expect(recordText(t.records[0]!)).toBe('{"body":"héllo \\"world\\"\\n"}');
    });

    it('should produce status, sorted headers with arrays for repeats, and body for json/full', async () => {
      const { source } = await setup(handler, { output_parts: 'full', output_type: 'json' });
      const t = createSourceContext();
      await pollSlot(source, t.ctx);
      expect(recordText(t.records[0]!)).toBe(
        '{"status":{"version":"HTTP/1.1","code":200,"string":"OK"},' +
          `"header":{"connection":"close","content-length":"${length}","content-type":"text/plain; charset=utf-8",` +
          '"set-cookie":["a=1","b=2"],"x-multi":["one","two"]},' +
          '"body":"héllo \\"world\\"\\n"}',
      );
    });

    it('should decode the body by its charset for json and full shapes but keep raw bytes for text/body', async () => {
      // Prepare: "café €" in windows-1252 (ISO-8859-1 is an alias of it in the WHATWG table).
      const latin = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]);
      const latinHandler: TestHandler = (_req, res) => sendExact(res, 200, [['Content-Type', 'text/plain; charset=ISO-8859-1']], latin);
      const { source: jsonSource } = await setup(latinHandler, { output_type: 'json' });
      const json = createSourceContext();
      // Act
      await pollSlot(jsonSource, json.ctx);
      const textSource = createHttpSource(HttpSourceConfigSchema.parse({ endpoint: server!.url, output_type: 'text' })) as PeriodicSource;
      const text = createSourceContext();
      await pollSlot(textSource, text.ctx);
      // Assess
      expect(recordText(json.records[0]!)).toBe('{"body":"café €"}');
      expect(recordBytes(text.records[0]!)).toEqual(latin);
    });
  });

  describe('status handling', () => {
    it('should not produce a 404, count it, log its status and size, and not retry', async () => {
      // Prepare
      const { source } = await setup((_req, res) => res.writeHead(404).end('not here'));
      const t = createSourceContext({ clock: new VirtualClock() });
      // Act
      await pollSlot(source, t.ctx);
      // Assess
      expect(t.records).toEqual([]);
      expect(server!.requests).toHaveLength(1);
      expect(t.metrics).toMatchObject({ polls: 1, errors: 1, dropped: 1 });
      expect(t.log.find('non-2xx response not produced')[0]).toMatchObject({ level: 'warn', fields: { status: 404, bytes: 8 } });
    });

    it('should retry a 503 with backoff and produce the following 200', async () => {
      // Prepare
      let n = 0;
      const { source } = await setup((_req, res) => (++n === 1 ? res.writeHead(503).end('busy') : res.end('fine')), {
        backoff_min: '100ms',
      });
      const clock = new VirtualClock();
      const t = createSourceContext({ clock });
      // Act
      await pollSlot(source, t.ctx);
      // Assess
      expect(t.records.map(recordText)).toEqual(['fine']);
      expect(server!.requests).toHaveLength(2);
      expect(clock.sleeps).toHaveLength(1);
      expect(clock.sleeps[0]).toBeGreaterThanOrEqual(100);
      expect(clock.sleeps[0]).toBeLessThan(200);
      expect(t.metrics).toMatchObject({ polls: 2, errors: 1, dropped: 1 });
    });

    it('should wait as long as Retry-After says before retrying a 429', async () => {
      let n = 0;
      const { source } = await setup((_req, res) =>
        ++n === 1 ? res.writeHead(429, { 'Retry-After': '2' }).end() : res.end('after wait'),
      );
      const clock = new VirtualClock();
      const t = createSourceContext({ clock });
      await pollSlot(source, t.ctx);
      expect(clock.sleeps).toEqual([2000]);
      expect(t.records.map(recordText)).toEqual(['after wait']);
    });

    it('should cap Retry-After at backoff_max', async () => {
      let n = 0;
      const { source } = await setup((_req, res) => (++n === 1 ? res.writeHead(503, { 'Retry-After': '60' }).end() : res.end('ok')), {
        backoff_max: '5s',
        interval: '1m',
      });
      const clock = new VirtualClock();
      await pollSlot(source, createSourceContext({ clock }).ctx);
      expect(clock.sleeps).toEqual([5000]);
    });

    it('should not retry past the poll interval slot', async () => {
      const { source } = await setup((_req, res) => res.writeHead(503, { 'Retry-After': '2' }).end(), { interval: '1s' });
      const clock = new VirtualClock();
      const t = createSourceContext({ clock });
      await pollSlot(source, t.ctx);
      expect(server!.requests).toHaveLength(1);
      expect(clock.sleeps).toEqual([]);
      expect(t.log.find("the retry would start after this poll's interval slot")).toHaveLength(1);
    });

    it('should give up after max_retries retries', async () => {
      const { source } = await setup((_req, res) => res.writeHead(500).end('down'), { max_retries: 2, backoff_min: '1ms' });
      const t = createSourceContext({ clock: new VirtualClock() });
      await pollSlot(source, t.ctx);
      expect(server!.requests).toHaveLength(3);
      expect(t.records).toEqual([]);
      expect(t.metrics).toMatchObject({ polls: 3, errors: 3, dropped: 3 });
      expect(t.log.find('poll failed after all retries')).toHaveLength(1);
    });

    it('should produce a 500 body once when produce_any_status is true', async () => {
      const { source } = await setup((_req, res) => res.writeHead(500).end('boom'), { produce_any_status: true });
      const t = createSourceContext({ clock: new VirtualClock() });
      await pollSlot(source, t.ctx);
      expect(t.records.map(recordText)).toEqual(['boom']);
      expect(server!.requests).toHaveLength(1);
      expect(t.metrics).toMatchObject({ errors: 0, dropped: 0 });
    });

    it('should count a request that times out, retry it, produce nothing and resolve', async () => {
      // Prepare: the server never answers.
      const { source } = await setup(() => undefined, { request_timeout: '100ms', max_retries: 1, backoff_min: '1ms' });
      const t = createSourceContext({ clock: new VirtualClock() });
      // Act
      await pollSlot(source, t.ctx);
      // Assess
      expect(t.records).toEqual([]);
      expect(server!.requests).toHaveLength(2);
      expect(t.metrics).toMatchObject({ polls: 2, errors: 2, dropped: 0 });
      expect(t.log.find('request timed out')).toHaveLength(2);
    });

    it('should apply request_timeout to the body too', async () => {
      // The server sends the headers and part of the body, then stalls.
      const { source } = await setup((_req, res) => res.writeHead(200).write('partial'), { request_timeout: '150ms', max_retries: 0 });
      const t = createSourceContext();
      await pollSlot(source, t.ctx);
      expect(t.records).toEqual([]);
      expect(t.log.find('request timed out')).toHaveLength(1);
    });

    it('should not produce a body cut short by the connection closing, and retry it', async () => {
      // Prepare: the first response promises 100 bytes, sends 7 and closes; the retry gets a whole body.
      let n = 0;
      const { source } = await setup(
        (_req, res) => {
          if (++n > 1) return void res.end('whole');
          res.writeHead(200, { 'Content-Length': '100' });
          res.write('partial', () => res.socket!.destroy());
        },
        { max_retries: 1, backoff_min: '1ms' },
      );
      const t = createSourceContext({ clock: new VirtualClock() });
      // Act
      await pollSlot(source, t.ctx);
      // Assess
      expect(t.records.map(recordText)).toEqual(['whole']);
      expect(t.metrics).toMatchObject({ polls: 2, errors: 1 });
      expect(t.log.find('Request execution failed')).toHaveLength(1);
    });

    it('should retry when the connection is refused', async () => {
      const { source } = await setup((_req, res) => res.end());
      await server!.close(); // nothing listens on the port any more
      server = undefined;
      const t = createSourceContext({ clock: new VirtualClock() });
      await pollSlot(source, t.ctx);
      expect(t.metrics).toMatchObject({ polls: 4, errors: 4 });
      expect(t.log.find('Request execution failed')[0]!.fields.error).toMatch(/ECONNREFUSED/);
    });
  });

  it('should reject with the topic error when emit fails', async () => {
    const { source } = await setup((_req, res) => res.end('data'));
    const failure = new TopicWriteError('topic down', 1);
    const options: SourceContextOptions = {
      onEmit: () => {
        throw failure;
      },
    };
    await expect(pollSlot(source, createSourceContext(options).ctx)).rejects.toBe(failure);
  });

  it('should resolve without counting an error when aborted mid-request', async () => {
    // Prepare
    const { source } = await setup(() => undefined);
    const t = createSourceContext();
    // Act
    const poll = pollSlot(source, t.ctx);
    await waitFor(() => server!.requests.length === 1, 2000);
    t.controller.abort();
    await poll;
    // Assess
    expect(t.records).toEqual([]);
    expect(t.metrics.errors).toBe(0);
  });
});
