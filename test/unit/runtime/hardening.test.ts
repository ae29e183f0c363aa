import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { defaultRegistry } from '../../../lib/connectors';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import { parseConnectorConfig, type SecretValues } from '../../../lib/config';
import { ConnectorError, ErrorCode } from '../../../lib/core/errors';
import { runConnector } from '../../../lib/runtime/runner';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { tempDir } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { CapturingLogger } from '../../support/source-context';
import { waitFor } from '../../support/wait-for';

/** A TCP server that answers every request with 101 Switching Protocols (what a WebSocket endpoint does). */
async function startUpgradingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const periodic = (endpoint: string, extra = ''): string =>
  `apiVersion: 0.2.0\nmeta:\n  name: hardened\n  type: http-source\n  version: 0.3.3\n  topic: polled\n  secrets:\n    - name: HOST\nhttp:\n  endpoint: "${endpoint}"\n  interval: 100ms\n  max_retries: 0\n${extra}`;

describe('runtime: no run ends silently, no secret is shown', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  beforeEach(() => {
    tmp = tempDir();
    store = openLocalTopicStore({ dataDir: tmp.dir });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  it('should log, count and retry every poll of an endpoint that answers 101 Switching Protocols, until stopped', async () => {
    // Prepare
    const endpoint = await startUpgradingServer();
    const secrets: SecretValues = { lookup: () => 'unused', describe: 'test' };
    const spec = parseConnectorConfig(periodic(`${endpoint.url}/ws`, '  headers: ["X-Host: ${{ secrets.HOST }}"]\n'), { file: 'mem.yaml', registry: defaultRegistry, secrets });
    const log = new CapturingLogger();
    const controller = new AbortController();

    try {
      // Act
      const run = runConnector({ spec, topics: store, signal: controller.signal, deps: { log } });
      await waitFor(() => log.find('Request execution failed').length >= 3, 10_000);
      controller.abort();
      const result = await run;

      // Assess
      expect(result.reason).toBe('stopped');
      expect(result.metrics.errors).toBeGreaterThanOrEqual(3);
      expect(log.find('Request execution failed')[0]?.fields.error).toContain('the connection closed without an HTTP response');
      expect(log.find('connector finished')).toHaveLength(1);
    } finally {
      await endpoint.close();
    }
  });

  it('should end the run with a config error, not retry, when Node refuses a header value at send time', async () => {
    // Prepare: a value no config validates (a rendered value changed after validation stands for it)
    const server: TestHttpServer = await startHttpServer((_req, res) => res.end('ok'));
    const spec = parseConnectorConfig(periodic(`${server.url}/x`, '  headers: ["X-Host: ${{ secrets.HOST }}"]\n'), { file: 'mem.yaml', registry: defaultRegistry, secrets: { lookup: () => 'ok', describe: 'test' } });
    (spec.config as HttpSourceConfig).headers = [['X-Bad', 'caf\u0100']];
    const log = new CapturingLogger();

    try {
      // Act
      const error = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log } }).catch((caught: unknown) => caught);

      // Assess
      expect(error).toBeInstanceOf(ConnectorError);
      expect((error as ConnectorError).code).toBe(ErrorCode.CONFIG_INVALID_VALUE);
      expect(server.requests).toHaveLength(0);
      expect(log.find('retrying request')).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('should redact a host name that came from a secret from the error it logs', async () => {
    // Prepare: the secret holds host:port of a closed port, so the real error names it
    const closed = await startHttpServer((_req, res) => res.end());
    const hostPort = closed.url.replace('http://', '');
    await closed.close();
    const spec = parseConnectorConfig(periodic('http://${{ secrets.HOST }}/x'), { file: 'mem.yaml', registry: defaultRegistry, secrets: { lookup: () => hostPort, describe: 'test' } });
    const log = new CapturingLogger();
    const controller = new AbortController();

    // Act
    const run = runConnector({ spec, topics: store, signal: controller.signal, deps: { log } });
    await waitFor(() => log.find('Request execution failed').length >= 1, 10_000);
    controller.abort();
    await run;

    // Assess
    const logged = JSON.stringify(log.entries);
    expect(log.find('Request execution failed')[0]?.fields.error).toContain('ECONNREFUSED');
    expect(logged).toContain('***');
    expect(logged).not.toContain(hostPort);
  });

  it('should log the located warnings of its config when it starts', async () => {
    // Prepare
    const server = await startHttpServer((_req, res) => res.end('ok'));
    const spec = parseConnectorConfig(periodic(`${server.url}/x`, '  delimiter: "\\n\\n"\n  headers: ["X-Host: ${{ secrets.HOST }}"]\n'), { file: 'mem.yaml', registry: defaultRegistry, secrets: { lookup: () => 'host-secret', describe: 'test' } });
    const log = new CapturingLogger();
    const controller = new AbortController();

    try {
      // Act
      const run = runConnector({ spec, topics: store, signal: controller.signal, deps: { log } });
      await waitFor(() => log.find('connector started').length === 1);
      controller.abort();
      await run;

      // Assess
      const warning = log.find('warning: http.delimiter: ignored without stream: true');
      expect(warning).toHaveLength(1);
      expect(warning[0]).toMatchObject({ level: 'warn', fields: { code: ErrorCode.CONFIG_IGNORED_FIELD, file: 'mem.yaml', line: 13, column: 14, path: 'http.delimiter' } });
    } finally {
      await server.close();
    }
  });
});
