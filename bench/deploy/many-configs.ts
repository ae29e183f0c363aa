import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { defaultRegistry } from '../../lib/connectors';
import { MAX_RESOURCES_PER_STACK, parseDeploymentOptions, planConnectors, resourceCounts } from '../../lib/deploy';
import { loadConnectorInputs } from '../../lib/deploy/load';
import type { ConnectorInput } from '../../lib/deploy/plan';
import { packagedFiles, REPO, runServerless, runServerlessGroups, type ServiceDir, serviceDir, type Template } from '../../scripts/service-dir';
import type { BenchResult } from '../result';
import { benchConfigs, kindOf } from './configs';
import { median, round } from './stats';

/** Connectors that fit in one stack, roughly: the first `groups` value tried is ⌈configs / this⌉. */
const CONNECTORS_PER_STACK = 80;

/** `custom.connectors` and `service` of the repository's serverless.yml. */
function repoDeploymentInput(): Record<string, unknown> {
  const yml = parse(readFileSync(join(REPO, 'serverless.yml'), 'utf8')) as { service: string; custom: { connectors: Record<string, unknown> } };
  return { ...yml.custom.connectors, service: yml.service, stage: 'dev', region: 'us-east-1' };
}

/**
 * The smallest `groups` (from ⌈inputs / 80⌉ up) for which every stack has at most 500 resources,
 * by the generator's own plan (`planConnectors` + `resourceCounts`).
 * @returns the value and the predicted resource count of each group.
 * @throws Error when no value up to 200 (the option's maximum) fits.
 */
export function smallestGroups(inputs: readonly ConnectorInput[]): { groups: number; counts: number[] } {
  const base = repoDeploymentInput();
  for (let groups = Math.ceil(inputs.length / CONNECTORS_PER_STACK); groups <= 200; groups++) {
    const options = parseDeploymentOptions({ ...base, groups });
    const { plans, createdTopics } = planConnectors(inputs, options);
    const counts = resourceCounts(plans, createdTopics, groups, options);
    if (Math.max(...counts) <= MAX_RESOURCES_PER_STACK) return { groups, counts };
  }
  throw new Error(`no groups value up to 200 keeps ${inputs.length} connectors under ${MAX_RESOURCES_PER_STACK} resources per stack`);
}

/** serverless.yml with `custom.connectors.groups` set to `groups`. @throws Error when the key is not found. */
function withGroups(yml: string, groups: number): string {
  const edited = yml.replace(/^(\s+groups:)\s*\d+\s*$/m, `$1 ${groups}`);
  if (edited === yml) throw new Error('serverless.yml: no `groups:` line under custom.connectors to set');
  return edited;
}

/**
 * The method before: one `serverless package --param group=N` process per stack, on `lanes` (one service
 * directory each), as many at a time as lanes. After each stack, `check(group, dir)` may compare its
 * `.serverless/` (the next stack of the lane replaces it).
 */
async function packagePerProcess(lanes: readonly ServiceDir[], groups: number, check: (group: number, serverlessDir: string) => void): Promise<{ totalMs: number; wallMs: number[] }> {
  const queue = Array.from({ length: groups }, (_, group) => group);
  const wallMs: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    lanes.map(async (lane) => {
      for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
        const s0 = performance.now();
        const result = await runServerless(lane.dir, ['package', '--param', `group=${group}`], {}, 300_000);
        wallMs[group] = performance.now() - s0;
        if (result.code !== 0) throw new Error(`serverless package --param group=${group} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
        check(group, join(lane.dir, '.serverless'));
        process.stderr.write(`deploy bench: per process, stack ${group + 1}/${groups} packaged in ${(wallMs[group]! / 1000).toFixed(1)} s\n`);
      }
    }),
  );
  return { totalMs: performance.now() - t0, wallMs };
}

/**
 * `npm run sls:groups -- package --stacks <share> --out <lane>/<outName>` on each lane at once (one process per
 * lane, packaging its share of the stacks in that process; lane i of n takes stacks i, i+n, …). One lane is
 * what a user's `npm run sls:groups -- package` does.
 * @returns the total wall time, each stack's wall time as the runner reports it, and where each stack's `.serverless/` is.
 */
async function packageInProcess(lanes: readonly ServiceDir[], groups: number, outName: string): Promise<{ totalMs: number; wallMs: number[]; outputs: string[] }> {
  const wallMs: number[] = [];
  const outputs: string[] = [];
  const t0 = performance.now();
  await Promise.all(
    lanes.map(async (lane, index) => {
      const stacks = Array.from({ length: groups }, (_, group) => group).filter((group) => group % lanes.length === index);
      const out = join(lane.dir, outName);
      rmSync(out, { recursive: true, force: true });
      const result = await runServerlessGroups(lane.dir, ['package', '--stacks', stacks.join(','), '--out', out], {}, 600_000);
      if (result.code !== 0) throw new Error(`sls:groups package --stacks ${stacks.join(',')} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
      for (const match of result.stderr.matchAll(/^== stack (\d+) of \d+ packaged in ([\d.]+) s/gm)) wallMs[Number(match[1])] = Number(match[2]) * 1000;
      for (const group of stacks) outputs[group] = join(out, String(group));
    }),
  );
  const totalMs = performance.now() - t0;
  if (outputs.length !== groups || wallMs.filter((ms) => ms !== undefined).length !== groups) throw new Error(`sls:groups package reported ${wallMs.length} of ${groups} stacks`);
  return { totalMs, wallMs, outputs };
}

