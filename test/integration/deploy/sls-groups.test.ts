import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { benchConfigs } from '../../../bench/deploy/configs';
import { requireBuild } from '../../support/cli';
import { packagedFiles, runServerless, runServerlessGroups, serviceDir, type ServiceDir, type Template } from '../../support/serverless';

jest.setTimeout(240_000);

/** Stacks of the service below (`custom.connectors.groups`). */
const GROUPS = 3;

/** The repository's configs (pollers, a sink, streaming sources) plus 24 generated ones, over {@link GROUPS} stacks. */
function multiStackService(): ServiceDir {
  const service = serviceDir({ editYml: (yml) => yml.replace('groups: 1', `groups: ${GROUPS}`) });
  for (const [name, text] of Object.entries(benchConfigs(24))) writeFileSync(join(service.dir, 'configs', name), text);
  return service;
}

const templateOf = (dir: string): Template => JSON.parse(readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;

describe('npm run sls:groups -- package (every stack in one process)', () => {
  let service: ServiceDir;
  let result: Awaited<ReturnType<typeof runServerlessGroups>>;

  beforeAll(async () => {
    requireBuild();
    service = multiStackService();
    result = await runServerlessGroups(service.dir, ['package', '--out', 'stacks']);
  });

  afterAll(() => service?.cleanup());

  it('should package every stack, each with its template, state and the zip of each of its functions', () => {
    // Assess
    expect(result.code).toBe(0);
    expect(readdirSync(join(service.dir, 'stacks')).sort()).toEqual(['0', '1', '2']);
    for (let group = 0; group < GROUPS; group++) {
      const dir = join(service.dir, 'stacks', String(group));
      const template = templateOf(dir);
      const state = JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8'));
      expect(state.service.provider.stackName).toBe(`connectors-dev-g${group}`);
      const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
      expect(functions.length).toBeGreaterThan(0);
      for (const fn of functions) expect(existsSync(join(dir, basename((fn.Properties!.Code as { S3Key: string }).S3Key)))).toBe(true);
    }
    // Every connector is in exactly one stack.
    const outputs = Array.from({ length: GROUPS }, (_, group) => Object.keys(templateOf(join(service.dir, 'stacks', String(group))).Outputs ?? {}).filter((key) => key.endsWith('Connector')));
    expect(outputs.flat().length).toBe(new Set(outputs.flat()).size);
    expect(outputs.flat().length).toBe(readdirSync(join(service.dir, 'configs')).filter((name) => name.endsWith('.yaml')).length);
  });

  it('should bundle each handler and zip each distinct package once for all the stacks, the later stacks reusing them', () => {
    // Prepare
    const reports = [...result.stderr.matchAll(/^== stack (\d+) of \d+ packaged .*esbuild: (\d+) built, (\d+) reused; zips: (\d+) made, (\d+) reused\)$/gm)].map((match) => ({
      group: Number(match[1]),
      built: Number(match[2]),
      bundled: Number(match[2]) + Number(match[3]),
      made: Number(match[4]),
      zipped: Number(match[4]) + Number(match[5]),
    }));
    const stacks = Array.from({ length: GROUPS }, (_, group) => {
      const dir = join(service.dir, 'stacks', String(group));
      const functions = Object.values(JSON.parse(readFileSync(join(dir, 'serverless-state.json'), 'utf8')).service.functions as Record<string, { handler: string }>);
      const zips = Object.entries(packagedFiles(dir)).filter(([name]) => name.endsWith('.zip'));
      return { handlers: new Set(functions.map((fn) => fn.handler)), zipContents: zips.map(([, content]) => content) };
    });
    const allHandlers = new Set(stacks.flatMap((stack) => [...stack.handlers]));

    // Assess
    expect(reports.map((report) => report.group)).toEqual([0, 1, 2]);
    for (const report of reports) {
      expect(report.bundled).toBe(stacks[report.group]!.handlers.size);
      expect(report.zipped).toBe(stacks[report.group]!.zipContents.length);
    }
    expect(allHandlers).toEqual(new Set(['functions/poller.handler', 'functions/sink.handler']));
    expect(reports.reduce((n, report) => n + report.built, 0)).toBe(allHandlers.size);
    expect(reports.reduce((n, report) => n + report.made, 0)).toBe(new Set(stacks.flatMap((stack) => stack.zipContents)).size);
    expect(reports.reduce((n, report) => n + report.zipped, 0)).toBeGreaterThan(reports.reduce((n, report) => n + report.made, 0));
  });

  it('should write for each stack the same files as `serverless package --param group=N` in a process of its own', async () => {
    for (let group = 0; group < GROUPS; group++) {
      // Act
      const own = await runServerless(service.dir, ['package', '--param', `group=${group}`]);

      // Assess
      expect(own.code).toBe(0);
      expect(packagedFiles(join(service.dir, 'stacks', String(group)))).toEqual(packagedFiles(join(service.dir, '.serverless')));
    }
  });
});

describe('npm run sls:groups -- package (failures, --stacks)', () => {
  it('should package only the stacks named by --stacks, in that order', async () => {
    // Prepare
    const service = multiStackService();
    try {
      // Act
      const result = await runServerlessGroups(service.dir, ['package', '--stacks', '2,0', '--out', 'stacks']);

      // Assess
      expect(result.code).toBe(0);
      expect(readdirSync(join(service.dir, 'stacks')).sort()).toEqual(['0', '2']);
      expect([...result.stderr.matchAll(/^== stack (\d+) of 3 packaged/gm)].map((match) => match[1])).toEqual(['2', '0']);
    } finally {
      service.cleanup();
    }
  });

  it('should refuse a --stacks number outside the stacks, naming the range, before packaging anything', async () => {
    // Prepare
    const service = multiStackService();
    try {
      // Act
      const result = await runServerlessGroups(service.dir, ['package', '--stacks', '1,3']);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('--stacks 3: there are 3 stack(s), numbered 0 … 2');
      expect(result.stderr).not.toMatch(/== stack \d+ of 3 packaged/);
    } finally {
      service.cleanup();
    }
  });

  it('should stop at the first stack that fails, with osls\'s exit code and the located error', async () => {
    // Prepare
    const service = multiStackService();
    writeFileSync(join(service.dir, 'configs', 'broken.yaml'), 'apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: broken\n  type: http-source\n  topic: t\nhttp:\n  endpoint: not a url\n  interval: 10s\n');
    try {
      // Act
      const result = await runServerlessGroups(service.dir, ['package']);

      // Assess
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('configs/broken.yaml');
      expect(result.stderr).toContain('stack 0 of 3 failed (exit 1); later stacks were not packaged');
      expect(result.stderr).not.toMatch(/== stack \d+ of 3 packaged/);
    } finally {
      service.cleanup();
    }
  });
});
