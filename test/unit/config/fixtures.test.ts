import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, type ConnectorSpec, loadConnectorConfig, loadSecretValues } from '../../../lib/config';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import { defaultRegistry } from '../../../lib/connectors';
import type { TestConnectorConfig } from '../../../lib/connectors/test-connector/schema';
import { ErrorCode } from '../../../lib/core/errors';

const FIXTURES = join(__dirname, '../../fixtures/configs');

/**
 * One fixture file and what loading it must give. Without `code` the file is valid and `check`
 * asserts the normalised spec; with `code` loading throws a ConfigError with that code, and the
 * issue with `code` (and `path`) sits at `line`:`column`.
 */
interface FixtureCase {
  file: string;
  /** What this row shows (one fixture may be loaded with different secrets). */
  case: string;
  code?: ErrorCode;
  path?: string;
  line?: number;
  column?: number;
  messageIncludes?: string;
  /** Number of issues expected in the error (default: not checked). */
  issueCount?: number;
  /** Secrets file next to the fixtures; secrets otherwise come from `env` only (default: none). */
  secretsFile?: string;
  env?: Record<string, string>;
  check?: (spec: ConnectorSpec) => void;
}

const http = (spec: ConnectorSpec): HttpSourceConfig => spec.config as HttpSourceConfig;

