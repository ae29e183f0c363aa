import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadSecretValues, parseConnectorConfig } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import { ConnectorError, ErrorCode } from '../../../lib/core/errors';

const configWithSecret = (endpoint: string): string => `apiVersion: 0.2.0
meta:
  name: secret-endpoint
  type: http-source
  version: 0.3.3
  topic: quotes
  secrets:
    - name: ENDPOINT_SECRET
http:
  endpoint: "${endpoint}"
`;

function thrown(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('Function: loadSecretValues', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'config-secrets-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('should prefer the secrets file over the environment and fall back to the environment', () => {
    // Prepare
    const file = join(dir, 's.env');
    writeFileSync(file, '# comment\nTOKEN=from-file\nQUOTED="a # b"\nMULTI="line 1\nline 2"\n\nexport EXPORTED=yes\n');

    // Act
    const secrets = loadSecretValues({ file, env: { TOKEN: 'from-env', ONLY_ENV: 'env' } });

    // Assess
    expect(secrets.lookup('TOKEN')).toBe('from-file');
    expect(secrets.lookup('QUOTED')).toBe('a # b');
    expect(secrets.lookup('MULTI')).toBe('line 1\nline 2');
    expect(secrets.lookup('EXPORTED')).toBe('yes');
    expect(secrets.lookup('ONLY_ENV')).toBe('env');
    expect(secrets.lookup('NOWHERE')).toBeUndefined();
    expect(secrets.describe).toBe(`secrets file ${file} or the environment`);
  });

  it('should use only the environment without a file', () => {
    // Act
    const secrets = loadSecretValues({ env: { TOKEN: 'from-env' } });

    // Assess
    expect(secrets.lookup('TOKEN')).toBe('from-env');
    expect(secrets.describe).toBe('the environment');
  });

  it('should throw SECRETS_FILE_INVALID for a file that cannot be read', () => {
    // Act
    const error = thrown(() => loadSecretValues({ file: join(dir, 'missing.env'), env: {} }));

    // Assess
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({ code: ErrorCode.SECRETS_FILE_INVALID, message: expect.stringContaining('missing.env') });
  });

  it('should throw SECRETS_FILE_INVALID naming the line of a malformed line, without its content', () => {
    // Prepare
    const file = join(dir, 's.env');
    writeFileSync(file, 'GOOD=1\nthis-is-not-an-assignment-s3cret\n');

    // Act
    const error = thrown(() => loadSecretValues({ file, env: {} })) as ConnectorError;

    // Assess
    expect(error.code).toBe(ErrorCode.SECRETS_FILE_INVALID);
    expect(error.message).toContain(`${file}:2:`);
    expect(error.message).not.toContain('s3cret');
  });
});

