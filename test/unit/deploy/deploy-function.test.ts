import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateFromServerless } from '../../../lib/deploy/serverless';
import { periodicYaml, serverlessResolver } from './support';

describe('Function: generateFromServerless (shared artifacts and `serverless deploy function`)', () => {
  let serviceDir: string;
  beforeAll(() => {
    serviceDir = mkdtempSync(join(tmpdir(), 'deploy-function-'));
    mkdirSync(join(serviceDir, 'configs'));
    writeFileSync(join(serviceDir, 'configs', 'a.yaml'), periodicYaml('a', '10s'));
    writeFileSync(join(serviceDir, 'configs', 'b.yaml'), periodicYaml('b', '10s'));
  });
  afterAll(() => rmSync(serviceDir, { recursive: true, force: true }));

  it('should let the second poller run the first one\'s zip in a package or deploy of the stack', async () => {
    // Act
    const { functions } = await generateFromServerless(serverlessResolver({}), serviceDir, 'deploy', () => undefined);

    // Assess
    expect(functions.a).not.toHaveProperty('skipEsbuild');
    expect(functions.b).toMatchObject({ skipEsbuild: true, package: { artifact: expect.stringMatching(/a\.zip$/) } });
  });

  it('should let every function bundle its own zip for `serverless deploy function -f b`, which packages b alone', async () => {
    // Act
    const { functions } = await generateFromServerless(serverlessResolver({ function: 'b' }), serviceDir, 'deploy', () => undefined);

    // Assess
    expect(functions.b).not.toHaveProperty('skipEsbuild');
    expect(functions.b).not.toHaveProperty('package');
  });
});