const cases: FixtureCase[] = [
  // --- valid files ---
  {
    file: 'valid-legacy-http.yaml',
    case: 'legacy, kebab keys, integer interval in seconds, string scalars',
    check: (spec) => {
      expect(spec).toMatchObject({ format: 'legacy', type: 'http-source', version: '0.4.3', topic: { name: 'legacy-http', create: true } });
      expect(http(spec)).toMatchObject({
        user_agent: 'legacy-agent/1.0',
        output_type: 'json',
        output_parts: 'full',
        interval: 300_000,
        stream: false,
        max_retries: 5,
        headers: [['Accept', 'application/json']],
      });
    },
  },
  {
    file: 'valid-legacy-test-timeout-ms.yaml',
    case: 'legacy test-connector: an integer timeout is milliseconds (Fluvio test-connector docs), not seconds',
    check: (spec) => {
      expect(spec).toMatchObject({ format: 'legacy', type: 'test-connector' });
      expect(spec.config as TestConnectorConfig).toEqual({ count: 5, timeout: 500 });
    },
  },
  {
    file: 'valid-legacy-minimal.yaml',
    case: 'legacy without create_topic, numeric version kept as written',
    check: (spec) => {
      expect(spec).toMatchObject({ format: 'legacy', type: 'test-connector', version: '1.0', topic: { name: 'legacy-minimal', create: false } });
      expect(spec.config as TestConnectorConfig).toEqual({ count: 3, timeout: 500 });
    },
  },
  {
    file: 'valid-api-0.0.0.yaml',
    case: 'meta without apiVersion, test section, 500ms',
    check: (spec) => {
      expect(spec).toMatchObject({ format: '0.0.0', name: 'generator', type: 'test-connector', topic: { name: 'generated', create: true } });
      expect(spec.config as TestConnectorConfig).toEqual({ count: 10, timeout: 500 });
    },
  },
  {
    file: 'valid-api-0.1.0.yaml',
    case: '0.1.0, "1h 30m", kebab section key, create-topic false',
    check: (spec) => {
      expect(spec).toMatchObject({ format: '0.1.0', version: '0.3.3', topic: { name: 'slow', create: false } });
      expect(http(spec)).toMatchObject({ interval: 5_400_000, request_timeout: 500, method: 'POST', body: '{"query": "all"}' });
    },
  },
  {
    file: 'valid-api-0.2.0-topic-object.yaml',
    case: '0.2.0 topic object, producer and consumer kept',
    check: (spec) => {
      expect(spec.format).toBe('0.2.0');
      expect(spec.topic).toEqual({
        name: 'events',
        create: true,
        config: {
          meta: { name: 'events' },
          partition: { count: 3, replication: 1, 'max-size': '1.0 KB', 'ignore-rack-assignment': true },
          retention: { time: 120_000, 'segment-size': '2.0 KB' },
          compression: { type: 'Lz4' },
          deduplication: { bounds: { count: 100, age: 60_000 }, filter: { transform: { uses: 'fluvio/dedup-bloom-filter@0.1.0' } } },
        },
      });
      expect(spec.producer).toEqual({ linger: 1, 'batch-size': '44.0 MB', compression: 'gzip' });
      expect(spec.consumer).toEqual({
        partition: [0, 1],
        'max-bytes': '1 MB',
        id: 'events-reader',
        offset: { start: { 'from-end': 10 }, strategy: 'auto', 'flush-period': { secs: 10, nanos: 0 } },
      });
    },
  },
  {
    file: 'valid-transforms.yaml',
    case: 'transforms kept, map `with` serialised to JSON, on_error defaulting to fail',
    check: (spec) => {
      expect(spec.transforms).toEqual([
        { uses: 'infinyon/jolt@0.4.1', with: { spec: '[{"operation":"default","spec":{"source":"http"}}]' }, on_error: 'fail' },
        { uses: 'infinyon/regex-filter@0.2.0', with: { regex: 'fact' }, lookback: { last: 100, age: 3_600_000 }, on_error: 'skip' },
      ]);
    },
  },
  {
    file: 'valid-secrets-file.yaml',
    case: 'secrets from a file; a value with ": " and quotes stays one string',
    secretsFile: 'secrets.env',
    env: { API_TOKEN: 'loses-to-the-file' },
    check: (spec) => {
      expect(spec.secrets).toEqual(['API_TOKEN', 'API_HOST']);
      expect(http(spec).endpoint).toBe('https://api.example.com/v1');
      expect(http(spec).headers).toEqual([
        ['Authorization', `Bearer abc: "quoted" 'single'`],
        ['X-Token', `abc: "quoted" 'single'`],
      ]);
    },
  },
  {
    file: 'valid-secrets-file.yaml',
    case: 'secrets from the environment',
    env: { API_TOKEN: 'env-token', API_HOST: 'env.example.com' },
    check: (spec) => {
      expect(http(spec).endpoint).toBe('https://env.example.com/v1');
      expect(http(spec).headers).toEqual([
        ['Authorization', 'Bearer env-token'],
        ['X-Token', 'env-token'],
      ]);
    },
  },
  {
    file: 'valid-legacy-secrets.yaml',
    case: 'legacy secrets map: defaults, overridden by the environment',
    env: { API_TOKEN: 'from-env' },
    check: (spec) => {
      expect(spec.secrets).toEqual(['API_TOKEN', 'API_HOST']);
      expect(http(spec).endpoint).toBe('https://default.example.com/v1');
      expect(http(spec).headers).toEqual([['Authorization', 'Bearer from-env']]);
    },
  },
  // --- files with errors ---
  { file: 'error-yaml-syntax.yaml', case: 'YAML syntax', code: ErrorCode.CONFIG_YAML_SYNTAX, path: '', line: 6, column: 1, messageIncludes: 'invalid YAML: Flow sequence' },
  { file: 'error-empty.yaml', case: 'no document', code: ErrorCode.CONFIG_INVALID_VALUE, path: '', line: 1, column: 1, messageIncludes: 'expected a mapping' },
  { file: 'error-bad-api-version.yaml', case: 'apiVersion v1', code: ErrorCode.CONFIG_UNSUPPORTED_API_VERSION, path: 'apiVersion', line: 1, column: 13, messageIncludes: 'apiVersion: unsupported value "v1", expected one of "0.1.0", "0.2.0"' },
  { file: 'error-bad-duration.yaml', case: 'bad duration', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'http.interval', line: 9, column: 13, messageIncludes: 'invalid value "2 parsecs", expected a duration such as "2s"' },
  { file: 'error-legacy-integer-duration.yaml', case: 'legacy integer for a duration without a declared unit', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'parameters.request_timeout', line: 9, column: 20, messageIncludes: 'expected a duration such as "2s"' },
  { file: 'error-bad-enum.yaml', case: 'bad enum value', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'http.output_type', line: 9, column: 16, messageIncludes: 'http.output_type: unknown value "xml", expected one of "text", "json" [CONFIG_INVALID_VALUE]' },
  { file: 'error-bad-url.yaml', case: 'bad URL', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'http.endpoint', line: 8, column: 13, messageIncludes: 'invalid value "ftp://example.com/file", expected an absolute http:// or https:// URL' },
  { file: 'error-bad-header.yaml', case: 'malformed header line', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'parameters.headers[1]', line: 9, column: 7, messageIncludes: 'invalid value "Authorization Bearer abc", expected a header as "Name: value"' },
  { file: 'error-legacy-bad-bool.yaml', case: 'legacy "yes" is not a boolean', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'parameters.stream', line: 8, column: 11, messageIncludes: 'invalid value "yes", expected true or false' },
  { file: 'error-unknown-key-top.yaml', case: 'unknown top-level key', code: ErrorCode.CONFIG_UNKNOWN_FIELD, path: 'transform', line: 9, column: 1, messageIncludes: 'transform: unknown field, did you mean "transforms"?' },
  { file: 'error-unknown-key-meta.yaml', case: 'unknown meta key', code: ErrorCode.CONFIG_UNKNOWN_FIELD, path: 'meta.secret', line: 7, column: 3, messageIncludes: 'did you mean "secrets"?' },
  { file: 'error-unknown-key-section.yaml', case: 'unknown section key', code: ErrorCode.CONFIG_UNKNOWN_FIELD, path: 'http.usr_agent', line: 9, column: 3, messageIncludes: ':9:3: http.usr_agent: unknown field, did you mean "user_agent"? [CONFIG_UNKNOWN_FIELD]' },
  { file: 'error-extra-top-level.yaml', case: 'legacy `parameters` in an apiVersion config', code: ErrorCode.CONFIG_UNKNOWN_FIELD, path: 'parameters', line: 8, column: 1, issueCount: 1, messageIncludes: 'did you mean "http"?' },
  { file: 'error-legacy-api-section.yaml', case: '`http` section in a legacy config', code: ErrorCode.CONFIG_UNKNOWN_FIELD, path: 'http', line: 6, column: 1, issueCount: 1, messageIncludes: 'did you mean "parameters"?' },
  { file: 'error-duplicate-alias.yaml', case: 'a key written both kebab and snake', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'http.user_agent', line: 10, column: 3, messageIncludes: 'duplicate field: "user-agent" and "user_agent"' },
  { file: 'error-missing-required.yaml', case: 'missing meta.version', code: ErrorCode.CONFIG_MISSING_FIELD, path: 'meta.version', line: 2, column: 1, messageIncludes: ':2:1: meta.version: missing required field [CONFIG_MISSING_FIELD]' },
  { file: 'error-missing-section.yaml', case: 'missing section: required endpoint', code: ErrorCode.CONFIG_MISSING_FIELD, path: 'http.endpoint', line: 2, column: 1, messageIncludes: 'http.endpoint: missing required field' },
  { file: 'error-consumer-without-id.yaml', case: 'offset strategy without consumer id', code: ErrorCode.CONFIG_MISSING_FIELD, path: 'meta.consumer.id', line: 7, column: 3, messageIncludes: 'a consumer id is required when offset.strategy is "auto"' },
  { file: 'error-unknown-type.yaml', case: 'unknown connector type', code: ErrorCode.CONFIG_UNKNOWN_CONNECTOR, path: 'meta.type', line: 4, column: 9, messageIncludes: 'unknown connector type "http-sorce", did you mean "http-source"? expected one of "http-source", "http", "http-sink", "mqtt", "mqtt-source", "test-connector"' },
  { file: 'error-direction-mismatch.yaml', case: 'legacy direction sink for a source', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'direction', line: 5, column: 12, messageIncludes: 'invalid value "sink", expected "source" (http-source is a source connector)' },
  { file: 'error-bad-name.yaml', case: 'name not usable as a file/AWS name', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'meta.name', line: 3, column: 9, messageIncludes: 'invalid value "my connector!", expected a name of 1-64 characters' },
  { file: 'error-topic-object.yaml', case: '0.2.0 topic object with a bad partition count', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'meta.topic.partition.count', line: 10, column: 14, messageIncludes: 'invalid value 0, expected a partition count (a whole number ≥ 1)' },
  { file: 'error-topic-object-0.1.0.yaml', case: 'topic object before 0.2.0', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'meta.topic', line: 8, column: 5, messageIncludes: 'a topic config object needs apiVersion 0.2.0' },
  { file: 'error-transform-bare-number.yaml', case: 'bare number in transform `with`', code: ErrorCode.CONFIG_INVALID_VALUE, path: 'transforms[0].with.limit', line: 13, column: 14, messageIncludes: 'invalid value 5, expected a string, a list or a mapping; quote a bare number (write "5")' },
  { file: 'error-secret-undeclared.yaml', case: 'undeclared secret', code: ErrorCode.CONFIG_SECRET_UNDECLARED, path: 'http.headers[0]', line: 12, column: 30, env: { API_TOKN: 'x' }, messageIncludes: 'secret "API_TOKN" is not declared, did you mean "API_TOKEN"?' },
  { file: 'error-secret-missing.yaml', case: 'declared secret without a value', code: ErrorCode.CONFIG_SECRET_MISSING, path: 'http.headers[1]', line: 13, column: 30, secretsFile: 'secrets.env', messageIncludes: 'secret "NOT_SET_ANYWHERE" has no value in secrets file' },
  {
    file: 'error-many-issues.yaml',
    case: 'every issue of the file, in file order',
    code: ErrorCode.CONFIG_MISSING_FIELD,
    path: 'meta.version',
    line: 2,
    column: 1,
    issueCount: 5,
    messageIncludes: 'meta.version: missing required field',
  },
];

