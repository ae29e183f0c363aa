import { ConfigError, type ConfigIssue, type ConnectorSpec, parseConnectorConfig, type SecretValues } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import type { TestConnectorConfig } from '../../../lib/connectors/test-connector/schema';
import { ErrorCode } from '../../../lib/core/errors';

/**
 * The fixture table of issue 11 ("every wrong config is refused with a located error"): for each
 * case, the config text, and the expected error code and position (or the located warnings, or the
 * value a valid config reads as). Line and column are 1-based, as printed (`file:line:col`).
 */

/** An apiVersion 0.2.0 http-source config; `lines` go into `http:` from line 9 on (2-space indent). */
const http = (...lines: string[]): string =>
  ['apiVersion: 0.2.0', 'meta:', '  name: hardening', '  type: http-source', '  version: 0.3.3', '  topic: quotes', 'http:', '  endpoint: https://example.com/api', ...lines.map((line) => `  ${line}`), ''].join('\n');

/** An apiVersion 0.2.0 http-source config with `meta` lines replaced from line 3 on, and an `http:` section. */
const meta = (metaLines: string[], httpLines: string[] = ['endpoint: https://example.com/api']): string =>
  ['apiVersion: 0.2.0', 'meta:', ...metaLines.map((line) => `  ${line}`), 'http:', ...httpLines.map((line) => `  ${line}`), ''].join('\n');

/** A legacy config of `type` with `parameters:` lines from line 6 on. */
const legacy = (type: string, ...lines: string[]): string => ['version: v1', 'name: hardening', `type: ${type}`, 'topic: quotes', 'parameters:', ...lines.map((line) => `  ${line}`), ''].join('\n');

/** An apiVersion 0.2.0 test-connector config; `lines` go into `test:` from line 8 on. */
const test = (...lines: string[]): string =>
  ['apiVersion: 0.2.0', 'meta:', '  name: hardening', '  type: test-connector', '  version: 0.1.0', '  topic: quotes', 'test:', ...lines.map((line) => `  ${line}`), ''].join('\n');

/** A legacy test-connector config with a `secrets:` map. */
const legacySecrets = (...lines: string[]): string => ['version: v1', 'name: hardening', 'type: test-connector', 'topic: quotes', ...lines, ''].join('\n');

interface RefusedCase {
  case: string;
  text: string;
  code: ErrorCode;
  line: number;
  column: number;
  /** Path of the issue as printed (default: not checked). */
  path?: string;
  includes: string;
  /** Parse as `serverless package` does (secrets deferred). */
  defer?: boolean;
}

