import type { IncomingMessage } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ConnectorError, ErrorCode } from '../../../lib/core/errors';
import { type HttpRequest, nodeHttpTransport } from '../../../lib/core/http';
import { readBody } from '../../../lib/connectors/http-source/request';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';

/** A raw TCP server answering every request with `answer` (bytes as written), for answers node:http would not send. */
async function startRawServer(answer: string): Promise<{ url: string; connections: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const state = { connections: 0 };
  const server: Server = createServer((socket) => {
    state.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write(answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const request = (url: string, more: Partial<HttpRequest> = {}): HttpRequest => ({ url, method: 'GET', headers: [], signal: new AbortController().signal, ...more });

describe('Function: nodeHttpTransport (every request settles)', () => {
  let server: TestHttpServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('should reject, not hang, when the endpoint answers 101 Switching Protocols', async () => {
    // Prepare
    const raw = await startRawServer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
    try {
      // Act
      const result = nodeHttpTransport(request(`${raw.url}/ws`));

      // Assess
      await expect(result).rejects.toThrow('the connection closed without an HTTP response (a 101 Switching Protocols answer, a protocol upgrade, is not supported)');
    } finally {
      await raw.close();
    }
  });

  it('should refuse method CONNECT without connecting', async () => {
    // Prepare
    const raw = await startRawServer('HTTP/1.1 200 Connection established\r\n\r\n');
    try {
      // Act
      const error = await nodeHttpTransport(request(raw.url, { method: 'CONNECT' })).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).code).toBe(ErrorCode.CONFIG_UNSUPPORTED);
      expect(raw.connections).toBe(0);
    } finally {
      await raw.close();
    }
  });

  it('should turn a header value Node refuses at send time into a config error (not a network error to retry)', async () => {
    // Prepare
    server = await startHttpServer((_req, res) => res.end('ok'));

    // Act
    const error = await nodeHttpTransport(request(server.url, { headers: [['X-Bad', 'a\u0100b']] })).catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe(ErrorCode.CONFIG_INVALID_VALUE);
    expect((error as ConnectorError).message).toContain('Invalid character in header content ["X-Bad"]');
    expect(server.requests).toHaveLength(0);
  });

  it('should reject with the abort reason when the signal aborts before the endpoint answers', async () => {
    // Prepare
    server = await startHttpServer(() => undefined);
    const controller = new AbortController();
    const pending = nodeHttpTransport(request(server.url, { signal: controller.signal }));
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Act
    controller.abort(new Error('stop now'));

    // Assess
    await expect(pending).rejects.toThrow('stop now');
  });

  it('should follow a redirect over keep-alive sockets without taking the closed hop for a missing response', async () => {
    // Prepare
    server = await startHttpServer((req, res) => {
      if (req.url === '/old') res.writeHead(302, { Location: '/new', Connection: 'close' }).end();
      else res.end('moved here');
    });

    // Act
    const responses = [];
    for (let i = 0; i < 20; i += 1) {
      const response = await nodeHttpTransport(request(`${server.url}/old`));
      responses.push([response.status, (await readBody(response.body)).toString()]);
    }

    // Assess
    expect(responses).toEqual(Array(20).fill([200, 'moved here']));
  });

  it('should ask a redirecting URL twice only for its first safe request, then follow it directly', async () => {
    // Prepare: GET /moved-<port> answers 301 (plain Node request first, follow-redirects after).
    const hits: string[] = [];
    server = await startHttpServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.url!.startsWith('/moved')) res.writeHead(301, { Location: '/here' }).end('gone');
      else res.end('here');
    });
    const url = `${server.url}/moved-${Date.now()}`;

    // Act
    const bodies: string[] = [];
    for (let i = 0; i < 3; i += 1) bodies.push((await readBody((await nodeHttpTransport(request(url))).body)).toString());

    // Assess
    expect(bodies).toEqual(['here', 'here', 'here']);
    expect(hits.filter((h) => h.startsWith('GET /moved'))).toHaveLength(4);
    expect(hits.filter((h) => h === 'GET /here')).toHaveLength(3);
  });

  it('should never send a non-safe request twice: a POST goes through follow-redirects from the start', async () => {
    // Prepare: POST /form answers 303 See Other (follow-redirects then GETs /done).
    const hits: string[] = [];
    server = await startHttpServer((req, res) => {
      hits.push(`${req.method} ${req.url}`);
      if (req.url === '/form') res.writeHead(303, { Location: '/done' }).end();
      else res.end('done');
    });

    // Act
    const response = await nodeHttpTransport(request(`${server.url}/form`, { method: 'POST', body: 'a=1' }));
    const body = (await readBody(response.body)).toString();

    // Assess
    expect([response.status, body]).toEqual([200, 'done']);
    expect(hits).toEqual(['POST /form', 'GET /done']);
  });

  it('should not pile listeners on a keep-alive socket over many requests', async () => {
    // Prepare
    server = await startHttpServer((_req, res) => res.end('x'));
    const counts: number[] = [];
    const sockets = new Set<Socket>();

    // Act
    for (let i = 0; i < 30; i += 1) {
      const response = await nodeHttpTransport(request(server.url));
      const socket = (response.body as IncomingMessage).socket;
      await readBody(response.body);
      sockets.add(socket);
      counts.push(socket.listenerCount('close'));
    }

    // Assess: the sockets were reused, and each request left no 'close' listener behind
    expect(sockets.size).toBeLessThan(30);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
  });
  it('should call onSent once the request and its body are on the wire, before the response, and not for a refused connection', async () => {
    // Prepare: a server answering after a delay, and a port nobody listens on
    const events: string[] = [];
    const server = await startHttpServer((_req, res, recorded) => {
      events.push(`received ${recorded.body}`);
      setTimeout(() => res.end('ok'), 50);
    });
    const closed = await startRawServer('');
    const refusedUrl = closed.url;
    await closed.close();
    try {
      // Act
      const response = await nodeHttpTransport({ ...request(`${server.url}/p`, { method: 'POST' }), body: 'payload', onSent: () => events.push('sent') });
      events.push(`response ${response.status}`);
      let refusedSent = 0;
      const refused = await nodeHttpTransport({ ...request(refusedUrl), onSent: () => refusedSent++ }).catch((err: unknown) => err);

      // Assess
      expect(events.filter((e) => e !== 'received payload')).toEqual(['sent', 'response 200']);
      expect(events).toContain('received payload');
      expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
      expect(refusedSent).toBe(0);
    } finally {
      await server.close();
    }
  });
});
