import type { Command } from 'commander';
import { formatDuration } from '../../schema/duration';
import { loadConnectorConfig } from '../../config';
import { defaultRegistry } from '../../connectors';
import { type ConnectorMode, modeOf } from '../../core';
import { ConnectorError } from '../../core/errors';
import { loadSpec, writeOut } from '../common';
import { exitCodeFor } from '../exit';

/** How `validate` prints a mode: `periodic, every 2s`, `continuous`, `continuous, finite`, `sink`. */
function describeMode(mode: ConnectorMode): string {
  if (mode.kind === 'periodic') return `periodic, every ${formatDuration(mode.intervalMs)}`;
  if (mode.kind === 'continuous') return mode.finite ? 'continuous, finite' : 'continuous';
  return 'sink';
}

/** `connector validate FILE…`: checks configs; exit 0 when all are valid, 2 otherwise. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate connector configs (exit 0 when every file is valid)')
    .argument('<files...>', 'config files')
    .option('-s, --secrets <file>', 'secrets file with KEY=VALUE lines (falls back to the environment)')
    .option('--defer-secrets', 'check secret declarations and references only, as `serverless package` does (values are resolved at run time in AWS)')
    .action(async (files: string[], opts: { secrets?: string; deferSecrets?: boolean }) => {
      let worst = 0;
      for (const file of files) {
        try {
          const spec = opts.deferSecrets ? loadConnectorConfig(file, { registry: defaultRegistry, deferSecrets: true }) : loadSpec(file, opts.secrets);
          const mode = describeMode(modeOf(spec.definition, spec.config));
          await writeOut(`ok ${file}: ${spec.name} (${spec.type}, ${mode}) -> topic ${spec.topic.name}${spec.topic.create ? '' : ' (must exist)'}\n`);
          if (spec.transforms.length > 0) {
            await writeOut(`  transforms: ${spec.transforms.map((step) => `${step.uses}${step.on_error === 'fail' ? '' : ` (on_error: ${step.on_error})`}`).join(' -> ')}\n`);
          }
        } catch (err) {
          if (!(err instanceof ConnectorError)) throw err;
          process.stderr.write(`${err.message}\n`);
          worst = Math.max(worst, exitCodeFor(err));
        }
      }
      process.exitCode = worst;
    });
}
