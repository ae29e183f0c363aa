import type { Command } from 'commander';
import type { CloudClients } from '../../cloud/clients';
import type { Deployment } from '../../cloud/stacks';
import type { CloudTarget, CloudTargetOptions } from '../../cloud/target';
import { UsageError } from '../../core/errors';
import { parseDuration } from '../../schema/duration';
import { stopSignal, writeOut } from '../common';

/** Side effects of `connector cloud` (tests pass clients mocked with aws-sdk-client-mock). */
export interface CloudCommandDeps {
  /** The AWS clients for a region (default: `createCloudClients`, SDK packages loaded on first use). */
  clients?: (target: CloudTarget) => CloudClients;
  /** Current time, ms (default `Date.now`). */
  now?: () => number;
  /** Time between two polls of `logs --follow`, ms. */
  followPollMs?: number;
  /** Stops `logs --follow` (default: the first SIGINT/SIGTERM). */
  followSignal?: () => AbortSignal;
}

interface CloudOptions extends CloudTargetOptions {
  name?: string;
  stack?: string;
  follow?: boolean;
  since?: string;
  log?: boolean;
}

/** Left-aligned columns, one leading space, two between columns (like `connector deploy list`). */
function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length)));
  return rows.map((row) => ` ${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ')}`.trimEnd()).join('\n') + '\n';
}

/** `2026-12-02T10:03:00Z` (whole seconds). */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The AWS operations of `connector cloud` live in lib/cloud and load the AWS SDK: they are imported
 * only when a cloud command runs, so the CLI's other commands never load the SDK.
 */
async function context(cmd: Command, deps: CloudCommandDeps): Promise<{ options: CloudOptions; target: CloudTarget; clients: CloudClients; deployment: () => Promise<Deployment> }> {
  const options = cmd.optsWithGlobals<CloudOptions>();
  const [{ resolveCloudTarget }, { createCloudClients }, { findDeployment }] = await Promise.all([import('../../cloud/target'), import('../../cloud/clients'), import('../../cloud/stacks')]);
  const target = resolveCloudTarget(options, { cwd: process.cwd(), env: process.env });
  const clients = (deps.clients ?? createCloudClients)(target);
  return { options, target, clients, deployment: () => findDeployment(clients, target) };
}

/** The connector `--name` (and `--stack`) names. */
async function named(cmd: Command, deps: CloudCommandDeps) {
  const ctx = await context(cmd, deps);
  const { connectorNamed } = await import('../../cloud/stacks');
  const connector = connectorNamed(await ctx.deployment(), ctx.options.name as string, ctx.options.stack);
  return { ...ctx, connector };
}

/**
 * `connector cloud list|shutdown|resume|invoke|logs`: the connectors `serverless deploy` deployed,
 * found through the stacks' outputs (lib/cloud), managed like `fluvio connector list|…`.
 */