describe('Function: parseConnectorConfig (secrets)', () => {
  const variable = `CONFIG_TEST_SECRET_${process.pid}`;

  afterEach(() => {
    delete process.env[variable];
  });

  it('should read secret values from process.env when no secrets option is given', () => {
    // Prepare
    process.env[variable] = 'https://env.example.com';
    const text = configWithSecret(`\${{ secrets.${variable} }}`).replace('ENDPOINT_SECRET', variable);

    // Act
    const spec = parseConnectorConfig(text, { file: 'env.yaml', registry: defaultRegistry });

    // Assess
    expect((spec.config as HttpSourceConfig).endpoint).toBe('https://env.example.com');
  });

  it('should never print a secret value, even when the rendered value is invalid', () => {
    // Prepare
    const secrets = loadSecretValues({ env: { ENDPOINT_SECRET: 'ftp://user:hunter2@example.com' } });

    // Act
    const error = thrown(() => parseConnectorConfig(configWithSecret('${{ secrets.ENDPOINT_SECRET }}'), { file: 's.yaml', registry: defaultRegistry, secrets }));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const configError = error as ConfigError;
    expect(configError.issues).toHaveLength(1);
    expect(configError.issues[0]).toMatchObject({ path: 'http.endpoint', line: 10, column: 13, value: '${{ secrets.ENDPOINT_SECRET }}' });
    expect(configError.message).toContain('expected an absolute http:// or https:// URL');
    expect(configError.message).not.toContain('hunter2');
  });

  it('should render a secret whose value holds quotes, ": " and a newline as one plain string', () => {
    // Prepare
    const value = `x": injected: true\n'y'`;
    const secrets = loadSecretValues({ env: { ENDPOINT_SECRET: value } });
    const text = configWithSecret('https://example.com').replace('http:\n', `http:\n  body: "\${{ secrets.ENDPOINT_SECRET }}"\n`);

    // Act
    const spec = parseConnectorConfig(text, { file: 's.yaml', registry: defaultRegistry, secrets });

    // Assess
    expect((spec.config as HttpSourceConfig).body).toBe(value);
    expect(spec.config).not.toHaveProperty('injected');
  });

  it('should point at the reference inside a multi-line string and reject templates other than secrets.NAME', () => {
    // Prepare
    const text = `${configWithSecret('https://example.com')}  body: |
    first line
    token \${{ secrets.UNKNOWN_ONE }} and \${{ env.HOME }}
`;

    // Act
    const error = thrown(() => parseConnectorConfig(text, { file: 's.yaml', registry: defaultRegistry, secrets: loadSecretValues({ env: {} }) })) as ConfigError;

    // Assess
    expect(error.issues.map((issue) => [issue.code, issue.path, issue.line, issue.column])).toEqual([
      [ErrorCode.CONFIG_SECRET_UNDECLARED, 'http.body', 13, 11],
      [ErrorCode.CONFIG_INVALID_VALUE, 'http.body', 13, 42],
    ]);
    expect(error.issues[1]?.message).toContain('unsupported template "${{ env.HOME }}"');
  });

  it('should hide the default values of legacy secrets in messages', () => {
    // Prepare
    const text = `version: 0.4.3
name: legacy
type: http
topic: quotes
secrets:
  "1BAD": hunter2
  GOOD: [hunter3]
parameters:
  endpoint: https://example.com
`;

    // Act
    const error = thrown(() => parseConnectorConfig(text, { file: 'l.yaml', registry: defaultRegistry, secrets: loadSecretValues({ env: {} }) })) as ConfigError;

    // Assess
    expect(error.issues.map((issue) => [issue.code, issue.path, issue.line, issue.column])).toEqual([
      [ErrorCode.CONFIG_INVALID_VALUE, 'secrets.1BAD', 6, 3],
      [ErrorCode.CONFIG_INVALID_VALUE, 'secrets.GOOD', 7, 9],
    ]);
    expect(error.message).toContain('does not start with a digit');
    expect(error.message).not.toContain('hunter');
  });
});

describe('Function: parseConnectorConfig (deferSecrets)', () => {
  const noValues = { lookup: () => undefined, describe: 'nowhere' };

  it('should accept declared secrets without values, as for `serverless package`', () => {
    // Prepare
    const text = configWithSecret('${{ secrets.ENDPOINT_SECRET }}').replace('"\n', '"\n  headers:\n    - "Authorization: Bearer ${{ secrets.ENDPOINT_SECRET }}"\n  interval: 15s\n');

    // Act
    const spec = parseConnectorConfig(text, { file: 'd.yaml', registry: defaultRegistry, secrets: noValues, deferSecrets: true });

    // Assess
    const config = spec.config as HttpSourceConfig;
    expect(spec.secrets).toEqual(['ENDPOINT_SECRET']);
    expect(config.endpoint).toBe('https://secret.invalid/');
    expect(config.headers).toEqual([['Authorization', 'Bearer secret']]);
    expect(config.interval).toBe(15_000);
  });

  it('should still report an undeclared secret and other invalid fields with their positions', () => {
    // Prepare
    const text = configWithSecret('https://${{ secrets.ENDPOINT_SECRT }}/x').replace('"\n', '"\n  interval: soon\n');

    // Act
    const error = thrown(() => parseConnectorConfig(text, { file: 'd.yaml', registry: defaultRegistry, secrets: noValues, deferSecrets: true }));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues.map((issue) => [issue.code, issue.path, issue.line])).toEqual([
      [ErrorCode.CONFIG_SECRET_UNDECLARED, 'http.endpoint', 10],
      [ErrorCode.CONFIG_INVALID_VALUE, 'http.interval', 11],
    ]);
    expect(issues[0]?.message).toContain('did you mean "ENDPOINT_SECRET"');
  });

  it('should say a value made of a secret cannot be checked when no placeholder fits it', () => {
    // Prepare: a secret inside a duration cannot be validated without its value
    const text = configWithSecret('https://example.com').replace('"\n', '"\n  interval: "${{ secrets.ENDPOINT_SECRET }}s"\n');

    // Act
    const error = thrown(() => parseConnectorConfig(text, { file: 'd.yaml', registry: defaultRegistry, secrets: noValues, deferSecrets: true }));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'http.interval', line: 11 });
    expect(issues[0]?.message).toContain('contains a secret and cannot be checked without its value');
  });
});
