import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { requireBuild } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, type Kinesalite, startKinesalite } from '../../support/kinesalite';
import { packagedTemplate, runServerless, serviceDir, type ServiceDir } from '../../support/serverless';

jest.setTimeout(180_000);

/**
 * The nodejs22.x Lambda runtime provides the AWS SDK v3 (`/var/runtime/node_modules`, on
 * NODE_PATH) that the poller bundle leaves external. This fixture pins the version it ships
 * (3.895.0) with the @smithy/* packages of that day, so the bundle is run against those instead
 * of the repository's newer SDK.
 */
const FIXTURE = resolve(__dirname, '../../fixtures/lambda-runtime-sdk');
const FIXTURE_MODULES = join(FIXTURE, 'node_modules');
const RUNTIME_SDK_VERSION = '3.895.0';

/** Installs the fixture from its lock file unless it is installed as locked (first run: ~20 s, needs the npm registry). */
function installFixture(): void {
  const installed = join(FIXTURE_MODULES, '.package-lock.json');
  const locked = JSON.parse(readFileSync(join(FIXTURE, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const current = existsSync(installed) ? (JSON.parse(readFileSync(installed, 'utf8')) as { packages: Record<string, { version?: string }> }) : undefined;
  const same = current !== undefined && Object.entries(locked.packages).every(([path, entry]) => path === '' || current.packages[path]?.version === entry.version);
  if (!same) execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: FIXTURE, stdio: 'ignore', timeout: 170_000 });
}

/** Runs `node -e script` in `cwd`; resolves with its exit code and output (never blocks this process: kinesalite runs here). */
function node(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['-e', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe(`poller bundle on the nodejs22.x runtime's AWS SDK (${RUNTIME_SDK_VERSION}, test/fixtures/lambda-runtime-sdk)`, () => {
  let service: ServiceDir;
  let server: TestHttpServer;
  let kinesis: Kinesalite;
  let bundleDir: string;
  let environment: Record<string, string>;

  beforeAll(async () => {
    requireBuild();
    installFixture();
    kinesis = await startKinesalite();
    await kinesis.createStream('connectors-dev-runtime-quotes', 1);
    server = await startHttpServer((_req, res) => res.end('{"quote":"q"}'));
    service = serviceDir({ configs: { 'runtime-poller.yaml': `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: runtime-poller\n  type: http-source\n  topic: runtime-quotes\nhttp:\n  endpoint: ${server.url}/q\n  interval: 1s\n` } });
    const packaged = await runServerless(service.dir, ['package']);
    if (packaged.code !== 0) throw new Error(`serverless package failed:\n${packaged.stdout}${packaged.stderr}`);
    // As Lambda does: the zip extracted to its own directory (/var/task), the runtime's SDK on NODE_PATH
    bundleDir = mkdtempSync(join(tmpdir(), 'lambda-task-'));
    execFileSync('unzip', ['-q', join(service.dir, '.serverless/runtimePoller.zip'), '-d', bundleDir]);
    environment = (packagedTemplate(service.dir).Resources.RuntimePollerLambdaFunction?.Properties as { Environment: { Variables: Record<string, string> } }).Environment.Variables;
  });

  afterAll(async () => {
    await server?.close();
    await kinesis?.close();
    service?.cleanup();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it('should resolve every external of the bundle from the runtime\'s SDK, at its version', async () => {
    // Prepare: the bundle's external requires
    const code = readFileSync(join(bundleDir, 'functions/poller.js'), 'utf8');
    const externals = [...new Set([...code.matchAll(/require\("((?:@aws-sdk|@smithy)\/[^"]+)"\)/g)].map((m) => m[1]!))].sort();

    // Act: require each one from the extracted bundle with only the fixture on NODE_PATH
    const script = `const out = {}; for (const name of ${JSON.stringify(externals)}) { require(name); out[name] = require.resolve(name); } console.log(JSON.stringify(out));`;
    const result = await node(script, bundleDir, { PATH: process.env.PATH, NODE_PATH: FIXTURE_MODULES });

    // Assess
    expect(result.stderr).toBe('');
    expect(externals).toEqual(expect.arrayContaining(['@aws-sdk/client-kinesis', '@smithy/node-http-handler']));
    const resolved = JSON.parse(result.stdout) as Record<string, string>;
    expect(Object.keys(resolved)).toEqual(externals);
    expect(Object.values(resolved).every((path) => path.startsWith(`${FIXTURE_MODULES}/`))).toBe(true);
    for (const client of externals.filter((name) => name.startsWith('@aws-sdk/'))) {
      expect(JSON.parse(readFileSync(join(FIXTURE_MODULES, client, 'package.json'), 'utf8')).version).toBe(RUNTIME_SDK_VERSION);
    }
  });

  it('should run one window of the deployed handler against that SDK and land its records in the stream', async () => {
    // Prepare: the function's packaged environment; a 3 s window; Kinesis = kinesalite
    const env = { PATH: process.env.PATH, NODE_PATH: FIXTURE_MODULES, ...KINESALITE_ENV, ...environment, CONNECTOR_KINESIS_ENDPOINT: kinesis.endpoint, CONNECTOR_WINDOW_MS: '3000' };
    const script = `const { handler } = require('./functions/poller.js');
const time = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
handler({ version: '0', id: 'e', 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '123456789012', time, region: 'us-east-1', resources: [], detail: {} }, { awsRequestId: 'r', getRemainingTimeInMillis: () => 70000 })
  .then((report) => console.error('REPORT ' + JSON.stringify(report)), (error) => { console.error(error); process.exit(1); });`;

    // Act
    const result = await node(script, bundleDir, env);

    // Assess
    expect(result.code).toBe(0);
    const report = JSON.parse(/REPORT (.*)/.exec(result.stderr)?.[1] ?? 'null') as { polls: number; records: number; errors: number };
    expect(report.errors).toBe(0);
    expect(report.polls).toBeGreaterThanOrEqual(1);
    const records = await kinesis.readAll('connectors-dev-runtime-quotes');
    expect(records.length).toBe(report.records);
    expect(records.map((record) => record.data.toString())).toEqual(Array.from({ length: report.records }, () => '{"quote":"q"}'));
  });
});
