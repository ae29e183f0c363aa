import { parsedSpec } from '../../../functions/poller-full';
import { ConfigError, type ConnectorSpec, parseConnectorConfig } from '../../../lib/config';
import { decodeConfigDocument, encodeConfigDocument } from '../../../lib/config/deployed-document';
import { ConfigSource } from '../../../lib/config/yaml-source';
import { defaultRegistry } from '../../../lib/connectors';
import { ConnectorEnv, ErrorCode, parseRuntimeEnv } from '../../../lib/core';
import { generateService, POLLER_FULL_HANDLER } from '../../../lib/deploy';
import { inputOf, optionsOf, periodicYaml, thrown } from '../../unit/deploy/support';

/** What a spec says, without its definition object (compared by type), its local `baseDir` and its redactor (a function). */
function comparable(spec: ConnectorSpec): Record<string, unknown> {
  const { definition, redact: _redact, baseDir: _baseDir, ...rest } = spec;
  return { ...rest, definition: definition.type };
}

/** The environment of the one poller function the generator makes of `text`. */
function functionEnv(text: string, file: string): Record<string, string> {
  const [fn] = Object.values(generateService([inputOf(text, file)], optionsOf()).functions) as Array<{ handler: string; environment: Record<string, string> }>;
  expect(fn).toMatchObject({ handler: POLLER_FULL_HANDLER });
  return fn!.environment;
}

/** The secret values the middlewares put on the invocation's context. */
const secretsOf = (values: Record<string, string>) => ({ lookup: (name: string) => values[name], describe: 'SSM Parameter Store' });

const SECRET_CONFIG = periodicYaml('s', '10s', {
  meta: '  secrets:\n    - name: URL\n    - name: TOKEN\n',
  http: '  headers:\n    - "Authorization: Bearer ${{ secrets.TOKEN }}"\n  body: |\n    first line\n    token=${{ secrets.TOKEN }}\n',
  tail: 'transforms:\n  - uses: infinyon/jolt@0.4.1\n    with:\n      spec:\n        - operation: shift\n          spec: {quote: text}\n        - operation: default\n          spec: {limit: .inf}\n',
}).replace('endpoint: https://example.com/s', 'endpoint: "${{ secrets.URL }}"');

describe('Deployed poller config with secrets (CONNECTOR_DOCUMENT, lib/config/deployed-document.ts)', () => {
  it('should give a config with secrets its YAML document as JSON, and validate it at invocation into the spec `connector run` parses', () => {
    // Prepare
    const file = 'configs/s.yaml';
    const env = functionEnv(SECRET_CONFIG, file);
    const values = { URL: 'https://api.example.com/quotes', TOKEN: 't0ken' };

    // Act
    const deployed = parsedSpec(parseRuntimeEnv(env), values);
    const cli = parseConnectorConfig(SECRET_CONFIG, { file, registry: defaultRegistry, secrets: secretsOf(values) });

    // Assess: no YAML in the environment; the same spec (secrets rendered, transforms validated) and the same redaction
    expect(env).not.toHaveProperty(ConnectorEnv.CONFIG);
    expect(env).not.toHaveProperty(ConnectorEnv.SPEC);
    expect(comparable(deployed)).toEqual(comparable(cli));
    expect(deployed.config).toMatchObject({ endpoint: 'https://api.example.com/quotes', body: 'first line\ntoken=t0ken\n' });
    expect(deployed.transforms).toMatchObject([{ uses: 'infinyon/jolt@0.4.1', on_error: 'fail' }]);
    expect(deployed.redact?.('Bearer t0ken')).toBe('Bearer ***');
    expect(env[ConnectorEnv.DOCUMENT]).not.toContain('t0ken');
  });

  it.each([
    ['a secret endpoint that is no URL', { URL: 'not a url', TOKEN: 't' }, ErrorCode.CONFIG_INVALID_VALUE],
    ['a secret with no value (inside a block scalar and a list item)', { URL: 'https://api.example.com/' }, ErrorCode.CONFIG_SECRET_MISSING],
  ])('should report %s at the same file:line:column as parsing the YAML, never showing the value', (_what, values, code) => {
    // Prepare
    const file = 'configs/s.yaml';
    const env = parseRuntimeEnv(functionEnv(SECRET_CONFIG, file));

    // Act
    const deployed = thrown(() => parsedSpec(env, values)) as ConfigError;
    const cli = thrown(() => parseConnectorConfig(SECRET_CONFIG, { file, registry: defaultRegistry, secrets: secretsOf(values) })) as ConfigError;

    // Assess
    expect(deployed).toBeInstanceOf(ConfigError);
    expect(deployed.code).toBe(code);
    expect(deployed.message).toBe(cli.message);
    expect(deployed.issues.map((issue) => [issue.line, issue.column, issue.path])).toEqual(cli.issues.map((issue) => [issue.line, issue.column, issue.path]));
    expect(deployed.issues.every((issue) => issue.line !== undefined)).toBe(true);
    expect(deployed.message).not.toContain('not a url');
  });

  it('should keep a version YAML reads as a number as written, as parsing the YAML does', () => {
    // Prepare: `version: 0.10` is the number 0.1 to YAML
    const text = SECRET_CONFIG.replace('version: 0.3.3', 'version: 0.10');
    const env = parseRuntimeEnv(functionEnv(text, 'configs/v.yaml'));

    // Act
    const spec = parsedSpec(env, { URL: 'https://a.example.com/', TOKEN: 't' });

    // Assess
    expect(spec.version).toBe('0.10');
  });

  it('should give back the numbers JSON cannot hold (YAML .inf, -.inf, .nan) as the YAML reads them', () => {
    // Prepare
    const text = 'a: .inf\nb: [-.Inf, .NaN, 1]\nc: {d: .nan, e: null}\n';
    const { source } = ConfigSource.parse(text, 'x.yaml');

    // Act
    const document = decodeConfigDocument(encodeConfigDocument(source!), 'x.yaml');

    // Assess
    expect(document.toJS()).toEqual({ a: Infinity, b: [-Infinity, Number.NaN, 1], c: { d: Number.NaN, e: null } });
    expect(document.toJS()).toEqual(source!.toJS());
  });

  it.each([
    ['no JSON', 'apiVersion: 0.2.0', ErrorCode.DEPLOYED_SPEC_STALE, 'redeploy'],
    ['another layout', '{"v":2,"data":{},"at":[]}', ErrorCode.DEPLOYED_SPEC_STALE, 'layout 1'],
  ])('should refuse a CONNECTOR_DOCUMENT with %s, saying to redeploy', (_what, text, code, message) => {
    expect(thrown(() => decodeConfigDocument(text, 'configs/x.yaml'))).toMatchObject({ code, message: expect.stringContaining(message) });
  });

  it('should refuse an environment with only the YAML (CONNECTOR_CONFIG), which poller-full no longer reads', () => {
    // Act
    const error = thrown(() => parsedSpec(parseRuntimeEnv({ [ConnectorEnv.CONFIG]: SECRET_CONFIG }), {}));

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.USAGE, message: expect.stringContaining('CONNECTOR_DOCUMENT') });
    expect(error.message).toContain('redeploy');
  });
});
