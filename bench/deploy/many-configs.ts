import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse } from 'yaml';
import { defaultRegistry } from '../../lib/connectors';
import { MAX_RESOURCES_PER_STACK, parseDeploymentOptions, planConnectors, resourceCounts } from '../../lib/deploy';
import { loadConnectorInputs } from '../../lib/deploy/load';
import type { ConnectorInput } from '../../lib/deploy/plan';
import { packagedTemplate, REPO, runServerless, type ServiceDir, serviceDir } from '../../scripts/service-dir';
import type { BenchResult } from '../result';
import { benchConfigs, kindOf } from './configs';
import { median, round } from './stats';

/** Connectors that fit in one stack, roughly: the first `groups` value tried is ⌈configs / this⌉. */
const CONNECTORS_PER_STACK = 80;

/** One packaged stack. */
interface PackagedStack {
  group: number;
  /** Resources in `.serverless/cloudformation-template-update-stack.json`. */
  resources: number;
  /** What `resourceCounts()` predicted for this group. */
  predicted: number;
  /** Lambda functions in the packaged template. */
  functions: number;
  wallMs: number;
}

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

/** Packages `groups` one by one (`--param group=N`) on `lanes`, each lane its own service directory. */
async function packageGroups(lanes: readonly ServiceDir[], groups: number, predicted: readonly number[]): Promise<PackagedStack[]> {
  const queue = Array.from({ length: groups }, (_, group) => group);
  const stacks: PackagedStack[] = [];
  await Promise.all(
    lanes.map(async (lane) => {
      for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
        const t0 = performance.now();
        const result = await runServerless(lane.dir, ['package', '--param', `group=${group}`], {}, 300_000);
        const wallMs = performance.now() - t0;
        if (result.code !== 0) throw new Error(`serverless package --param group=${group} failed (exit ${result.code}):\n${result.stdout}${result.stderr}`);
        const template = packagedTemplate(lane.dir);
        const resources = Object.keys(template.Resources).length;
        const functions = Object.values(template.Resources).filter((resource) => resource.Type === 'AWS::Lambda::Function').length;
        stacks.push({ group, resources, predicted: predicted[group]!, functions, wallMs });
        process.stderr.write(`deploy bench: stack ${group + 1}/${groups} packaged in ${(wallMs / 1000).toFixed(1)} s, ${resources} resources\n`);
      }
    }),
  );
  return stacks.sort((a, b) => a.group - b.group);
}

/**
 * `serverless package` of `count` generated configs ({@link benchConfigs}: ~78 % apiVersion periodic,
 * 20 % streaming, 2 % legacy; 2 connectors per topic), spread over the smallest `groups` whose stacks
 * all stay ≤ 500 resources ({@link smallestGroups}); every group packaged with `--param group=N`,
 * `concurrency` at a time (each in its own copy of the service). Rows: total wall time, s (from the
 * first start to the last end; baseline: `repoPackageMs`, packaging the repository's configs in
 * the same run); resources of the largest and smallest packaged stack (counted in each
 * `.serverless/cloudformation-template-update-stack.json`); number of stacks; stacks whose packaged
 * count differs from `resourceCounts()` (a warning line per stack on stderr; should be 0).
 * @param options.count - configs to generate (default 1,000).
 * @param options.concurrency - packages running at once (default 2: the machine's 2 cores).
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
    for (let lane = 0; lane < Math.min(options.concurrency ?? 2, groups); lane++) lanes.push(serviceDir({ configs, editYml: () => yml }));

    const t0 = performance.now();
    const stacks = await packageGroups(lanes, groups, counts);
    const totalMs = performance.now() - t0;

    const mismatches = stacks.filter((stack) => stack.resources !== stack.predicted);
    for (const stack of mismatches) process.stderr.write(`deploy bench: WARNING stack ${stack.group} packaged ${stack.resources} resources, resourceCounts() predicted ${stack.predicted}\n`);
    const functionsPerStack = stacks.reduce((n, stack) => n + stack.functions, 0) / stacks.length;
    const largest = Math.max(...stacks.map((stack) => stack.resources));
    const smallest = Math.min(...stacks.map((stack) => stack.resources));
    const kinds = Object.values(configs).length === count ? Array.from({ length: count }, (_, i) => kindOf(i)) : [];
    const mix = `${kinds.filter((k) => k === 'periodic').length} periodic, ${kinds.filter((k) => k === 'stream').length} streaming, ${kinds.filter((k) => k === 'legacy').length} legacy`;
    return [
      {
        name: `serverless package, ${count.toLocaleString('en-US')} configs (${mix}) in ${groups} stacks, ${lanes.length} at a time: total wall time`,
        value: round(totalMs / 1000, 1),
        unit: 's',
        baseline: { name: "serverless package of the repository's configs", value: round(options.repoPackageMs / 1000, 1) },
        ratio: totalMs / options.repoPackageMs,
        target: 'ratio ≤ 3',
      },
      {
        name: `serverless package, one stack of those (median of ${stacks.length}, ${Math.round(functionsPerStack)} functions on average, ${lanes.length} running at a time)`,
        value: round(median(stacks.map((stack) => stack.wallMs)) / 1000, 1),
        unit: 's',
        baseline: { name: "serverless package of the repository's configs", value: round(options.repoPackageMs / 1000, 1) },
        ratio: median(stacks.map((stack) => stack.wallMs)) / options.repoPackageMs,
      },
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
    ];
  } finally {
    for (const lane of lanes) lane.cleanup();
  }
}