const refused: RefusedCase[] = [
  // --- durations: bounded per field, humantime grammar ---
  { case: 'interval above the timer limit', text: http('interval: 30d'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, path: 'http.interval', includes: 'invalid value "30d", expected a duration of at most 24d' },
  { case: 'legacy integer interval above the timer limit (seconds)', text: legacy('http', 'endpoint: https://example.com', 'interval: 3000000'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 7, column: 13, path: 'parameters.interval', includes: 'invalid value 3000000, expected a duration of at most 24d' },
  { case: 'request_timeout above its maximum', text: http('request_timeout: 30d'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 20, path: 'http.request_timeout', includes: 'expected a duration of at most 1h' },
  { case: 'backoff_max above its maximum', text: http('backoff_max: 30d'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 16, path: 'http.backoff_max', includes: 'expected a duration of at most 1h' },
  { case: 'test-connector timeout above the timer limit', text: test('timeout: 30d'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 12, path: 'test.timeout', includes: 'expected a duration of at most 24d' },
  { case: 'interval of 1ms without the opt-in', text: http('interval: 1ms'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, path: 'http.interval', includes: 'expected a duration of at least 100ms (1ms with allow_fast_interval: true)' },
  { case: 'interval of 0s even with the opt-in', text: http('interval: 0s', 'allow_fast_interval: true'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'expected a duration of at least 100ms' },
  { case: 'backoff_max below its minimum', text: http('backoff_max: 1ms'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 16, includes: 'expected a duration of at least 100ms' },
  { case: 'backoff_min above backoff_max', text: http('backoff_min: 10s', 'backoff_max: 5s'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 16, path: 'http.backoff_min', includes: 'expected backoff_min ≤ backoff_max (5s' },
  { case: 'max_retries above its bound', text: http('max_retries: 1000'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 16, includes: 'expected a number of retries (a whole number from 0 to 100)' },
  { case: 'max_retries not whole', text: http('max_retries: 1.5'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 16, includes: 'expected a number of retries' },
  { case: 'a number without a unit after a part (1s2)', text: http('interval: 1s2'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'invalid value "1s2", expected a duration such as "2s", "500ms", "1m" or "1h 30m" (the number 2 has no unit)' },
  { case: 'a number too large for any duration', text: http('interval: 99999999999999999999999h'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: '(the number is too large)' },
  { case: 'an unknown unit', text: http('interval: 2 parsecs'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: '("parsecs" is not a unit' },
  { case: "humantime's M (a month, not a minute) above the timer limit", text: test('timeout: 1M'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 12, includes: 'invalid value "1M", expected a duration of at most 24d' },
  { case: '.inf shown as written', text: http('interval: .inf'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'invalid value .inf, expected a duration' },
  { case: '.nan shown as written', text: http('max_retries: .nan'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 16, includes: 'invalid value .nan, expected a number of retries' },

  // --- HTTP fields ---
  { case: 'header name that is not a token', text: http('headers: ["Bad Name: x"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, path: 'http.headers[0]', includes: 'expected a header as "Name: value"' },
  { case: 'header value with CR LF (header injection)', text: http('headers: ["X-A: 1\\r\\nX-Evil: 2"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, path: 'http.headers[0]', includes: 'expected a header value without control characters (CR, LF, NUL…)' },
  { case: 'header value with NUL', text: http('headers: ["X-A: a\\0b"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'expected a header value without control characters' },
  { case: 'header value above U+00FF (Node refuses it at send time)', text: http('headers: ["X-A: \u0100"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'or characters above U+00FF' },
  { case: 'user_agent with LF', text: http('user_agent: "agent\\nX-Evil: 1"'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 15, path: 'http.user_agent', includes: 'expected a header value without control characters' },
  { case: 'user-agent (alias) with NUL', text: http('user-agent: "agent\\0"'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 15, path: 'http.user-agent', includes: 'expected a header value without control characters' },
  { case: 'Host header (the client owns it)', text: http('headers: ["Host: evil.example"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'expected no Host header: the HTTP client sets it itself' },
  { case: 'Content-Length header', text: http('headers: ["content-length: 5"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'expected no Content-Length header' },
  { case: 'Transfer-Encoding header', text: http('headers: ["Transfer-Encoding: chunked"]'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, includes: 'expected no Transfer-Encoding header' },
  { case: 'method that is not a token', text: http('method: "GE T"'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 11, path: 'http.method', includes: 'expected an HTTP method such as GET or POST' },
  { case: 'method CONNECT (never settles)', text: http('method: CONNECT'), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 11, includes: 'expected a method other than CONNECT' },
  { case: 'endpoint with an empty host', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: http:///path']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, path: 'http.endpoint', includes: 'invalid value "http:///path", expected an absolute http:// or https:// URL with a host name' },
  { case: 'endpoint with only a port', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: "http://:80/"']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: 'URL with a host name' },
  { case: 'endpoint with port 0', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: http://example.com:0/x']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: 'with a port from 1 to 65535' },
  { case: 'endpoint with a host of dots', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: http://.../x']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: 'with a host name (not dots or an empty label)' },
  { case: 'endpoint with credentials', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: https://user:pw@example.com/']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: 'expected a URL without credentials (user:password@): send them in a header instead' },
  { case: 'endpoint with a bad percent escape', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: https://example.com/a%zzb']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: 'with valid percent escapes' },
  { case: 'endpoint with a line break (the URL parser would drop it)', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: "https://exa\\nmple.com/"']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: 'without spaces or control characters' },
  { case: 'WebSocket endpoint', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: wss://example.com/feed']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 13, includes: '(WebSocket endpoints are not supported yet)' },

  // --- cross-field errors ---
  { case: 'duplicate secret declarations', text: meta(['name: e', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: TOKEN', '  - name: TOKEN'], ['endpoint: https://example.com/', 'headers: ["X-Token: ${{ secrets.TOKEN }}"]']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 9, column: 13, path: 'meta.secrets[1].name', includes: 'expected each secret declared once ("TOKEN" is declared above)' },
  ...(
    [
      ['[1]', '[1]'],
      ['""', '""'],
      ['true', 'true'],
      ['"0x10"', '"0x10"'],
      ['null', 'null'],
      ['0', '0'],
      ['-3', '-3'],
      ['2.5', '2.5'],
    ] as const
  ).flatMap(([written, shown]): RefusedCase[] => [
    { case: `test-connector count ${written}`, text: test(`count: ${written}`), code: ErrorCode.CONFIG_INVALID_VALUE, line: 8, column: 10, path: 'test.count', includes: `invalid value ${shown}, expected a record count (a whole number ≥ 1)` },
    { case: `legacy test-connector count ${written}`, text: legacy('test-connector', `count: ${written}`), code: ErrorCode.CONFIG_INVALID_VALUE, line: 6, column: 10, path: 'parameters.count', includes: `invalid value ${shown}, expected a record count` },
  ]),

  // --- YAML ---
  { case: 'unresolved alias, located at the alias', text: legacy('test-connector', 'timeout: *later'), code: ErrorCode.CONFIG_YAML_SYNTAX, line: 6, column: 12, includes: 'unresolved alias *later: no anchor &later before it' },
  { case: 'recursive alias, located at the alias (not a RangeError)', text: legacy('test-connector', 'topic: &t [a, *t]'), code: ErrorCode.CONFIG_YAML_SYNTAX, line: 6, column: 17, includes: 'recursive alias *t' },
  { case: 'alias bomb, located at the alias that exceeds the count', text: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c]\n`, code: ErrorCode.CONFIG_LIMIT_EXCEEDED, line: 3, column: 40, includes: 'this alias expands too much (an alias bomb' },
  { case: 'more aliases than allowed', text: `version: v1\nname: n\ntype: test-connector\ntopic: &t quotes\nx: [${Array(1001).fill('*t').join(', ')}]\n`, code: ErrorCode.CONFIG_LIMIT_EXCEEDED, line: 5, column: 5 + 4 * 1000, includes: 'more than 1000 aliases' },
  { case: 'nesting deeper than the limit', text: `version: v1\nname: n\ntype: test-connector\ntopic: quotes\nx: ${'['.repeat(70)}${']'.repeat(70)}\n`, code: ErrorCode.CONFIG_LIMIT_EXCEEDED, line: 5, column: 67, includes: 'nested too deeply (more than 64 levels)' },
  { case: 'file over 256 KiB, located where it goes past', text: `version: v1\nname: n\n# ${'x'.repeat(300 * 1024)}\n`, code: ErrorCode.CONFIG_LIMIT_EXCEEDED, line: 3, column: 256 * 1024 - 20 + 1, includes: 'the config file is larger than 256 KiB' },
  { case: '%YAML with another major version', text: `%YAML 2.0\n---\n${legacy('test-connector', 'count: 1')}`, code: ErrorCode.CONFIG_YAML_SYNTAX, line: 1, column: 7, includes: '%YAML 2.0 is not supported' },
  { case: 'two %YAML directives', text: `%YAML 1.2\n%YAML 1.2\n---\n${legacy('test-connector', 'count: 1')}`, code: ErrorCode.CONFIG_YAML_SYNTAX, line: 2, column: 1, includes: 'more than one %YAML directive' },
  { case: 'duplicate key', text: legacy('test-connector', 'count: 1', 'count: 2'), code: ErrorCode.CONFIG_YAML_SYNTAX, line: 7, column: 3, includes: 'invalid YAML: Map keys must be unique' },

  // --- secrets ---
  { case: 'secret rendered into meta.name', text: meta(['name: "${{ secrets.NAME }}"', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: NAME']), code: ErrorCode.CONFIG_SECRET_NOT_ALLOWED, line: 3, column: 10, path: 'meta.name', includes: 'secret "NAME" cannot be used in meta.name' },
  { case: 'secret rendered into meta.topic', text: meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: "t-${{ secrets.NAME }}"', 'secrets:', '  - name: NAME']), code: ErrorCode.CONFIG_SECRET_NOT_ALLOWED, line: 6, column: 13, path: 'meta.topic', includes: 'cannot be used in the topic' },
  { case: 'secret rendered into a 0.2.0 topic object', text: meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic:', '  meta:', '    name: "${{ secrets.NAME }}"', 'secrets:', '  - name: NAME']), code: ErrorCode.CONFIG_SECRET_NOT_ALLOWED, line: 8, column: 14, path: 'meta.topic.meta.name', includes: 'cannot be used in the topic' },
  { case: 'secret rendered into a legacy topic', text: legacySecrets('secrets:', '  NAME: quotes').replace('topic: quotes', 'topic: ${{ secrets.NAME }}'), code: ErrorCode.CONFIG_SECRET_NOT_ALLOWED, line: 4, column: 8, path: 'topic', includes: 'cannot be used in the topic' },
  { case: 'secret in meta.name when secrets are deferred (serverless package)', defer: true, text: meta(['name: "${{ secrets.NAME }}"', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: NAME']), code: ErrorCode.CONFIG_SECRET_NOT_ALLOWED, line: 3, column: 10, includes: 'cannot be used in meta.name' },
  { case: 'unterminated ${{ secrets.X', text: meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: TOKEN'], ['endpoint: https://example.com/', 'headers: ["X-Token: ${{ secrets.TOKEN"]']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 11, column: 23, path: 'http.headers[0]', includes: 'unsupported template "${{ secrets.TOKEN", expected ${{ secrets.NAME }}' },
  { case: 'malformed ${{ secret.X }} (the same error as an unterminated one)', text: meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: TOKEN'], ['endpoint: https://example.com/', 'headers: ["X-Token: ${{ secret.TOKEN }}"]']), code: ErrorCode.CONFIG_INVALID_VALUE, line: 11, column: 23, path: 'http.headers[0]', includes: 'unsupported template "${{ secret.TOKEN }}", expected ${{ secrets.NAME }}' },

  // --- messages ---
  { case: 'missing meta.topic', text: meta(['name: n', 'type: http-source', 'version: 0.3.3']), code: ErrorCode.CONFIG_MISSING_FIELD, line: 2, column: 1, path: 'meta.topic', includes: 'meta.topic: missing required field' },
];

interface WarnedCase {
  case: string;
  text: string;
  /** Every warning expected: code, line, column and a part of the message. */
  warnings: Array<[ErrorCode, number, number, string]>;
  defer?: boolean;
}

const warned: WarnedCase[] = [
  { case: 'delimiter without stream', text: http('delimiter: "\\n\\n"'), warnings: [[ErrorCode.CONFIG_IGNORED_FIELD, 9, 14, 'warning: http.delimiter: ignored without stream: true']] },
  { case: 'interval with stream', text: http('stream: true', 'interval: 5s'), warnings: [[ErrorCode.CONFIG_IGNORED_FIELD, 10, 13, 'warning: http.interval: ignored with stream: true']] },
  { case: 'body with GET', text: http('body: "{}"'), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 9, 9, 'http.body: a body with GET has no defined meaning']] },
  { case: 'body with HEAD', text: http('method: HEAD', 'body: x'), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 10, 9, 'a body with HEAD']] },
  { case: 'produce_any_status with stream', text: http('stream: true', 'produce_any_status: true'), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 10, 23, 'a non-2xx response (an error page) is split into records']] },
  { case: 'whitespace-only delimiter', text: http('stream: true', 'delimiter: "  "'), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 10, 14, 'the delimiter is only spaces or tabs']] },
  { case: 'delimiter with an escape YAML did not read', text: http('stream: true', "delimiter: '\\n\\n'"), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 10, 14, 'YAML reads escapes only in double quotes']] },
  { case: 'lower-case method', text: http('method: get'), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 9, 11, 'methods are case-sensitive, did you mean "GET"?']] },
  { case: 'non-standard method', text: http('method: PROPFIND'), warnings: [[ErrorCode.CONFIG_SUSPICIOUS_VALUE, 9, 11, 'not a standard HTTP method']] },
  { case: 'declared secret never used', text: meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: TOKEN']), warnings: [[ErrorCode.CONFIG_SECRET_UNUSED, 8, 13, 'meta.secrets[0].name: secret "TOKEN" is declared but never used']] },
  { case: 'legacy secret never used', text: legacySecrets('secrets:', '  TOKEN: abc'), warnings: [[ErrorCode.CONFIG_SECRET_UNUSED, 6, 3, 'secrets.TOKEN: secret "TOKEN" is declared but never used']] },
  {
    case: 'legacy secret default deployed (serverless package), value never shown',
    defer: true,
    text: legacySecrets('parameters:', '  topic: "${{ secrets.TOKEN }}"', 'secrets:', '  TOKEN: s3cr3t-default'),
    warnings: [[ErrorCode.CONFIG_SECRET_DEFAULT_DEPLOYED, 8, 10, 'secrets.TOKEN: the default value of secret "TOKEN" is part of the config text, which is deployed']],
  },
  { case: '%YAML with a newer minor version', text: `%YAML 1.3\n---\n${legacy('test-connector', 'count: 1')}`, warnings: [[ErrorCode.CONFIG_YAML_WARNING, 1, 7, '%YAML 1.3: read as YAML 1.2']] },
  { case: 'unknown directive', text: `%FOO bar\n---\n${legacy('test-connector', 'count: 1')}`, warnings: [[ErrorCode.CONFIG_YAML_WARNING, 1, 1, 'Unknown directive %FOO (ignored)']] },
  { case: 'anchor defined twice (allowed by the spec, the alias takes the latest)', text: 'version: &v v1\nname: &v hardening\ntype: test-connector\ntopic: quotes\nparameters:\n  topic: *v\n', warnings: [[ErrorCode.CONFIG_YAML_WARNING, 2, 7, 'anchor &v is defined again']] },
];

interface AcceptedCase {
  case: string;
  text: string;
  check: (spec: ConnectorSpec) => void;
}

const accepted: AcceptedCase[] = [
  { case: "humantime's 100msec", text: http('interval: 100msec'), check: (spec) => expect((spec.config as HttpSourceConfig).interval).toBe(100) },
  { case: "humantime's 500us (rounded up to 1 ms)", text: test('timeout: 500us'), check: (spec) => expect((spec.config as TestConnectorConfig).timeout).toBe(1) },
  { case: 'legacy quoted integer interval "10" (seconds)', text: legacy('http', 'endpoint: https://example.com', 'interval: "10"'), check: (spec) => expect((spec.config as HttpSourceConfig).interval).toBe(10_000) },
  { case: 'interval of 1ms with the opt-in', text: http('interval: 1ms', 'allow_fast_interval: true'), check: (spec) => expect((spec.config as HttpSourceConfig).interval).toBe(1) },
  { case: 'the longest interval, 24d', text: http('interval: 24d'), check: (spec) => expect((spec.config as HttpSourceConfig).interval).toBe(24 * 86_400_000) },
  { case: 'legacy quoted count "10"', text: legacy('test-connector', 'count: "10"'), check: (spec) => expect((spec.config as TestConnectorConfig).count).toBe(10) },
  { case: 'an IPv6 endpoint with a port', text: meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: quotes'], ['endpoint: "http://[::1]:8080/x?a=%20"']), check: (spec) => expect((spec.config as HttpSourceConfig).endpoint).toBe('http://[::1]:8080/x?a=%20') },
  { case: 'a header value with a tab and Latin-1', text: http('headers: ["X-A: a\\tb é"]'), check: (spec) => expect((spec.config as HttpSourceConfig).headers).toEqual([['X-A', 'a\tb é']]) },
];

const noSecrets: SecretValues = { lookup: () => undefined, describe: 'nowhere' };
const someSecrets: SecretValues = { lookup: (name) => `value-of-${name}`, describe: 'the test' };

function parse(text: string, defer = false): ConnectorSpec {
  return parseConnectorConfig(text, { file: 'c.yaml', registry: defaultRegistry, secrets: someSecrets, deferSecrets: defer });
}

function parseError(text: string, defer = false): ConfigError {
  try {
    parse(text, defer);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('parsed without error');
}

const located = (issue: ConfigIssue): string => `${issue.file}:${issue.line}:${issue.column}`;

describe('config hardening (issue 11): the fixture table', () => {
  it.each(refused)('should refuse $case with $code at $line:$column', (row) => {
    // Act
    const error = parseError(row.text, row.defer);

    // Assess
    const issue = error.issues[0]!;
    expect(error.code).toBe(row.code);
    expect([issue.code, issue.line, issue.column]).toEqual([row.code, row.line, row.column]);
    if (row.path !== undefined) expect(issue.path).toBe(row.path);
    expect(issue.message.startsWith(`c.yaml:${row.line}:${row.column}: `)).toBe(true);
    expect(issue.message).toContain(row.includes);
    expect(issue.message.endsWith(`[${row.code}]`)).toBe(true);
  });

  it.each(warned)('should accept $case with a located warning', (row) => {
    // Act
    const spec = parse(row.text, row.defer);

    // Assess
    expect(spec.warnings.map((warning) => [warning.code, warning.line, warning.column])).toEqual(row.warnings.map(([code, line, column]) => [code, line, column]));
    spec.warnings.forEach((warning, index) => {
      expect(warning.severity).toBe('warning');
      expect(warning.message.startsWith(`${located(warning)}: warning: `)).toBe(true);
      expect(warning.message).toContain(row.warnings[index]![3]);
    });
  });

  it.each(accepted)('should accept $case', (row) => {
    // Act
    const spec = parse(row.text);

    // Assess
    expect(spec.warnings).toEqual([]);
    row.check(spec);
  });

  it('should refuse nesting deeper than the YAML parser can go with one located limit issue', () => {
    // Prepare: 60,000 compact nested lists on line 3 (yaml runs out of stack where it runs out:
    // the column depends on the stack size, so only the line is fixed)
    const text = `version: v1\nx:\n  ${'- '.repeat(60_000)}a\n`;

    // Act
    const error = parseError(text);

    // Assess
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]).toMatchObject({ code: ErrorCode.CONFIG_LIMIT_EXCEEDED, line: 3 });
    expect(error.message).toMatch(/^c\.yaml:3:\d+: the config is nested too deeply \(more than 64 levels\) \[CONFIG_LIMIT_EXCEEDED\]$/);
  });

  it('should never show a legacy secret default in the deployment warning', () => {
    // Act
    const spec = parse(legacySecrets('parameters:', '  topic: "${{ secrets.TOKEN }}"', 'secrets:', '  TOKEN: s3cr3t-default'), true);

    // Assess
    expect(JSON.stringify(spec.warnings)).not.toContain('s3cr3t-default');
  });

  it('should report the first 50 of 15,000 unknown keys and count the others, without locating them all', () => {
    // Prepare
    const keys = Array.from({ length: 15_000 }, (_, index) => `  key${index}: 1`);
    const text = legacy('test-connector', 'count: 1').concat(keys.join('\n'), '\n');

    // Act
    const error = parseError(text);

    // Assess
    expect(error.issues).toHaveLength(51);
    expect(error.issues.slice(0, 50).every((issue) => issue.code === ErrorCode.CONFIG_UNKNOWN_FIELD)).toBe(true);
    expect(error.issues[0]).toMatchObject({ path: 'parameters.key0', line: 7, column: 3 });
    expect(error.issues[50]!.message).toBe('c.yaml:57:3: 14950 more issues not shown (the first 50 are listed) [CONFIG_LIMIT_EXCEEDED]');
  });

  it('should report a secret whose value has no place (no value) without showing any value', () => {
    // Act
    let error: unknown;
    try {
      parseConnectorConfig(meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: TOKEN'], ['endpoint: https://example.com/', 'headers: ["X-Token: ${{ secrets.TOKEN }}"]']), { file: 'c.yaml', registry: defaultRegistry, secrets: noSecrets });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe(ErrorCode.CONFIG_SECRET_MISSING);
  });

  it('should redact every rendered secret value, and only those, from a text', () => {
    // Prepare
    const spec = parse(meta(['name: n', 'type: http-source', 'version: 0.3.3', 'topic: quotes', 'secrets:', '  - name: HOST', '  - name: TOKEN'], ['endpoint: "https://${{ secrets.HOST }}/"', 'headers: ["X-Token: ${{ secrets.TOKEN }}"]']));

    // Act
    const redacted = spec.redact?.('getaddrinfo ENOTFOUND value-of-HOST (token value-of-TOKEN, host example.com)');

    // Assess
    expect(redacted).toBe('getaddrinfo ENOTFOUND *** (token ***, host example.com)');
    expect(parse(http()).redact).toBeUndefined();
  });
});
