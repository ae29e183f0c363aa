import { type Command, Option } from 'commander';
import { ConnectorEnv, createJsonLogger, createMetrics, type Logger, METRICS_OUTPUTS, type MetricsOutput, parseRuntimeEnv, TOPIC_BACKENDS } from '../../core';
import { runConnector } from '../../runtime';
import { metricsPublisherOf, publishPeriodically } from '../../runtime/emf';
import { topicBackends } from '../../topics';
import { type ConfigSourceOptions, loadSpecFrom, openTopics, stopSignal, type TopicsOptions } from '../common';
import { createTerminalReporter } from '../terminal';

/**
 * Routes Node's process warnings (`TimeoutOverflowWarning`, `MaxListenersExceededWarning`, the AWS
 * SDK's `NodeVersionSupportWarning`…) into the connector's log, so stderr stays JSON lines.
 * @returns a function restoring Node's default printing.
 */
export function logProcessWarnings(log: Logger): () => void {
  const defaults = process.listeners('warning');
  const onWarning = (warning: Error & { code?: string }): void => log.warn({ warning: warning.name, ...(warning.code ? { code: warning.code } : {}) }, warning.message);
  process.removeAllListeners('warning');
  process.on('warning', onWarning);
  return () => {
    process.removeListener('warning', onWarning);
    for (const listener of defaults) process.on('warning', listener);
  };
}

/**
 * Makes a run that stops for no reason loud: when the event loop empties while `running` has not
 * settled (a promise that never settles, nothing left to wait for), logs an error and sets exit
 * code 1 instead of letting the process exit 0 silently.
 * @returns a function removing the guard (call it when the run settled).
 */
export function guardSilentExit(log: Logger): () => void {
  const onBeforeExit = (): void => {
    log.error('the connector stopped without finishing: nothing was left to wait for (a request or timer that never settled); this is a bug');
    process.exitCode = 1;
  };
  process.once('beforeExit', onBeforeExit);
  return () => process.removeListener('beforeExit', onBeforeExit);
}

interface RunOptions extends TopicsOptions, ConfigSourceOptions {
  skipTransforms?: boolean;
  /** `--no-create-topic` (env CONNECTOR_NO_CREATE_TOPIC set): never create a missing topic. */
  createTopic: boolean;
  /** `--metrics emf` (env CONNECTOR_METRICS): CloudWatch EMF metric lines on stdout. */
  metrics: MetricsOutput;
}

/**
 * `connector run (--config FILE | --config-env VAR) [--secrets FILE] [--topics local|kinesis]
 * [--stream-prefix P]`: runs one connector in the foreground until SIGINT/SIGTERM (or until the
 * source ends). `--topics kinesis` writes to Kinesis Data Streams instead of the local store.
 */
export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a connector in the foreground (Ctrl-C stops it cleanly)')
    .option('-c, --config <file>', 'connector config (YAML)')
    .option('--config-env <var>', 'read the connector config (YAML text) from this environment variable instead of a file')
    .option('-s, --secrets <file>', 'secrets file with KEY=VALUE lines (falls back to the environment)')
    .addOption(
      new Option('--topics <backend>', `where topics live: ${TOPIC_BACKENDS.map((name) => `${name} (${topicBackends[name].summary})`).join(', ')}`)
        .choices(TOPIC_BACKENDS)
        .default('local')
        .env(ConnectorEnv.TOPICS),
    )
    .addOption(new Option('--stream-prefix <prefix>', 'with --topics kinesis: stream name = prefix + topic').default('').env(ConnectorEnv.STREAM_PREFIX))
    .option('--skip-transforms', 'escape hatch: produce (a sink: deliver) the records without running the config\'s transforms')
    .addOption(new Option('--no-create-topic', 'fail when the topic is missing instead of creating it (deployed tasks: the stack creates streams)').env(ConnectorEnv.NO_CREATE_TOPIC))
    .addOption(
      new Option('--metrics <output>', `emf: print the connector's metrics as CloudWatch Embedded Metric Format lines on stdout every ${ConnectorEnv.METRICS_PERIOD_MS} ms (default 60000) and at exit (deployed tasks)`)
        .choices(METRICS_OUTPUTS)
        .default('none')
        .env(ConnectorEnv.METRICS),
    )
    .action(async (_opts, cmd: Command) => {
      const opts = cmd.optsWithGlobals<RunOptions>();
      const env = parseRuntimeEnv(process.env);
      const spec = loadSpecFrom(opts);
      const signal = stopSignal();
      const metrics = createMetrics();
      const tty = process.stderr.isTTY === true;
      const reporter = tty ? createTerminalReporter(process.stderr, metrics, `${spec.name} → ${spec.topic.name}`) : undefined;
      const log = reporter?.log ?? createJsonLogger();
      const restoreWarnings = logProcessWarnings(log);
      const unguard = guardSilentExit(log);
      const opened = await openTopics(opts, { defaultPartitionKey: spec.name, log, env }).catch((err: unknown) => {
        reporter?.stop();
        unguard();
        restoreWarnings();
        throw err;
      });
      // Deployed tasks: metric lines to stdout (→ awslogs → CloudWatch metrics); opt-in, so a local run's output stays as it was.
      const publisher = metricsPublisherOf({ ...env, [ConnectorEnv.METRICS]: opts.metrics }, spec.name, log);
      const periodic = publisher && publishPeriodically(metrics, publisher, env[ConnectorEnv.METRICS_PERIOD_MS]);
      try {
        await runConnector({
          spec,
          topics: opened.topics,
          signal,
          metrics,
          deps: { log },
          skipTransforms: opts.skipTransforms,
          createTopic: opts.createTopic,
          onStarted: () => {
            // Started by `connector deploy start`: tell the parent we are up, then detach from it.
            if (process.send) {
              process.send({ type: 'started', pid: process.pid }, () => process.disconnect?.());
            }
          },
        });
      } finally {
        unguard();
        await periodic?.stop();
        reporter?.stop();
        await opened.close();
        restoreWarnings();
      }
    });
}
