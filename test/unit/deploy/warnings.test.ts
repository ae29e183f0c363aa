import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFromServerless } from '../../../lib/deploy/serverless';
import { periodicYaml, serverlessResolver } from './support';

const resolver = serverlessResolver();

describe('Function: generateFromServerless (warnings)', () => {
  let serviceDir: string;
  beforeEach(() => {
    serviceDir = mkdtempSync(join(tmpdir(), 'deploy-warnings-'));
    mkdirSync(join(serviceDir, 'configs'));
  });
  afterEach(() => rmSync(serviceDir, { recursive: true, force: true }));

  it('should warn, naming the file and line, when a legacy secrets: default would travel into the environment, never showing it', async () => {
    // Prepare
    writeFileSync(
      join(serviceDir, 'configs', 'legacy.yaml'),
      'version: v1\nname: legacy\ntype: http\ntopic: legacy\ncreate_topic: true\nparameters:\n  endpoint: https://example.com/x\n  headers: ["Authorization: Bearer ${{ secrets.TOKEN }}"]\nsecrets:\n  TOKEN: s3cr3t-default\n',
    );
    writeFileSync(join(serviceDir, 'configs', 'quiet.yaml'), periodicYaml('quiet', '10s'));
    const warnings: string[] = [];

    // Act
    const fragments = await generateFromServerless(resolver, serviceDir, 'package', (line) => warnings.push(line));

    // Assess
    expect(Object.keys(fragments.functions)).toHaveLength(2);
    expect(warnings).toEqual([
      'configs/legacy.yaml:10:10: warning: secrets.TOKEN: the default value of secret "TOKEN" is part of the config text, which is deployed in the function\'s or task\'s environment (CONNECTOR_CONFIG, or a poller\'s CONNECTOR_DOCUMENT): store the value in SSM Parameter Store (or Secrets Manager) and remove the default [CONFIG_SECRET_DEFAULT_DEPLOYED]',
    ]);
    expect(warnings.join('\n')).not.toContain('s3cr3t-default');
  });

  it('should print the located warnings of every config, as `connector validate --defer-secrets` does', async () => {
    // Prepare
    writeFileSync(join(serviceDir, 'configs', 'a.yaml'), periodicYaml('a', '10s', { meta: '  secrets:\n    - name: UNUSED\n' }));
    const warnings: string[] = [];

    // Act
    await generateFromServerless(resolver, serviceDir, 'package', (line) => warnings.push(line));

    // Assess
    expect(warnings).toEqual(['configs/a.yaml:8:13: warning: meta.secrets[0].name: secret "UNUSED" is declared but never used as ${{ secrets.UNUSED }} [CONFIG_SECRET_UNUSED]']);
  });
});