function load(row: FixtureCase): ConnectorSpec {
  const secrets = loadSecretValues({ file: row.secretsFile && join(FIXTURES, row.secretsFile), env: row.env ?? {} });
  return loadConnectorConfig(join(FIXTURES, row.file), { registry: defaultRegistry, secrets });
}

function loadError(row: FixtureCase): ConfigError {
  try {
    load(row);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`${row.file} loaded without error`);
}

describe('Function: loadConnectorConfig (fixtures)', () => {
  it('should have a table row for every fixture file', () => {
    // Prepare
    const files = readdirSync(FIXTURES).filter((name) => name.endsWith('.yaml'));

    // Act
    const covered = new Set(cases.map((row) => row.file));

    // Assess
    expect(files.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each(cases.filter((row) => row.code === undefined))('should load $file ($case)', (row) => {
    // Prepare
    expect(row.check).toBeDefined();

    // Act
    const spec = load(row);

    // Assess
    expect(spec.file).toBe(join(FIXTURES, row.file));
    expect(spec.definition).toBe(defaultRegistry.get(spec.type));
    row.check?.(spec);
  });

  it.each(cases.filter((row) => row.code !== undefined))('should reject $file with $code ($case)', (row) => {
    // Act
    const error = loadError(row);

    // Assess
    expect(error.code).toBe(row.code);
    const issue = error.issues.find((candidate) => candidate.code === row.code && candidate.path === row.path);
    expect(issue).toMatchObject({ file: join(FIXTURES, row.file), line: row.line, column: row.column });
    expect(issue?.message).toContain(row.messageIncludes);
    expect(error.message).toContain(issue?.message);
    if (row.issueCount !== undefined) expect(error.issues).toHaveLength(row.issueCount);
  });
});
