/**
 * Runs osls's own CLI script (`osls/scripts/serverless.js`, what the `serverless` command runs) several times
 * in one Node process, so that a multi-stack `serverless package` loads osls, its plugins (serverless-esbuild),
 * the compiled config-schema validator and the connector configs once instead of once per stack. Each run is a
 * whole CLI run (argument parsing, variable resolution, schema validation, every lifecycle hook, files
 * written) with fresh CLI state; only the module cache is shared, as it is within one run.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import { compileFunction } from 'node:vm';

/** The CLI script's top-level statement: `(async () => { … })();`, its whole run. */
const TOP_LEVEL_RUN = /^\(async \(\) => \{$/m;

/** One CLI run: resolves when osls's script has finished (its `finalize` ran). */
type CliRun = () => Promise<void>;

/**
 * osls's CLI script as a function returning the promise of its run, compiled once.
 * @param script - path of `osls/scripts/serverless.js`.
 * @throws Error when the script does not have the expected shape (an osls upgrade changed it).
 */
function compileCli(script: string): CliRun {
  const source = readFileSync(script, 'utf8').replace(/^#!.*\n/, '');
  if ((source.match(new RegExp(TOP_LEVEL_RUN.source, 'gm')) ?? []).length !== 1) {
    throw new Error(`${script}: expected one top-level "(async () => {" (its run); osls changed, the in-process runner needs an update`);
  }
  const body = source.replace(TOP_LEVEL_RUN, 'return (async () => {');
  const fn = compileFunction(body, ['require', 'module', 'exports', '__filename', '__dirname'], { filename: script }) as (...args: unknown[]) => Promise<void>;
  const requireFromScript = Module.createRequire(script);
  return () => {
    const module = { exports: {} };
    return fn(requireFromScript, module, module.exports, script, dirname(script));
  };
}

/** The result of one in-process CLI run. */
export interface InProcessRun {
  /** The arguments after `serverless`. */
  args: string[];
  /** `process.exitCode` osls set (0 on success; osls's error handler sets 1). */
  code: number;
  /** Wall time of the run, ms. */
  wallMs: number;
}

/**
 * Runs `serverless <args>` (osls) once per entry of `runs`, one after the other, in this process and in
 * `process.cwd()`, each run as the CLI would do it in a process of its own. osls prints as usual. Stops at the
 * first failing run (osls reports it and sets the exit code).
 * @param runs - arguments of each run, e.g. `[['package', '--param', 'group=0'], …]`.
 * @param afterEach - called after each successful run (before the next one overwrites `.serverless/`).
 * @param serverlessScript - osls's CLI script; default the one `osls` resolves to from here.
 * @returns one entry per run that was made (the last one failed when its code is not 0).
 */
export async function runServerlessInProcess(
  runs: readonly string[][],
  afterEach: (run: InProcessRun, index: number) => void | Promise<void> = () => undefined,
  serverlessScript: string = require.resolve('osls/scripts/serverless.js'),
): Promise<InProcessRun[]> {
  const cli = compileCli(serverlessScript);
  // osls parses `process.argv` once per process and keeps the result (`resolveInput`): forget it at every run.
  const requireFromScript = Module.createRequire(serverlessScript);
  const resolveInput = requireFromScript('../lib/cli/resolve-input') as { clear(): void };
  // Process events the script listens to once per run (`process.once`): removed after each run.
  const events = ['uncaughtException', ...(requireFromScript('signal-exit/signals') as { signals: string[] }).signals];
  const argv = process.argv;
  const exitCode = process.exitCode;
  const done: InProcessRun[] = [];
  try {
    for (const [index, args] of runs.entries()) {
      const listeners = new Map(events.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
      resolveInput.clear();
      process.argv = [argv[0]!, serverlessScript, ...args];
      process.exitCode = undefined;
      const t0 = performance.now();
      try {
        await cli();
      } finally {
        for (const event of events) {
          for (const listener of process.listeners(event as NodeJS.Signals)) if (!listeners.get(event)!.has(listener)) process.removeListener(event, listener);
        }
      }
      const run = { args, code: Number(process.exitCode ?? 0), wallMs: performance.now() - t0 };
      done.push(run);
      if (run.code !== 0) break;
      await afterEach(run, index);
    }
  } finally {
    process.argv = argv;
    const failed = done.some((run) => run.code !== 0);
    process.exitCode = failed ? done.at(-1)!.code : exitCode;
  }
  return done;
}
