import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { ConnectTimeoutError, nodeHttpTransport } from '../../../lib/core/http';
import { startHttpServer } from '../../support/http-server';

describe('core/http: nodeHttpTransport', () => {
  let tcp: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (tcp ? tcp.close(() => resolve()) : resolve()));
    tcp = undefined;
  });

  it('should fail with a ConnectTimeoutError when the connection is not established in connectTimeoutMs', async () => {
    // Prepare: a TCP server that accepts but never answers the TLS handshake
    tcp = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => tcp!.listen(0, '127.0.0.1', resolve));
    const { port } = tcp.address() as AddressInfo;

    // Act
    const started = Date.now();
    const error = await nodeHttpTransport({ url: `https://127.0.0.1:${port}/`, method: 'GET', headers: [], signal: new AbortController().signal, connectTimeoutMs: 100 }).then(
      () => undefined,
      (err: unknown) => err,
    );

    // Assess
    expect(error).toBeInstanceOf(ConnectTimeoutError);
    expect(error).toMatchObject({ code: 'ECONNECTTIMEOUT', message: 'connection not established within 100 ms' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('should not limit a request whose connection was established in time, however long the response takes', async () => {
    // Prepare
    const server = await startHttpServer((_req, res) => setTimeout(() => res.end('late'), 150));

    // Act
    const response = await nodeHttpTransport({ url: `${server.url}/`, method: 'POST', headers: [], body: Buffer.from([1, 2, 3]), signal: new AbortController().signal, connectTimeoutMs: 50 });
    const chunks: Uint8Array[] = [];
    for await (const chunk of response.body) chunks.push(chunk);
    await server.close();

    // Assess
    expect(response.status).toBe(200);
    expect(Buffer.concat(chunks).toString()).toBe('late');
    expect(server.requests[0]!.bodyBytes).toEqual(Buffer.from([1, 2, 3]));
  });
});
