/**
 * `npm run sls:groups -- <command> [serverless options]`: runs a Serverless command (deploy,
 * package, remove, info) once per stack when `custom.connectors.groups` spreads the connectors
 * over several CloudFormation stacks (each run gets `--param group=N`). With one group it is the
 * plain command. Stacks are independent: a failure stops the remaining runs and exits non-zero.
 *
 * `package` runs every stack in this one process ({@link runServerlessInProcess}: osls, its plugins and the
 * configs are loaded once, not once per stack), and bundles and zips each kind of function once for all the
 * stacks ({@link installArtifactCache}); the other commands run `serverless` once per stack in a process of its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parse } from 'yaml';
import { installArtifactCache } from './artifact-cache';
import { runServerlessInProcess } from './serverless-in-process';

/** `custom.connectors.groups` of serverless.yml (a number; variables are not resolved here). */
export function groupsOf(serverlessYml: string): number {
  const doc = parse(serverlessYml) as { custom?: { connectors?: { groups?: unknown } } } | null;
  const groups = doc?.custom?.connectors?.groups ?? 1;
  const value = Number(groups);
  if (!Number.isInteger(value) || value < 1) throw new Error(`custom.connectors.groups must be a whole number ≥ 1 here, got ${JSON.stringify(groups)}`);
  return value;
}

/** `0,2,5` → [0, 2, 5] (commander parser of `--stacks`). */
function stackList(value: string): number[] {
  const list = value.split(',').map((item) => Number(item.trim()));
  if (list.some((n) => !Number.isInteger(n) || n < 0)) throw new InvalidArgumentError(`expected stack numbers separated by commas, e.g. 0,2,5; got "${value}"`);
  return list;
}

/** Options of `sls:groups` itself (the rest goes to serverless). */
export interface GroupsOptions {
  /** Number of stacks; default `custom.connectors.groups` of serverless.yml. */
  groups?: number;
  /** Only these stacks (0-based), in this order; default all. */
  stacks?: number[];
  /** `package` only: after each stack, its `.serverless/` is moved to `<out>/<group>` (else the next stack replaces it). */
  out?: string;
}

/**
 * `serverless package` of every stack in this process, in `process.cwd()`.
 * @returns the exit code (0, or the failing stack's).
 */
export async function packageGroups(groups: number, stacks: readonly number[], rest: readonly string[], out?: string): Promise<number> {
  const argsOf = (group: number): string[] => (groups > 1 ? ['package', ...rest, '--param', `group=${group}`] : ['package', ...rest]);
  if (out !== undefined) mkdirSync(resolve(out), { recursive: true });
  const cache = installArtifactCache();
  try {
    const runs = await runServerlessInProcess(stacks.map(argsOf), (run, index) => {
      const { bundlesBuilt, bundlesReused, zipsMade, zipsReused } = cache.takeStats();
      process.stderr.write(
        `== stack ${stacks[index]} of ${groups} packaged in ${(run.wallMs / 1000).toFixed(2)} s (serverless ${run.args.join(' ')}; ` +
          `esbuild: ${bundlesBuilt} built, ${bundlesReused} reused; zips: ${zipsMade} made, ${zipsReused} reused)\n`,
      );
      if (out !== undefined) {
        const target = join(resolve(out), String(stacks[index]));
        rmSync(target, { recursive: true, force: true });
        renameSync('.serverless', target);
      }
    });
    return exitCodeOf(runs, stacks, groups);
  } finally {
    cache.dispose();
  }
}

/** 0, or the failing run's code (reported on stderr). */
function exitCodeOf(runs: ReadonlyArray<{ code: number }>, stacks: readonly number[], groups: number): number {
  const failed = runs.find((run) => run.code !== 0);
  if (failed) {
    process.stderr.write(`stack ${stacks[runs.length - 1]} of ${groups} failed (exit ${failed.code}); later stacks were not packaged\n`);
    return failed.code;
  }
  return 0;
}

function main(argv: string[]): void {
  const program = new Command('sls:groups')
    .description('run a serverless command for every stack (custom.connectors.groups), with --param group=N')
    .argument('<command>', 'serverless command: deploy, package, remove, info, …')
    .argument('[options...]', 'passed to serverless (e.g. --stage prod --param image=…)')
    .option('--groups <n>', 'number of stacks (default: custom.connectors.groups of serverless.yml)')
    .option('--stacks <list>', 'only these stacks, e.g. 0,2,5 (default: all)', stackList)
    .option('--out <dir>', 'package: keep each stack\'s .serverless/ as <dir>/<N> (default: each stack replaces the previous one\'s)')
    .allowUnknownOption(true)
    .action(async (command: string, rest: string[], opts: { groups?: string; stacks?: number[]; out?: string }) => {
      const groups = opts.groups ? Number(opts.groups) : groupsOf(readFileSync(join(process.cwd(), 'serverless.yml'), 'utf8'));
      if (!Number.isInteger(groups) || groups < 1) program.error(`error: --groups must be a whole number ≥ 1; got "${opts.groups}"`);
      const stacks = opts.stacks ?? Array.from({ length: groups }, (_, group) => group);
      const outside = stacks.filter((stack) => stack >= groups);
      if (outside.length > 0) program.error(`error: --stacks ${outside.join(',')}: there are ${groups} stack(s), numbered 0 … ${groups - 1} (custom.connectors.groups or --groups)`);
      if (command === 'package') {
        const code = await packageGroups(groups, stacks, rest, opts.out);
        process.exit(code);
      }
      const serverless = require.resolve('osls/bin/serverless.js');
      for (const group of stacks) {
        const args = groups > 1 ? [command, ...rest, '--param', `group=${group}`] : [command, ...rest];
        process.stderr.write(`\n== serverless ${args.join(' ')}\n`);
        const result = spawnSync(process.execPath, [serverless, ...args], { stdio: 'inherit' });
        if (result.status !== 0) {
          process.stderr.write(`stack ${group} of ${groups} failed (exit ${result.status}); later stacks were not run\n`);
          process.exit(result.status ?? 1);
        }
      }
    });
  void program.parseAsync(argv);
}

if (require.main === module) main(process.argv);
