import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { CLI, requireBuild, tempDir } from '../../support/cli';

const REPO = resolve(__dirname, '../../..');

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** `connector …args` as a child process, AWS variables of this environment removed. */
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return spawnSync(process.execPath, [CLI, ...args], { cwd: REPO, env: { ...clean, ...env }, encoding: 'utf8', timeout: 30_000 });
}

describe('connector cloud (child process)', () => {
  beforeAll(() => requireBuild());

  it('should not load the AWS SDK for the CLI\'s other commands', () => {
    // Act: the command tree as `connector` builds it, then what `cloud --help` loads
    const probe = `const m = require('./dist/lib/cli/main'); m.buildProgram();
const sdk = () => Object.keys(require.cache).filter((k) => k.includes('@aws-sdk/client-'));
const before = sdk();
m.main(['node', 'connector', 'cloud', '--help']).then(() => console.error(JSON.stringify({ before, help: sdk() })));`;
    const result = spawnSync(process.execPath, ['-e', probe], { cwd: REPO, encoding: 'utf8' });

    // Assess
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stderr.trim().split('\n').at(-1)!)).toEqual({ before: [], help: [] });
  });

  it('should fail with exit 1 and say the endpoint cannot be reached (real SDK, AWS_ENDPOINT_URL to a closed port)', async () => {
    // Prepare
    const port = await closedPort();

    // Act
    const result = run(['cloud', 'list', '--region', 'us-east-1'], { AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`, AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', AWS_MAX_ATTEMPTS: '1' });

    // Assess
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`Error: CloudFormation ListStacks failed: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${port} (the AWS endpoint cannot be reached`);
  });

  it('should exit 2 with a usage error without --name, and outside a service directory without --service', () => {
    // Prepare
    const dir = tempDir();

    // Act
    const noName = run(['cloud', 'shutdown']);
    const noService = spawnSync(process.execPath, [CLI, 'cloud', 'list'], { cwd: dir.dir, encoding: 'utf8' });
    dir.cleanup();

    // Assess
    expect(noName.status).toBe(2);
    expect(noName.stderr).toContain("required option '-n, --name <name>' not specified");
    expect(noService.status).toBe(2);
    expect(noService.stderr).toContain('Error: give the Serverless service name with --service NAME');
  });
});
