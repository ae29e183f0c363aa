import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import { loadConnectorInputs } from '../../../lib/deploy/load';
import { ErrorCode } from '../../../lib/core/errors';
import { legacyYaml, periodicYaml, thrown } from './support';

describe('Function: loadConnectorInputs', () => {
  let serviceDir: string;

  /** Writes `files` (name → text) into `<serviceDir>/<dir>`. */
  function writeConfigs(dir: string, files: Record<string, string>): void {
    mkdirSync(join(serviceDir, dir), { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(join(serviceDir, dir, name), text);
  }

  beforeEach(() => {
    serviceDir = mkdtempSync(join(tmpdir(), 'deploy-load-'));
  });

  afterEach(() => {
    rmSync(serviceDir, { recursive: true, force: true });
  });

  it('should read the *.yaml and *.yml files sorted by name, ignore other files, and name them relative to the service', () => {
    // Prepare
    const texts = { 'b.yml': legacyYaml('b', '10'), 'a.yaml': periodicYaml('a', '2s'), 'c.yaml': periodicYaml('c', '1m') };
    writeConfigs('configs', { ...texts, 'README.md': '# not a config', 'notes.txt': 'x', 'a.yaml.bak': 'version: [' });

    // Act
    const inputs = loadConnectorInputs(serviceDir, 'configs', defaultRegistry);

    // Assess
    expect(inputs.map((input) => [input.file, input.spec.name, input.spec.file, input.text])).toEqual([
      ['configs/a.yaml', 'a', 'configs/a.yaml', texts['a.yaml']],
      ['configs/b.yml', 'b', 'configs/b.yml', texts['b.yml']],
      ['configs/c.yaml', 'c', 'configs/c.yaml', texts['c.yaml']],
    ]);
  });

  it('should name files of a nested configs directory by their path from the service directory', () => {
    // Prepare
    writeConfigs('deploy/connectors', { 'x.yaml': periodicYaml('x', '10s') });

    // Act
    const inputs = loadConnectorInputs(serviceDir, 'deploy/connectors', defaultRegistry);

    // Assess
    expect(inputs.map((input) => input.file)).toEqual(['deploy/connectors/x.yaml']);
  });

  it('should load a config whose secrets have no value (they resolve at run time)', () => {
    // Prepare
    const text = periodicYaml('s', '30s', { meta: '  secrets:\n    - name: NO_VALUE_ANYWHERE_4821\n', http: '  headers:\n    - "Authorization: Bearer ${{ secrets.NO_VALUE_ANYWHERE_4821 }}"\n' });
    writeConfigs('configs', { 's.yaml': text });

    // Act
    const [input] = loadConnectorInputs(serviceDir, 'configs', defaultRegistry);

    // Assess
    expect(input?.spec.secrets).toEqual(['NO_VALUE_ANYWHERE_4821']);
    expect(input?.text).toBe(text);
  });

  it('should collect the issues of every invalid file in one ConfigError', () => {
    // Prepare
    writeConfigs('configs', {
      'good.yaml': periodicYaml('good', '10s'),
      'bad-interval.yaml': periodicYaml('bad-interval', 'soon'),
      'bad-field.yaml': periodicYaml('bad-field', '10s', { http: '  output_typ: json\n' }),
      'bad-yaml.yml': 'version: [\n',
    });

    // Act
    const error = thrown(() => loadConnectorInputs(serviceDir, 'configs', defaultRegistry));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues;
    expect([...new Set(issues.map((issue) => issue.file))]).toEqual(['configs/bad-field.yaml', 'configs/bad-interval.yaml', 'configs/bad-yaml.yml']);
    expect(issues.map((issue) => [issue.file, issue.code, issue.path])).toEqual(
      expect.arrayContaining([
        ['configs/bad-field.yaml', ErrorCode.CONFIG_UNKNOWN_FIELD, 'http.output_typ'],
        ['configs/bad-interval.yaml', ErrorCode.CONFIG_INVALID_VALUE, 'http.interval'],
        ['configs/bad-yaml.yml', ErrorCode.CONFIG_YAML_SYNTAX, expect.any(String)],
      ]),
    );
    expect(error.code).toBe(ErrorCode.CONFIG_UNKNOWN_FIELD);
    expect(error.message).toMatch(/^configs\/bad-field\.yaml:10:3: http\.output_typ: /);
  });

  it('should return nothing for an empty directory', () => {
    // Prepare
    writeConfigs('configs', {});

    // Act
    const inputs = loadConnectorInputs(serviceDir, 'configs', defaultRegistry);

    // Assess
    expect(inputs).toEqual([]);
  });

  it('should refuse a missing configs directory with DEPLOY_OPTIONS_INVALID naming it', () => {
    // Act
    const error = thrown(() => loadConnectorInputs(serviceDir, 'nowhere', defaultRegistry));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toContain(`cannot read the configs directory ${join(serviceDir, 'nowhere')}: ENOENT`);
  });
});
