import type { ServerResponse } from 'node:http';
import { createHttpSource } from '../../../../lib/connectors/http-source/source';
import { HttpSourceConfigSchema } from '../../../../lib/connectors/http-source/schema';
import type { ContinuousSource } from '../../../../lib/core';
import { runContinuous } from '../../../../lib/runtime/continuous';
import { TopicWriteError } from '../../../../lib/core/errors';
import { nodeHttpTransport, type HttpTransport } from '../../../../lib/core/http';
import { startHttpServer, type TestHandler, type TestHttpServer } from '../../../support/http-server';
import { createSourceContext, recordBytes, recordText, type SourceContextOptions, type TestSourceContext } from '../../../support/source-context';
import { VirtualClock } from '../../../support/virtual-clock';
import { waitFor } from '../../../support/wait-for';
import { byteChunks, expectedSegments, randomChunks, randomText, seededRandom } from './chunking';

let server: TestHttpServer | undefined;
let running: { t: TestSourceContext; done: Promise<void> } | undefined;

afterEach(async () => {
  running?.t.controller.abort();
  await running?.done.catch(() => undefined);
  running = undefined;
  await server?.close();
  server = undefined;
});

/** Starts the server and runs a streaming source against it until the test ends or aborts. */
async function start(handler: TestHandler, fields: Record<string, unknown> = {}, options: SourceContextOptions = {}): Promise<TestSourceContext> {
  server = await startHttpServer(handler);
  const config = HttpSourceConfigSchema.parse({ endpoint: `${server.url}/stream`, stream: true, backoff_min: '1ms', backoff_max: '100ms', ...fields });
  const source = createHttpSource(config) as ContinuousSource;
  expect(source.kind).toBe('continuous');
  const t = createSourceContext({ clock: new VirtualClock(), ...options });
  running = { t, done: runContinuous(source, t.ctx).then(() => undefined) };
  return t;
}

