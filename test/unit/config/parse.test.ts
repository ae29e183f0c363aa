import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ConfigError, type ConnectorSpec, loadConnectorConfig, loadSecretValues, parseConnectorConfig } from '../../../lib/config';
import { type ConnectorDefinition, createRegistry, defaultRegistry } from '../../../lib/connectors';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import { ErrorCode } from '../../../lib/core/errors';

const noSecrets = loadSecretValues({ env: {} });

function parse(text: string, registry = defaultRegistry): ConnectorSpec {
  return parseConnectorConfig(text, { file: 'c.yaml', registry, secrets: noSecrets });
}

function parseError(text: string, registry = defaultRegistry): ConfigError {
  try {
    parse(text, registry);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const where = (error: ConfigError): unknown[][] => error.issues.map((issue) => [issue.code, issue.path, issue.line, issue.column]);

const api = (meta: string, rest = 'http:\n  endpoint: https://example.com\n'): string =>
  `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  type: http-source\n  topic: quotes\n${meta}${rest}`;

/** A sink type with its own section, to check that the loader takes everything from the registry. */
const demoSink: ConnectorDefinition = {
  type: 'demo-sink',
  legacyTypes: ['demo'],
  direction: 'sink',
  section: 'demo',
  schema: z.strictObject({ url: z.string(), retries: z.number().default(1) }),
  summary: 'test only',
  needs: [],
  load: () => Promise.reject(new Error('not called')),
};

describe('Function: loadConnectorConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-load-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['a missing file', 'missing.yaml', 'ENOENT'],
    ['a directory', '.', 'EISDIR'],
  ])('should throw CONFIG_READ for %s', (_what, name, reason) => {
    // Prepare
    const file = join(dir, name);

    // Act
    let error: unknown;
    try {
      loadConnectorConfig(file, { registry: defaultRegistry, secrets: noSecrets });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: ErrorCode.CONFIG_READ, issues: [{ code: ErrorCode.CONFIG_READ, file, path: '' }] });
    expect((error as ConfigError).message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot read the config file: ${reason}.*\\[CONFIG_READ\\]$`));
  });
});

describe('Function: parseConnectorConfig', () => {
  it('should collect every issue, sorted by position, one message line each, with the first code', () => {
    // Prepare
    const text = `apiVersion: 0.2.0
meta:
  name: many
  type: http-source
  version: 0.3.3
  topic: quotes
  producer: {compression: brotli}
http:
  endpoint: nope
  interval: 0s
`;

    // Act
    const error = parseError(text);

    // Assess
    expect(where(error)).toEqual([
      [ErrorCode.CONFIG_INVALID_VALUE, 'meta.producer.compression', 7, 27],
      [ErrorCode.CONFIG_INVALID_VALUE, 'http.endpoint', 9, 13],
      [ErrorCode.CONFIG_INVALID_VALUE, 'http.interval', 10, 13],
    ]);
    expect(error.code).toBe(ErrorCode.CONFIG_INVALID_VALUE);
    expect(error.message.split('\n')).toEqual([
      'c.yaml:7:27: meta.producer.compression: unknown value "brotli", expected one of "none", "gzip", "snappy", "lz4", "zstd" [CONFIG_INVALID_VALUE]',
      'c.yaml:9:13: http.endpoint: invalid value "nope", expected an absolute http:// or https:// URL [CONFIG_INVALID_VALUE]',
      'c.yaml:10:13: http.interval: invalid value "0s", expected a duration of at least 100ms (1ms with allow_fast_interval: true) [CONFIG_INVALID_VALUE]',
    ]);
  });

  it('should accept an explicit apiVersion 0.0.0', () => {
    // Act
    const spec = parse(api('  name: zero\n').replace('0.2.0', '0.0.0'));

    // Assess
    expect(spec.format).toBe('0.0.0');
  });

  it.each([
    ['a 64-character name', 'a'.repeat(64), true],
    ['a 65-character name', 'a'.repeat(65), false],
    ['a name starting with "-"', '-quotes', false],
    ['a name with "_" and digits', 'Quotes_2-b', true],
  ])('should check %s', (_what, name, valid) => {
    // Act
    let error: ConfigError | undefined;
    try {
      parse(api(`  name: "${name}"\n`));
    } catch (caught) {
      error = caught as ConfigError;
    }

    // Assess
    if (valid) expect(error).toBeUndefined();
    else expect(where(error as ConfigError)).toEqual([[ErrorCode.CONFIG_INVALID_VALUE, 'meta.name', 6, 9]]);
  });

  it('should suggest meta.name for a top-level name and not also report meta.name as missing', () => {
    // Act
    const error = parseError(`name: top\n${api('')}`);

    // Assess
    expect(where(error)).toEqual([[ErrorCode.CONFIG_UNKNOWN_FIELD, 'name', 1, 1]]);
    expect(error.issues[0]).toMatchObject({ suggestion: 'meta.name' });
  });

  it('should list the known fields when an unknown key is not close to any', () => {
    // Act
    const error = parseError(api('  name: far\n  zzz: 1\n'));

    // Assess
    expect(error.issues[0]?.suggestion).toBeUndefined();
    expect(error.message).toContain('meta.zzz: unknown field, expected one of "name", "type", "version", "create-topic"');
  });

  it('should read an empty section as an empty map and point a missing field at the section key', () => {
    // Act
    const error = parseError(api('  name: empty\n', 'http:\n'));

    // Assess
    expect(where(error)).toEqual([[ErrorCode.CONFIG_MISSING_FIELD, 'http.endpoint', 7, 1]]);
  });

  it('should read create_topic (alias of meta.create-topic) in apiVersion configs', () => {
    // Act
    const spec = parse(api('  name: no-create\n  create_topic: false\n'));

    // Assess
    expect(spec.topic).toEqual({ name: 'quotes', create: false });
  });

  it('should read a legacy map parameter for a list as key:value items, as Fluvio passed them', () => {
    // Prepare
    const text = 'version: 0.4.3\nname: m\ntype: http\ntopic: quotes\nparameters:\n  endpoint: https://example.com\n  headers:\n    Accept: text/plain\n    X-Count: 2\n';

    // Act
    const spec = parse(text);

    // Assess
    expect((spec.config as HttpSourceConfig).headers).toEqual([
      ['Accept', 'text/plain'],
      ['X-Count', '2'],
    ]);
  });

  it('should say which forms a value may take when it fits none, and explain bounds', () => {
    // Prepare
    const consumer = '  name: forms\n  consumer:\n    partition: some\n    max-bytes: 0\n    offset: {strategy: none, flush-period: {secs: 1, nanos: 1000000000}}\n';

    // Act
    const error = parseError(api(consumer, 'http:\n  endpoint: https://example.com\n  headers: []\n  delimiter: ""\n'));

    // Assess
    expect(error.message.split('\n').map((line) => line.replace(/^c\.yaml:\d+:\d+: /, ''))).toEqual([
      'meta.consumer.partition: invalid value "some", expected a partition (a whole number ≥ 0) or a list or "all" [CONFIG_INVALID_VALUE]',
      'meta.consumer.max-bytes: invalid value 0, expected a number of bytes (a whole number ≥ 1) [CONFIG_INVALID_VALUE]',
      'meta.consumer.offset.flush-period.nanos: invalid value 1000000000, expected nanoseconds (0 to 999999999) [CONFIG_INVALID_VALUE]',
      'http.delimiter: invalid value "", expected at least 1 character [CONFIG_INVALID_VALUE]',
    ]);
  });

  it('should read a legacy scalar for a list parameter as a one-item list', () => {
    // Act
    const spec = parse('version: 0.4.3\nname: s\ntype: http\ntopic: quotes\nparameters:\n  endpoint: https://example.com\n  headers: "Accept: text/plain"\n');

    // Assess
    expect((spec.config as HttpSourceConfig).headers).toEqual([['Accept', 'text/plain']]);
  });

  it('should report an alias bomb at the alias where it stands instead of expanding it', () => {
    // Prepare
    const levels = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    for (let i = 1; i < 8; i += 1) levels.push(`l${i}: &l${i} [${Array(10).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);

    // Act
    const error = parseError(`${levels.join('\n')}\n`);

    // Assess: at the alias yaml was expanding when its maxAliasCount stopped it (a *l1 on line 3)
    expect(where(error)).toEqual([[ErrorCode.CONFIG_LIMIT_EXCEEDED, '', 3, 50]]);
    expect(error.message).toContain('this alias expands too much (an alias bomb: Excessive alias count');
  });

  it('should reject a document that is a list, and one that is neither format', () => {
    // Act
    const list = parseError('- a\n- b\n');
    const neither = parseError('# header\nfoo: 1\n');

    // Assess
    expect(where(list)).toEqual([[ErrorCode.CONFIG_INVALID_VALUE, '', 1, 1]]);
    expect(list.issues[0]?.value).toEqual(['a', 'b']);
    expect(where(neither)).toEqual([[ErrorCode.CONFIG_MISSING_FIELD, 'meta', 2, 1]]);
  });

  it('should take types, sections, legacy names and directions from the given registry', () => {
    // Prepare
    const registry = createRegistry([demoSink]);

    // Act
    const spec = parse('apiVersion: 0.1.0\nmeta: {name: d, type: demo-sink, version: "1", topic: t}\ndemo:\n  url: x\n', registry);
    const legacy = parse('version: 1\nname: d\ntype: demo\ntopic: t\ndirection: sink\nparameters: {url: x, retries: "3"}\n', registry);
    const wrong = parseError('version: 1\nname: d\ntype: demo\ntopic: t\ndirection: source\nparameters: {url: x}\n', registry);
    const unknown = parseError('version: 1\nname: d\ntype: http\ntopic: t\n', registry);

    // Assess
    expect(spec).toMatchObject({ type: 'demo-sink', direction: 'sink', definition: demoSink, config: { url: 'x', retries: 1 } });
    expect(legacy).toMatchObject({ format: 'legacy', type: 'demo-sink', version: '1', config: { url: 'x', retries: 3 } });
    expect(where(wrong)).toEqual([[ErrorCode.CONFIG_INVALID_VALUE, 'direction', 5, 12]]);
    expect(unknown.message).toContain('unknown connector type "http", expected one of "demo-sink", "demo"');
  });

  it('should refuse a connector definition whose section uses a reserved name when the registry is built', () => {
    // Act
    const act = (): unknown => createRegistry([{ ...demoSink, section: 'meta' }]);

    // Assess
    expect(act).toThrow('reserved section name "meta"');
  });
});