/** One stack's `.serverless/` in figures: resources, functions, and the functions whose zip is not there. */
function inspectStack(serverlessDir: string): { resources: number; functions: number; missingZips: number } {
  const template = JSON.parse(readFileSync(join(serverlessDir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
  const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function');
  const missingZips = functions.filter((fn) => {
    const key = (fn.Properties?.Code as { S3Key?: string } | undefined)?.S3Key;
    return typeof key !== 'string' || !existsSync(join(serverlessDir, basename(key)));
  }).length;
  return { resources: Object.keys(template.Resources).length, functions: functions.length, missingZips };
}

/** Whether two `.serverless/` directories hold the same template, state and zips ({@link packagedFiles}). */
const sameOutput = (a: string, b: string): boolean => JSON.stringify(packagedFiles(a)) === JSON.stringify(packagedFiles(b));

/**
 * `serverless package` of `count` generated configs ({@link benchConfigs}: ~78 % apiVersion periodic,
 * 20 % streaming, 2 % legacy; 2 connectors per topic), spread over the smallest `groups` whose stacks
 * all stay ≤ 500 resources ({@link smallestGroups}), every stack packaged with templates and zips, three ways:
 * `npm run sls:groups -- package` (every stack in one process, in sequence: what a user runs); the same on
 * `concurrency` lanes (each lane its own copy of the service and one process packaging its share of the
 * stacks); and the method before, one `serverless package --param group=N` process per stack, `concurrency` at
 * a time. Baseline of the wall times: `repoPackageMs`, packaging the repository's configs in the same run.
 * Checks: each stack's resources (counted in its packaged template) against `resourceCounts()`, each Lambda
 * function's zip present, and each stack's in-process output (template, state, zips) the same as the
 * per-process one (warning lines on stderr; the rows count them, all should be 0).
 * @param options.count - configs to generate (default 1,000).
 * @param options.concurrency - lanes (default 2: the machine's 2 cores).
 * @param options.repoPackageMs - wall time of packaging the repository's configs in this run, ms.
 * @throws Error when a package run fails.
 */
export async function benchManyConfigs(options: { count?: number; concurrency?: number; repoPackageMs: number }): Promise<BenchResult[]> {
  const count = options.count ?? 1_000;
  const configs = benchConfigs(count);
  const lanes: ServiceDir[] = [];
  try {
    lanes.push(serviceDir({ configs }));
    const inputs = loadConnectorInputs(lanes[0]!.dir, 'configs', defaultRegistry);
    const { groups, counts } = smallestGroups(inputs);
    const yml = withGroups(readFileSync(join(lanes[0]!.dir, 'serverless.yml'), 'utf8'), groups);
    lanes[0]!.cleanup();
    lanes.length = 0;
    for (let lane = 0; lane < Math.max(1, Math.min(options.concurrency ?? 2, groups)); lane++) lanes.push(serviceDir({ configs, editYml: () => yml }));

    const single = await packageInProcess(lanes.slice(0, 1), groups, 'stacks-one-process');
    process.stderr.write(`deploy bench: sls:groups package, one process: ${groups} stacks in ${(single.totalMs / 1000).toFixed(1)} s\n`);
    const stacks = single.outputs.map((dir, group) => ({ group, ...inspectStack(dir), predicted: counts[group]! }));
    const parallel = await packageInProcess(lanes, groups, 'stacks-lanes');
    process.stderr.write(`deploy bench: sls:groups package, ${lanes.length} processes: ${groups} stacks in ${(parallel.totalMs / 1000).toFixed(1)} s\n`);
    let differing = 0;
    const perProcess = await packagePerProcess(lanes, groups, (group, dir) => {
      if (sameOutput(dir, single.outputs[group]!)) return;
      differing++;
      process.stderr.write(`deploy bench: WARNING stack ${group}: the per-process .serverless/ differs from the in-process one (${single.outputs[group]})\n`);
    });

    const mismatches = stacks.filter((stack) => stack.resources !== stack.predicted);
    for (const stack of mismatches) process.stderr.write(`deploy bench: WARNING stack ${stack.group} packaged ${stack.resources} resources, resourceCounts() predicted ${stack.predicted}\n`);
    const withoutZip = stacks.filter((stack) => stack.missingZips > 0);
    for (const stack of withoutZip) process.stderr.write(`deploy bench: WARNING stack ${stack.group}: ${stack.missingZips} function(s) without their zip in .serverless/\n`);
    const functionsPerStack = stacks.reduce((n, stack) => n + stack.functions, 0) / stacks.length;
    const largest = Math.max(...stacks.map((stack) => stack.resources));
    const smallest = Math.min(...stacks.map((stack) => stack.resources));
    const kinds = Object.values(configs).length === count ? Array.from({ length: count }, (_, i) => kindOf(i)) : [];
    const mix = `${kinds.filter((k) => k === 'periodic').length} periodic, ${kinds.filter((k) => k === 'stream').length} streaming, ${kinds.filter((k) => k === 'legacy').length} legacy`;
    const what = `serverless package, ${count.toLocaleString('en-US')} configs (${mix}) in ${groups} stacks`;
    const baseline = { name: "serverless package of the repository's configs", value: round(options.repoPackageMs / 1000, 1) };
    const wallRow = (name: string, ms: number, target?: string): BenchResult => ({ name, value: round(ms / 1000, 1), unit: 's', baseline, ratio: ms / options.repoPackageMs, ...(target ? { target } : {}) });
    return [
      wallRow(`${what}: \`npm run sls:groups -- package\` (every stack in one process, one after the other), total wall time`, single.totalMs, 'ratio ≤ 3'),
      wallRow(`${what}, ${lanes.length} of those processes at a time (each its own copy of the service and every ${ordinal(lanes.length)} stack): total wall time`, parallel.totalMs),
      wallRow(`${what}, one \`serverless package\` process per stack, ${lanes.length} at a time (the method before): total wall time`, perProcess.totalMs),
      wallRow(`serverless package, one stack of those in the one-process run (median of ${groups}, ${Math.round(functionsPerStack)} functions on average; the first one loads osls and the configs: ${round(single.wallMs[0]! / 1000, 1)} s)`, median(single.wallMs)),
      wallRow(`serverless package, one stack of those in its own process (median of ${groups}, ${lanes.length} running at a time)`, median(perProcess.wallMs)),
      {
        name: `largest stack of the ${count.toLocaleString('en-US')} configs (packaged template)`,
        value: largest,
        unit: 'resources',
        baseline: { name: 'CloudFormation limit per stack', value: MAX_RESOURCES_PER_STACK },
        ratio: largest / MAX_RESOURCES_PER_STACK,
        target: `≤ ${MAX_RESOURCES_PER_STACK}`,
      },
      { name: `smallest stack of the ${count.toLocaleString('en-US')} configs (packaged template)`, value: smallest, unit: 'resources', target: `≤ ${MAX_RESOURCES_PER_STACK}` },
      {
        name: `stacks for ${count.toLocaleString('en-US')} configs (smallest custom.connectors.groups with every stack ≤ ${MAX_RESOURCES_PER_STACK}, tried from ${Math.ceil(count / CONNECTORS_PER_STACK)})`,
        value: groups,
        unit: 'stacks',
      },
      { name: 'stacks whose packaged resource count ≠ resourceCounts() (warning when > 0)', value: mismatches.length, unit: 'stacks', target: '0' },
      { name: 'stacks with a Lambda function whose zip is not in the packaged .serverless/ (warning when > 0)', value: withoutZip.length, unit: 'stacks', target: '0' },
      { name: 'stacks whose one-process output (template, state, zip contents) differs from the own-process one (warning when > 0)', value: differing, unit: 'stacks', target: '0' },
    ];
  } finally {
    for (const lane of lanes) lane.cleanup();
  }
}

/** 2 → "2nd" (for row names). */
function ordinal(n: number): string {
  return `${n}${n === 1 ? 'st' : n === 2 ? 'nd' : n === 3 ? 'rd' : 'th'}`;
}
