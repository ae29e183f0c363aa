import type { Command } from 'commander';
import { runConnector } from '../../runtime';
import { createJsonLogger } from '../../runtime/log';
import { createMetrics } from '../../runtime/metrics';
import { type GlobalOptions, loadSpec, openStore, stopSignal } from '../common';
import { createTerminalReporter } from '../terminal';

interface RunOptions extends GlobalOptions {
  config: string;
  secrets?: string;
  skipTransforms?: boolean;
}

/** `connector run --config FILE [--secrets FILE]`: runs one connector in the foreground until SIGINT/SIGTERM. */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a connector in the foreground (Ctrl-C stops it cleanly)')
    .requiredOption('-c, --config <file>', 'connector config (YAML)')
    .option('-s, --secrets <file>', 'secrets file with KEY=VALUE lines (falls back to the environment)')
    .option('--skip-transforms', 'run a config that has transforms without executing them (not supported yet)')
    .action(async (_opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RunOptions>();
      const spec = loadSpec(opts.config, opts.secrets);
      const signal = stopSignal();
      const metrics = createMetrics();
      const tty = process.stderr.isTTY === true;
      const reporter = tty ? createTerminalReporter(process.stderr, metrics, `${spec.name} → ${spec.topic.name}`) : undefined;
      const log = reporter?.log ?? createJsonLogger();
      const store = openStore(opts);
      try {
        await runConnector({
          spec,
          topics: store,
          signal,
          metrics,
          deps: { log },
          skipTransforms: opts.skipTransforms,
          onStarted: () => {
            // Started by `connector deploy start`: tell the parent we are up, then detach from it.
            if (process.send) {
              process.send({ type: 'started', pid: process.pid }, () => process.disconnect?.());
            }
          },
        });
      } finally {
        reporter?.stop();
        await store.close();
      }
    });
}
