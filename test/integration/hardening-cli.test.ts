import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { connector, requireBuild, startConnector, tempDir } from '../support/cli';
import { STACK_LINE } from '../support/config-mutations';
import { waitFor } from '../support/wait-for';

/** The `connector` command on the inputs of issue 11, as a user runs it (child processes). */
describe('cli: hardening (child process)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let data: string;
  beforeAll(() => requireBuild());
  beforeEach(() => {
    tmp = tempDir();
    data = join(tmp.dir, 'data');
  });
  afterEach(() => tmp.cleanup());

  const writeConfig = (name: string, text: string): string => {
    const file = join(tmp.dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('should apply the topic-name rule of configs to `topic create`', () => {
    // Act
    const empty = connector(data, ['topic', 'create', '']);
    const traversal = connector(data, ['topic', 'create', 'Bad Name/../x']);
    const good = connector(data, ['topic', 'create', 'good-name']);

    // Assess
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('Error: invalid topic name "": expected a topic name of 1-63 lower-case letters');
    expect(traversal.status).toBe(2);
    expect(traversal.stderr).toContain('invalid topic name "Bad Name/../x"');
    expect(good).toMatchObject({ status: 0, stdout: 'topic "good-name" created\n' });
    expect(connector(data, ['topic', 'list']).stdout).not.toContain('Bad');
  });

  it('should print located warnings of a valid config and exit 0', () => {
    // Prepare
    const file = writeConfig('warned.yaml', 'apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: warned\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: https://example.com/\n  method: get\n  delimiter: "\\n\\n"\n');

    // Act
    const result = connector(data, ['validate', file]);

    // Assess
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`ok ${file}: warned (http-source, periodic, every 10s) -> topic quotes\n`);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `${file}:9:11: warning: http.method: not a standard HTTP method: methods are case-sensitive, did you mean "GET"? (sent as written) [CONFIG_SUSPICIOUS_VALUE]`,
      `${file}:10:14: warning: http.delimiter: ignored without stream: true (it splits a streaming response into records) [CONFIG_IGNORED_FIELD]`,
    ]);
  });

  it('should refuse a config that would poll its endpoint every millisecond, with its location', () => {
    // Prepare
    const file = writeConfig('fast.yaml', 'version: v1\nname: fast\ntype: http\ntopic: fast\nparameters:\n  endpoint: https://example.com/\n  interval: 3000000\n');

    // Act
    const result = connector(data, ['run', '--config', file]);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stderr).toBe(`Error: ${file}:7:13: parameters.interval: invalid value 3000000, expected a duration of at most 24d (longer waits overflow timers) [CONFIG_INVALID_VALUE]\n`);
  });

  it('should keep running, log and retry when the endpoint answers 101 Switching Protocols, and finish on SIGINT', async () => {
    // Prepare
    const sockets = new Set<Socket>();
    const server: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.once('data', () => socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
    const file = writeConfig('upgrade.yaml', `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: upgrade\n  type: http-source\n  topic: upgrade\nhttp:\n  endpoint: ${url}\n  interval: 100ms\n  max_retries: 0\n`);

    try {
      // Act
      const { child, out, exit } = startConnector(data, ['run', '--config', file]);
      await waitFor(() => (out.stderr.match(/Request execution failed/g) ?? []).length >= 3, 15_000);
      child.kill('SIGINT');
      const status = await exit;

      // Assess: every stderr line is a JSON log line; the run ended on the signal, saying so
      expect(status).toBe(0);
      const lines = out.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; error?: string; errors?: number });
      expect(lines.find((line) => line.msg === 'Request execution failed')?.error).toContain('the connection closed without an HTTP response');
      expect(lines.at(-1)).toMatchObject({ msg: 'connector finished' });
      expect(lines.at(-1)?.errors).toBeGreaterThanOrEqual(3);
      expect(out.stderr).not.toMatch(STACK_LINE);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('should exit 1 with a JSON error line, not 0 in silence, when a run is left with nothing to wait for; and log Node warnings as JSON', () => {
    // Prepare: the guards of `connector run` around a promise that never settles (what a lost HTTP request was)
    const dist = resolve(__dirname, '../../dist/lib');
    const script = [
      `const { guardSilentExit, logProcessWarnings } = require(${JSON.stringify(join(dist, 'cli/commands/run.js'))});`,
      `const { createJsonLogger } = require(${JSON.stringify(join(dist, 'core/log.js'))});`,
      'const log = createJsonLogger();',
      'logProcessWarnings(log);',
      'guardSilentExit(log);',
      "process.emitWarning('2592000000 does not fit into a 32-bit signed integer.', 'TimeoutOverflowWarning');",
      'new Promise(() => undefined);',
    ].join('\n');

    // Act
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 15_000 });

    // Assess
    expect(result.status).toBe(1);
    const lines = result.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { level: number; msg: string; warning?: string });
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, warning: 'TimeoutOverflowWarning', msg: '2592000000 does not fit into a 32-bit signed integer.' }),
      expect.objectContaining({ level: 50, msg: expect.stringContaining('the connector stopped without finishing') }),
    ]);
  });
});
