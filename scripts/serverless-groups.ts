/**
 * `npm run sls:groups -- <command> [serverless options]`: runs a Serverless command (deploy,
 * package, remove, info) once per stack when `custom.connectors.groups` spreads the connectors
 * over several CloudFormation stacks (each run gets `--param group=N`). With one group it is the
 * plain command. Stacks are independent: a failure stops the remaining runs and exits non-zero.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { parse } from 'yaml';

/** `custom.connectors.groups` of serverless.yml (a number; variables are not resolved here). */
export function groupsOf(serverlessYml: string): number {
  const doc = parse(serverlessYml) as { custom?: { connectors?: { groups?: unknown } } } | null;
  const groups = doc?.custom?.connectors?.groups ?? 1;
  const value = Number(groups);
  if (!Number.isInteger(value) || value < 1) throw new Error(`custom.connectors.groups must be a whole number ≥ 1 here, got ${JSON.stringify(groups)}`);
  return value;
}

function main(argv: string[]): void {
  const program = new Command('sls:groups')
    .description('run a serverless command for every stack (custom.connectors.groups), with --param group=N')
    .argument('<command>', 'serverless command: deploy, package, remove, info, …')
    .argument('[options...]', 'passed to serverless (e.g. --stage prod --param image=…)')
    .option('--groups <n>', 'number of stacks (default: custom.connectors.groups of serverless.yml)')
    .allowUnknownOption(true)
    .action((command: string, rest: string[], opts: { groups?: string }) => {
      const groups = opts.groups ? Number(opts.groups) : groupsOf(readFileSync(join(process.cwd(), 'serverless.yml'), 'utf8'));
      const serverless = require.resolve('osls/bin/serverless.js');
      for (let group = 0; group < groups; group++) {
        const args = groups > 1 ? [command, ...rest, '--param', `group=${group}`] : [command, ...rest];
        process.stderr.write(`\n== serverless ${args.join(' ')}\n`);
        const result = spawnSync(process.execPath, [serverless, ...args], { stdio: 'inherit' });
        if (result.status !== 0) {
          process.stderr.write(`stack ${group} of ${groups} failed (exit ${result.status}); later stacks were not run\n`);
          process.exit(result.status ?? 1);
        }
      }
    });
  program.parse(argv);
}

if (require.main === module) main(process.argv);