/** Writes the pieces one by one, each flushed to the socket before the next. */
async function writeEach(res: ServerResponse, pieces: readonly Uint8Array[]): Promise<void> {
  for (const piece of pieces) {
    await new Promise<void>((resolve, reject) => res.write(piece, (err) => (err ? reject(err) : resolve())));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Answers the first connection with `body` written as `pieces`, then ends; later connections hang. */
function once(pieces: readonly Uint8Array[], contentType = 'text/plain; charset=utf-8'): TestHandler {
  let connections = 0;
  return async (_req, res) => {
    if (++connections > 1) return; // keep later reconnects open and silent
    res.writeHead(200, { 'Content-Type': contentType });
    await writeEach(res, pieces);
    res.end();
  };
}

/** A transport that records the size of every body chunk it hands out. */
function recordingTransport(sizes: number[]): HttpTransport {
  return async (request) => {
    const response = await nodeHttpTransport(request);
    const body = response.body;
    return {
      ...response,
      body: (async function* () {
        for await (const chunk of body) {
          sizes.push(chunk.length);
          yield chunk;
        }
      })(),
    };
  };
}

describe('connectors/http-source/stream', () => {
  it('should be a continuous source', async () => {
    const t = await start(once([Buffer.from('x\n')]));
    await waitFor(() => t.records.length === 1, 3000);
    expect(recordText(t.records[0]!)).toBe('x');
  });

  it('should split exactly when the server writes one byte at a time', async () => {
    // Prepare
    const text = 'first\nsecond\n\nfourth ü\n';
    const sizes: number[] = [];
    // Act
    const t = await start(once(byteChunks(Buffer.from(text))), {}, { http: recordingTransport(sizes) });
    await waitFor(() => t.records.length === 4, 3000);
    // Assess
    expect(t.records.map(recordText)).toEqual(['first', 'second', '', 'fourth ü']);
    expect(t.records.every((r) => r.key === null)).toBe(true);
    expect(sizes.length).toBeGreaterThan(1); // it really arrived in pieces
  });

  it('should split exactly with random chunk sizes', async () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      // Prepare
      const random = seededRandom(seed);
      const text = randomText(random, ['a', 'b', '\n', 'é', '😀', '\n\n'], 300);
      const expected = expectedSegments(text, '\n');
      // Act
      const t = await start(once(randomChunks(Buffer.from(text), random, 9)));
      await waitFor(() => t.records.length >= expected.length, 3000);
      // Assess
      expect({ seed, records: t.records.map(recordText) }).toEqual({ seed, records: expected });
      t.controller.abort();
      await running!.done;
      await server!.close();
      server = undefined;
      running = undefined;
    }
  });

  it('should find a multi-byte delimiter that straddles chunks', async () => {
    const pieces = ['event: a\n', '\ndata: 1\n', '\n', 'event: b\n\n'].map((p) => Buffer.from(p));
    const t = await start(once(pieces), { delimiter: '\n\n' });
    await waitFor(() => t.records.length === 3, 3000);
    expect(t.records.map(recordText)).toEqual(['event: a', 'data: 1', 'event: b']);
  });

  it('should keep a multi-byte UTF-8 character cut between chunks intact', async () => {
    const euro = Buffer.from('€'); // e2 82 ac
    const pieces = [Buffer.from('price: '), euro.subarray(0, 1), Buffer.concat([euro.subarray(1), Buffer.from('\n')])];
    const t = await start(once(pieces), { output_type: 'json' });
    await waitFor(() => t.records.length === 1, 3000);
    expect(recordText(t.records[0]!)).toBe('{"body":"price: €"}');
  });

  it('should decode a non-UTF-8 charset before splitting', async () => {
    // "café €\nnaïve\n" in windows-1252, one byte per write.
    const bytes = Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x80, 0x0a, 0x6e, 0x61, 0xef, 0x76, 0x65, 0x0a]);
    const t = await start(once(byteChunks(bytes), 'text/plain; charset=windows-1252'));
    await waitFor(() => t.records.length === 2, 3000);
    expect(t.records.map(recordText)).toEqual(['café €', 'naïve']);
  });

  it('should emit all segments completed by one chunk in one batch', async () => {
    const t = await start(once([Buffer.from('a\nb\nc\n')]));
    await waitFor(() => t.records.length === 3, 3000);
    expect(t.batches.map((b) => b.length)).toEqual([3]);
  });

  it('should repeat the same status and headers on every segment for json/full', async () => {
    const t = await start(once([Buffer.from('one\ntwo\n')], 'text/event-stream'), { output_parts: 'full', output_type: 'json' });
    await waitFor(() => t.records.length === 2, 3000);
    const [first, second] = t.records.map((r) => JSON.parse(recordText(r)) as { status: unknown; header: unknown; body: string });
    expect(first!.status).toEqual({ version: 'HTTP/1.1', code: 200, string: 'OK' });
    expect(first!.header).toMatchObject({ 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' });
    expect(second!.header).toEqual(first!.header);
    expect([first!.body, second!.body]).toEqual(['one', 'two']);
  });

  it('should produce the final segment when the response ends cleanly', async () => {
    const t = await start(once([Buffer.from('a\nb\nlast')]));
    await waitFor(() => t.records.length === 3, 3000);
    expect(t.records.map(recordText)).toEqual(['a', 'b', 'last']);
    expect(t.metrics.dropped).toBe(0);
  });

  it('should drop and log the partial segment when the connection breaks mid-record', async () => {
    // Prepare: the first connection sends one record and half of the next, then dies.
    let connections = 0;
    const handler: TestHandler = async (_req, res) => {
      if (++connections > 1) return;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      await writeEach(res, [Buffer.from('whole\npartial')]);
      res.socket!.destroy();
    };
    // Act
    const t = await start(handler);
    await waitFor(() => t.log.find('incomplete segment not produced').length === 1, 3000);
    // Assess
    expect(t.records.map(recordText)).toEqual(['whole']);
    expect(t.log.find('incomplete segment not produced')[0]).toMatchObject({ level: 'warn', fields: { bytes: 7 } });
    expect(t.metrics).toMatchObject({ dropped: 1, errors: 1 });
  });

  it('should reconnect when the response ends and reset the backoff after records', async () => {
    // Prepare: every connection sends one record and ends.
    let n = 0;
    const t = await start((_req, res) => res.end(`conn ${++n}\n`), { backoff_min: '100ms', backoff_max: '10s' });
    // Act
    await waitFor(() => t.records.length >= 3, 3000);
    // Assess
    expect(t.records.slice(0, 3).map(recordText)).toEqual(['conn 1', 'conn 2', 'conn 3']);
    expect(server!.requests.length).toBeGreaterThanOrEqual(3);
    expect(t.log.find('Disconnected from source endpoint, attempting reconnect').length).toBeGreaterThanOrEqual(2);
    const sleeps = (t.clock as VirtualClock).sleeps;
    expect(sleeps.every((ms) => ms >= 100 && ms < 200)).toBe(true); // never grows: each connection delivered
  });

  it('should not read a non-2xx response, count it, and back off more each time', async () => {
    // Prepare
    const t = await start((_req, res) => res.writeHead(503).end('busy\n'), { backoff_min: '100ms', backoff_max: '10s' });
    // Act
    await waitFor(() => server!.requests.length >= 4, 3000);
    // Assess
    expect(t.records).toEqual([]);
    expect(t.metrics.errors).toBeGreaterThanOrEqual(3);
    expect(t.metrics.dropped).toBeGreaterThanOrEqual(3);
    const [s1, s2, s3] = (t.clock as VirtualClock).sleeps;
    expect([s1! >= 100 && s1! < 200, s2! >= 200 && s2! < 400, s3! >= 400 && s3! < 800]).toEqual([true, true, true]);
    expect(t.log.find('non-2xx status')[0]!.fields).toMatchObject({ status: 503, bytes: 5 });
  });

  it('should read a non-2xx response when produce_any_status is true', async () => {
    const t = await start((_req, res) => res.writeHead(500).end('oops\n'), { produce_any_status: true });
    await waitFor(() => t.records.length >= 1, 3000);
    expect(recordText(t.records[0]!)).toBe('oops');
  });

  it('should time out a connection that sends no headers, and reconnect', async () => {
    const t = await start(() => undefined, { request_timeout: '100ms' });
    await waitFor(() => server!.requests.length >= 2, 3000);
    expect(t.log.find('no response headers within request_timeout').length).toBeGreaterThanOrEqual(1);
    expect(t.metrics.errors).toBeGreaterThanOrEqual(1);
  });

  it('should not time out the body once the headers arrived', async () => {
    // Prepare: headers at once, the first record only after 3 × request_timeout.
    let connections = 0;
    const handler: TestHandler = (_req, res) => {
      if (++connections > 1) return;
      res.writeHead(200).flushHeaders();
      const timer = setTimeout(() => res.write('late\n'), 300);
      res.on('close', () => clearTimeout(timer));
    };
    // Act
    const t = await start(handler, { request_timeout: '100ms' });
    await waitFor(() => t.records.length === 1, 3000);
    // Assess
    expect(recordText(t.records[0]!)).toBe('late');
    expect(t.metrics.errors).toBe(0);
    expect(server!.requests).toHaveLength(1);
  });

  it('should stop and resolve when aborted', async () => {
    // Prepare: an endless stream.
    const handler: TestHandler = (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('tick\n'), 5);
      res.on('close', () => clearInterval(timer));
    };
    const t = await start(handler);
    await waitFor(() => t.records.length >= 3, 3000);
    let finished = false;
    void running!.done.then(() => (finished = true));
    // Act
    t.controller.abort();
    // Assess
    await waitFor(() => finished, 1000);
    const count = t.records.length;
    expect(server!.requests).toHaveLength(1);
    expect(t.records.every((r) => recordText(r) === 'tick')).toBe(true);
    await waitFor(() => server!.requests.length === 1 && t.records.length === count, 100);
  });

  it('should finish an emit in flight before resolving on abort', async () => {
    // Prepare: the topic holds the first batch until released.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let emitting = false;
    const t = await start(once([Buffer.from('a\n')]), {}, {
      onEmit: async () => {
        emitting = true;
        await held;
      },
    });
    await waitFor(() => emitting, 3000);
    let finished = false;
    void running!.done.then(() => (finished = true));
    // Act
    t.controller.abort();
    await new Promise((resolve) => setImmediate(resolve));
    const finishedBeforeRelease = finished;
    release();
    await waitFor(() => finished, 1000);
    // Assess
    expect(finishedBeforeRelease).toBe(false);
    expect(t.records.map(recordText)).toEqual(['a']);
  });

  it('should reject with the topic error when emit fails', async () => {
    const failure = new TopicWriteError('topic down', 1);
    const t = await start(once([Buffer.from('a\n')]), {}, {
      onEmit: () => {
        throw failure;
      },
    });
    await expect(running!.done).rejects.toBe(failure);
    expect(t.records).toEqual([]);
  });

  it('should keep text/body segment bytes untouched for UTF-8', async () => {
    const t = await start(once([Buffer.from([0x61, 0xff, 0x0a])]));
    await waitFor(() => t.records.length === 1, 3000);
    expect(recordBytes(t.records[0]!)).toEqual(Buffer.from([0x61, 0xff]));
  });
});
