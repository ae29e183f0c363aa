import type { Command } from 'commander';
import { formatDuration } from '../../schema/duration';
import { type ConnectorSpec, loadConnectorConfig } from '../../config';
import { defaultRegistry } from '../../connectors';
import { type ConnectorMode, modeOf } from '../../core';
import { ConnectorError } from '../../core/errors';
import { loadSpec, writeOut } from '../common';
import { ExitCode, exitCodeFor } from '../exit';

/** How `validate` prints a mode: `periodic, every 2s`, `continuous`, `continuous, finite`, `sink`. */
function describeMode(mode: ConnectorMode): string {
  if (mode.kind === 'periodic') return `periodic, every ${formatDuration(mode.intervalMs)}`;
  if (mode.kind === 'continuous') return mode.finite ? 'continuous, finite' : 'continuous';
  return 'sink';
}

/** Options of {@link validateFile}. */
export interface ValidateOptions {
  /** `--secrets FILE`. */
  secrets?: string;
  /** `--defer-secrets`: check declarations and references only, as `serverless package` does. */
  deferSecrets?: boolean;
}

/** What validating one file printed and its exit code. */
export interface FileVerdict {
  /** 0: valid (warnings allowed), 2: a config problem, 1: something else failed (a bug). */
  exitCode: number;
  /** The `ok …` line. */
  stdout: string;
  /** Located errors or warnings, one per line. */
  stderr: string;
}

/**
 * Validates one config file, never throwing: a valid file gives `ok FILE: …` on stdout and its
 * located warnings on stderr (`FILE:LINE:COL: warning: …`), exit code 0; an invalid one its located
 * errors, exit code 2; an unexpected failure (a bug) one line naming the file, exit code 1, so the
 * other files are still checked.
 */
export function validateFile(file: string, opts: ValidateOptions): FileVerdict {
  let spec: ConnectorSpec;
  try {
    spec = opts.deferSecrets ? loadConnectorConfig(file, { registry: defaultRegistry, deferSecrets: true }) : loadSpec(file, opts.secrets);
  } catch (err) {
    if (err instanceof ConnectorError) return { exitCode: exitCodeFor(err), stdout: '', stderr: `${err.message}\n` };
    const message = err instanceof Error ? err.message : String(err);
    return { exitCode: ExitCode.FAILURE, stdout: '', stderr: `${file}: cannot validate this file, an internal error (please report it): ${message}\n` };
  }
  const mode = describeMode(modeOf(spec.definition, spec.config));
  let stdout = `ok ${file}: ${spec.name} (${spec.type}, ${mode}) -> topic ${spec.topic.name}${spec.topic.create ? '' : ' (must exist)'}\n`;
  if (spec.transforms.length > 0) {
    stdout += `  transforms: ${spec.transforms.map((step) => `${step.uses}${step.on_error === 'fail' ? '' : ` (on_error: ${step.on_error})`}`).join(' -> ')}\n`;
  }
  const lines = spec.warnings.map((warning) => `${warning.message}\n`);
  return { exitCode: ExitCode.OK, stdout, stderr: lines.join('') };
}

/** `connector validate FILE…`: checks every file; exit 0 when all are valid (warnings allowed), 2 otherwise. */
export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('validate connector configs (exit 0 when every file is valid; warnings do not fail)')
    .argument('<files...>', 'config files')
    .option('-s, --secrets <file>', 'secrets file with KEY=VALUE lines (falls back to the environment)')
    .option('--defer-secrets', 'check secret declarations and references only, as `serverless package` does (values are resolved at run time in AWS)')
    .action(async (files: string[], opts: ValidateOptions) => {
      let worst: number = ExitCode.OK;
      for (const file of files) {
        const verdict = validateFile(file, opts);
        if (verdict.stdout) await writeOut(verdict.stdout);
        if (verdict.stderr) process.stderr.write(verdict.stderr);
        worst = Math.max(worst, verdict.exitCode);
      }
      process.exitCode = worst;
    });
}
