import { Command, CommanderError } from 'commander';
import { ConnectorError } from '../core/errors';
import { registerConsume } from './commands/consume';
import { registerBackground } from './commands/background';
import { type CloudCommandDeps, registerCloud } from './commands/cloud';
import { registerOffsets } from './commands/offsets';
import { registerProduce } from './commands/produce';
import { registerRun } from './commands/run';
import { registerSchema } from './commands/schema';
import { registerTopic } from './commands/topic';
import { registerValidate } from './commands/validate';
import { ExitCode, exitCodeFor } from './exit';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { version } = require('../../../package.json') as { version: string };

/** Side effects the command tree can be given (tests); every field has a real default. */
export interface ProgramDeps {
  /** `connector cloud`: the AWS clients, clock and `logs --follow` settings. */
  cloud?: CloudCommandDeps;
}

/** Builds the `connector` command tree. */
export function buildProgram(deps: ProgramDeps = {}): Command {
  const program = new Command('connector')
    .description('Run Fluvio smart-connector configs locally and consume their topics')
    .version(version)
    .option('--data-dir <dir>', 'local data directory (default: $CONNECTOR_DATA_DIR or ./.connector)')
    .exitOverride()
    .showHelpAfterError();
  registerRun(program);
  registerBackground(program);
  registerConsume(program);
  registerOffsets(program);
  registerProduce(program);
  registerTopic(program);
  registerValidate(program);
  registerCloud(program, deps.cloud);
  registerSchema(program);
  for (const cmd of program.commands) {
    cmd.exitOverride();
    for (const sub of cmd.commands) sub.exitOverride();
  }
  return program;
}

/**
 * Entry point of `bin/connector.js`. Exit codes: 0 success, 1 runtime failure, 2 bad config or
 * usage. Errors are printed to stderr as one message (config errors list every located issue).
 */
export async function main(argv: string[], deps: ProgramDeps = {}): Promise<void> {
  try {
    await buildProgram(deps).parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; commander already printed its message
      process.exitCode = err.exitCode === 0 ? ExitCode.OK : ExitCode.USAGE;
      return;
    }
    const message = err instanceof ConnectorError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`Error: ${message}\n`);
    process.exitCode = exitCodeFor(err);
  }
}