export function registerCloud(program: Command, deps: CloudCommandDeps = {}): void {
  const cloud = program
    .command('cloud')
    .description('manage the connectors deployed to AWS by `serverless deploy` (like `fluvio connector`)')
    .option('--service <name>', 'Serverless service name (default: `service` of ./serverless.yml)')
    .option('--stage <stage>', 'stage it was deployed to (default: provider.stage of serverless.yml, else dev)')
    .option('--region <region>', 'AWS region (default: provider.region of serverless.yml, else AWS_REGION, else us-east-1)')
    .option('--serverless-config <file>', 'serverless.yml to read the defaults from (default ./serverless.yml)');
  const now = (): number => (deps.now ?? Date.now)();

  cloud
    .command('list')
    .description('list the deployed connectors: NAME, KIND, SCHEDULE/TASKS, STATUS, LAST ERROR (last hour)')
    .action(async (_o, cmd: Command) => {
      const { clients, deployment } = await context(cmd, deps);
      const found = await deployment();
      const { deploymentStatus } = await import('../../cloud/status');
      const status = await deploymentStatus(clients, found, { now: now() });
      const out: string[] = [];
      if (status.connectors.length === 0) {
        out.push('No connectors found\n');
      } else {
        const several = found.stacks.length > 1;
        const header = ['NAME', 'KIND', 'SCHEDULE/TASKS', 'STATUS', 'LAST ERROR', ...(several ? ['STACK'] : [])];
        const rows = status.connectors.map((row) => [row.connector.name, row.connector.kind, row.runs, row.status, row.lastError ? isoSeconds(row.lastError) : '-', ...(several ? [row.connector.stack] : [])]);
        out.push(table([header, ...rows]));
      }
      for (const row of status.connectors) if (row.detail) out.push(`${row.connector.name}: ${row.detail}\n`);
      for (const queue of status.deadLetters) out.push(`dead-letter queue of stack ${queue.stack}: ${queue.messages} failed invocation(s) waiting (${queue.url})\n`);
      for (const note of found.notes) out.push(`note: ${note}\n`);
      await writeOut(out.join(''));
    });

  for (const [verb, running, description] of [
    ['shutdown', false, 'stop a deployed connector: disable its schedule (poller), scale its service to 0 (task), disable its event source mapping (sink)'],
    ['resume', true, 'start a stopped connector again: enable its schedule, scale its service back, enable its event source mapping'],
  ] as const) {
    cloud
      .command(verb)
      .description(description)
      .requiredOption('-n, --name <name>', 'connector name (meta.name)')
      .option('--stack <stack>', 'the stack, when the name is in two (during a change of groups)')
      .action(async (_o, cmd: Command) => {
        const { clients, connector } = await named(cmd, deps);
        const { setRunning } = await import('../../cloud/control');
        await writeOut(`${running ? 'Resuming' : 'Shutting down'} connector: ${connector.name}\n`);
        const result = await setRunning(clients, connector, running);
        await writeOut(result.changed ? `${result.resource}: ${result.before} -> ${result.after}\n` : `${result.resource} is already ${result.after}: nothing to do\n`);
      });
  }

  cloud
    .command('invoke')
    .description('run one window of a deployed poller now (Lambda Invoke) and print the window report')
    .requiredOption('-n, --name <name>', 'connector name (meta.name)')
    .option('--stack <stack>', 'the stack, when the name is in two (during a change of groups)')
    .option('--log', 'also print the end of the invocation\'s log (stderr)')
    .action(async (_o, cmd: Command) => {
      const { clients, connector, target, options } = await named(cmd, deps);
      const { invokeWindow } = await import('../../cloud/invoke');
      process.stderr.write(`Invoking ${'function' in connector ? connector.function : connector.name} for one window (this takes as long as the window)...\n`);
      const result = await invokeWindow(clients, connector, { region: target.region, now: now() });
      if (options.log && result.logTail) process.stderr.write(`${result.logTail.trimEnd()}\n`);
      await writeOut(`${JSON.stringify(result.report, null, 2)}\n`);
    });

  cloud
    .command('logs')
    .description('print the CloudWatch Logs of a deployed connector\'s function or task')
    .requiredOption('-n, --name <name>', 'connector name (meta.name)')
    .option('--stack <stack>', 'the stack, when the name is in two (during a change of groups)')
    .option('-f, --follow', 'keep printing new log events until Ctrl-C')
    .option('--since <duration>', 'how far back to start (humantime: 10m, 1h, 2d)', '10m')
    .action(async (_o, cmd: Command) => {
      const { clients, connector, options } = await named(cmd, deps);
      const since = parseDuration(options.since ?? '10m');
      if (since === undefined) throw new UsageError(`--since "${options.since}": expected a duration such as 10m, 1h or 2d`);
      const { followLogs, readLogs } = await import('../../cloud/logs');
      const startMs = now() - since;
      const format = (line: { timestamp: number; message: string }): string => `${new Date(line.timestamp).toISOString()} ${line.message}\n`;
      if (!options.follow) {
        const lines = await readLogs(clients, connector, { startMs });
        await writeOut(lines.length === 0 ? `No log events in ${connector.logGroup} since ${new Date(startMs).toISOString()}\n` : lines.map(format).join(''));
        return;
      }
      const signal = (deps.followSignal ?? stopSignal)();
      for await (const line of followLogs(clients, connector, { startMs, signal, ...(deps.followPollMs !== undefined ? { pollMs: deps.followPollMs } : {}) })) await writeOut(format(line));
    });
}
