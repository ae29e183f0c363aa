import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startQuoteServer, type QuoteServer } from '../../scripts/quote-server';
import { connector, requireBuild, startConnector, tempDir } from '../support/cli';
import { writeSmartModule } from '../support/smartmodules';
import { waitFor } from '../support/wait-for';

/** The `connector` command driven as a user would: child processes, real data dir, real HTTP endpoint. */
describe('cli (child process)', () => {
  let server: QuoteServer;
  let tmp: ReturnType<typeof tempDir>;
  let data: string;

  beforeAll(async () => {
    requireBuild();
    server = await startQuoteServer({ quotesPerSecond: 20 });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => {
    tmp = tempDir();
    data = join(tmp.dir, 'data');
  });
  afterEach(() => {
    tmp.cleanup();
  });

  const writeConfig = (name: string, text: string): string => {
    const file = join(tmp.dir, name);
    writeFileSync(file, text);
    return file;
  };
  const consumeJson = (topic: string): Array<{ offset: number; key: string | null; value: string; timestamp: number }> => {
    const r = connector(data, ['consume', topic, '-B', '-d', '-O', 'json']);
    expect(r.status).toBe(0);
    return r.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  };

  it('should run a test-connector to completion and consume exactly count records', () => {
    const config = writeConfig(
      'test.yaml',
      'version: latest\nname: hello\ntype: test-connector\ntopic: greetings\ncreate_topic: true\ndirection: source\nparameters:\n  count: 5\n  timeout: 1ms\n',
    );
    const run = connector(data, ['run', '--config', config]);
    expect(run.status).toBe(0);
    const consumed = connector(data, ['consume', 'greetings', '-B', '-d']);
    expect(consumed.status).toBe(0);
    expect(consumed.stdout).toBe([1, 2, 3, 4, 5].map((n) => `Hello, Fluvio! - ${n}\n`).join(''));
    // non-TTY stderr: structured JSON log lines
    const lines = run.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string });
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['topic created', 'connector started', 'connector finished']));
  });

  it('should run a periodic http-source until SIGINT, then exit 0 with every record consumable', async () => {
    const config = writeConfig(
      'periodic.yaml',
      `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: quotes-periodic\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: "${server.url}/api/quote"\n  interval: 100ms\n`,
    );
    const { child, exit } = startConnector(data, ['run', '--config', config]);
    await waitFor(() => connector(data, ['consume', 'quotes', '-B', '-d']).stdout.split('\n').filter(Boolean).length >= 3, 15_000);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    const records = consumeJson('quotes');
    expect(records.length).toBeGreaterThanOrEqual(3);
    expect(records.map((r) => r.offset)).toEqual(records.map((_, i) => i));
    for (const r of records) {
      expect(r.key).toBeNull();
      expect(JSON.parse(r.value)).toEqual(expect.objectContaining({ quote: expect.any(String), by: expect.any(String) }));
      expect(r.timestamp).toBeGreaterThan(1_600_000_000_000);
    }
  });

  it('should deploy start/list/shutdown/log a streaming connector and refuse a duplicate name', async () => {
    const config = writeConfig(
      'stream.yaml',
      `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: quotes-stream\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: ${server.url}/api/stream-quote\n  method: GET\n  stream: true\n  delimiter: "\\n\\n"\n`,
    );
    expect(connector(data, ['deploy', 'list']).stdout).toBe('No connectors found\n');

    const start = connector(data, ['deploy', 'start', '--config', config]);
    expect(start.stderr).toBe('');
    expect(start.status).toBe(0);
    expect(start.stdout).toMatch(/^Log file: .*quotes-stream\.log\nConnector runs with process id: \d+\nStarted connector `quotes-stream`\n$/);
    const pid = Number(/process id: (\d+)/.exec(start.stdout)![1]);

    const again = connector(data, ['deploy', 'start', '--config', config]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('already running');
    expect(connector(data, ['deploy', 'list']).stdout).toBe(' NAME           STATUS\n quotes-stream  Running\n');

    await waitFor(() => consumeJson('quotes').length >= 5, 15_000);
    const shutdown = connector(data, ['deploy', 'shutdown', '--name', 'quotes-stream']);
    expect(shutdown.status).toBe(0);
    expect(shutdown.stdout).toContain(`Shutting down connector: quotes-stream\npid: ${pid}\nLog File: `);
    expect(() => process.kill(pid, 0)).toThrow();
    expect(connector(data, ['deploy', 'list']).stdout).toBe('No connectors found\n');

    const records = consumeJson('quotes');
    for (const r of records) expect(JSON.parse(r.value)).toHaveProperty('quote');
    expect(new Set(records.map((r) => JSON.parse(r.value).id)).size).toBe(records.length);

    const log = connector(data, ['deploy', 'log', '--name', 'quotes-stream']);
    expect(log.status).toBe(1); // removed from the index by shutdown
    expect(connector(data, ['deploy', 'shutdown', '--name', 'nope']).stderr).toContain('Connector not found: nope');
  });

  it('should print the log of a running background connector', async () => {
    const config = writeConfig(
      'p.yaml',
      `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: logged\n  type: http-source\n  topic: logged\nhttp:\n  endpoint: "${server.url}/api/quote"\n  interval: 1s\n`,
    );
    expect(connector(data, ['deploy', 'start', '-c', config]).status).toBe(0);
    try {
      const log = connector(data, ['deploy', 'log', '--name', 'logged']);
      expect(log.status).toBe(0);
      expect(log.stdout).toContain('"msg":"connector started"');
    } finally {
      expect(connector(data, ['deploy', 'shutdown', '-n', 'logged']).status).toBe(0);
    }
  });

  it('should refuse to start a connector whose config is invalid, before spawning anything', () => {
    const config = writeConfig('bad.yaml', 'apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: bad\n  type: http-source\n  topic: t\nhttp:\n  endpoint: "http://x"\n  output_type: xml\n');
    const r = connector(data, ['deploy', 'start', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.yaml:9:16: http\.output_type/);
    expect(connector(data, ['deploy', 'list']).stdout).toBe('No connectors found\n');
  });

  it('should refuse to start a config whose transforms name an unknown SmartModule, before spawning anything', () => {
    const config = writeConfig('t.yaml', 'apiVersion: 0.2.0\nmeta:\n  version: 0.1.0\n  name: tr\n  type: test-connector\n  topic: t\ntransforms:\n  - uses: infinyon/jolts@0.4.1\n');
    const r = connector(data, ['deploy', 'start', '--config', config]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('t.yaml:8:11: transforms[0].uses: unknown SmartModule "infinyon/jolts@0.4.1", did you mean "infinyon/jolt@0.4.1"?');
    expect(r.stderr).toContain('[CONFIG_UNKNOWN_TRANSFORM]');
    expect(connector(data, ['deploy', 'list']).stdout).toBe('No connectors found\n');
  });

  it('should shape a seed quote config with transforms (jolt, regex-filter, a SmartModule file) and produce only the shaped records', async () => {
    // Prepare: the seed quotes-periodic config plus a Filter and Shape chain; the .wasm lies next to the config
    await writeSmartModule('map', tmp.dir, 'shout.wasm');
    const config = writeConfig(
      'quotes-shaped.yaml',
      [
        'apiVersion: 0.2.0',
        'meta:',
        '  version: 0.3.3',
        '  name: quotes-shaped',
        '  type: http-source',
        '  topic: quotes',
        'http:',
        `  endpoint: "${server.url}/api/quote"`,
        '  interval: 20ms',
        '  allow_fast_interval: true',
        'transforms:',
        '  - uses: infinyon/jolt@0.4.1',
        '    with:',
        '      spec:',
        '        - operation: shift',
        '          spec: {quote: text, by: author}',
        '        - operation: default',
        '          spec: {source: http}',
        '  - uses: infinyon/regex-filter@0.2.0',
        '    with:',
        '      regex: "Knuth|Kay|Beck"',
        '  - uses: ./shout.wasm',
        '',
      ].join('\n'),
    );
    expect(connector(data, ['validate', config]).stdout).toContain('  transforms: infinyon/jolt@0.4.1 -> infinyon/regex-filter@0.2.0 -> ./shout.wasm\n');

    // Act
    const { child, exit } = startConnector(data, ['run', '--config', config]);
    await waitFor(() => connector(data, ['consume', 'quotes', '-B', '-d']).stdout.split('\n').filter(Boolean).length >= 3, 20_000);
    child.kill('SIGINT');

    // Assess
    expect(await exit).toBe(0);
    const records = consumeJson('quotes');
    expect(records.length).toBeGreaterThanOrEqual(3);
    for (const r of records) {
      const value = JSON.parse(r.value) as Record<string, string>;
      expect(Object.keys(value)).toEqual(['AUTHOR', 'SOURCE', 'TEXT']);
      expect(['DONALD KNUTH', 'ALAN KAY', 'KENT BECK']).toContain(value.AUTHOR);
      expect(value.SOURCE).toBe('HTTP');
    }
  });

  it('should fail with exit 1 when a legacy config needs a topic that does not exist', () => {
    const config = writeConfig('legacy.yaml', `version: v1\nname: cat-facts\ntype: http\ntopic: cat-facts\ndirection: source\nparameters:\n  endpoint: ${server.url}/api/quote\n  interval: 1\n`);
    const r = connector(data, ['run', '-c', config]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Topic "cat-facts" not found');
    expect(connector(data, ['topic', 'create', 'cat-facts']).stdout).toBe('topic "cat-facts" created\n');
    const { status } = connector(data, ['topic', 'create', 'cat-facts']);
    expect(status).toBe(1);
  });

  it('should produce stdin lines and consume them with offsets, tail and end bounds', () => {
    expect(connector(data, ['topic', 'create', 'lines']).status).toBe(0);
    expect(connector(data, ['produce', 'lines'], { input: 'a\nb\nc\nd\n' }).status).toBe(0);
    expect(connector(data, ['consume', 'lines', '-B', '-d']).stdout).toBe('a\nb\nc\nd\n');
    expect(connector(data, ['consume', 'lines', '-o', '2', '-d']).stdout).toBe('c\nd\n');
    expect(connector(data, ['consume', 'lines', '-T', '1', '-d']).stdout).toBe('d\n');
    expect(connector(data, ['consume', 'lines', '-B', '--end', '1']).stdout).toBe('a\nb\n');
    expect(connector(data, ['topic', 'list']).stdout).toMatch(/^ NAME\s+RECORDS\s+CREATED\n lines\s+4\s/);
    expect(connector(data, ['topic', 'delete', 'lines']).stdout).toBe('topic "lines" deleted\n');
    expect(connector(data, ['consume', 'lines', '-B', '-d']).status).toBe(1);
  });

  it('should keep consuming new records until SIGINT when continuous (the default)', async () => {
    expect(connector(data, ['topic', 'create', 'live']).status).toBe(0);
    expect(connector(data, ['produce', 'live'], { input: 'old\n' }).status).toBe(0);
    const { child, out, exit } = startConnector(data, ['consume', 'live']); // starts at the end: "old" is not printed
    await waitFor(() => connector(data, ['produce', 'live'], { input: 'new-1\nnew-2\n' }).status === 0 && out.stdout.includes('new-2'), 15_000);
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(out.stdout.startsWith('new-1\nnew-2\n')).toBe(true);
    expect(out.stdout).not.toContain('old');
  });

  it('should validate the configs directory and exit 2 on usage errors', () => {
    const ok = connector(data, ['validate', 'configs/quotes-periodic.yaml', 'configs/quotes-stream.yaml', 'configs/cat-facts.yaml', 'configs/test-connector.yaml']);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('ok configs/quotes-periodic.yaml: quotes-periodic (http-source, periodic, every 2s) -> topic quotes');
    expect(connector(data, ['consume']).status).toBe(2);
    expect(connector(data, ['run', '--bogus']).status).toBe(2);
    expect(connector(data, ['consume', 'x', '-O', 'yaml']).status).toBe(2);
  });

  it('should validate secret declarations without values with --defer-secrets, as serverless package does', () => {
    // Prepare
    const { dir, cleanup } = tempDir();
    const file = join(dir, 'secret.yaml');
    writeFileSync(file, 'apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: s\n  type: http-source\n  topic: t\n  secrets:\n    - name: TOKEN\nhttp:\n  endpoint: https://example.com/${{ secrets.TOKEN }}\n  headers:\n    - "X: ${{ secrets.TOKN }}"\n');
    try {
      // Act
      const withValues = connector(data, ['validate', file]);
      const deferred = connector(data, ['validate', '--defer-secrets', file]);

      // Assess: without values TOKEN is missing; deferred, only the undeclared TOKN is an error
      expect(withValues.status).toBe(2);
      expect(withValues.stderr).toContain('CONFIG_SECRET_MISSING');
      expect(deferred.status).toBe(2);
      expect(deferred.stderr).not.toContain('CONFIG_SECRET_MISSING');
      expect(deferred.stderr).toMatch(/secret\.yaml:12:\d+: http\.headers\[0\]: secret "TOKN" is not declared, did you mean "TOKEN"\?/);
    } finally {
      cleanup();
    }
  });
});
