import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ConnectorError, ErrorCode } from '../../core/errors';
import { dataDirOf, type GlobalOptions, loadSpec, writeOut } from '../common';
import { BackgroundIndex, isAlive } from '../background';

interface StartOptions extends GlobalOptions {
  config: string;
  secrets?: string;
  skipTransforms?: boolean;
}

/** How long `deploy start` waits for the background connector to report that it started. */
const START_TIMEOUT_MS = 30_000;
/** How long `deploy shutdown` waits for the connector to flush and exit before SIGKILL. */
const SHUTDOWN_TIMEOUT_MS = 20_000;

/**
 * `connector deploy start|list|shutdown|log`: background connectors, like Fluvio's `cdk deploy`.
 */
export function registerBackground(program: Command): void {
  // The verb is Fluvio's (`cdk deploy start`); in code these are background connectors, not lib/deploy.
  const verb = program.command('deploy').description('run connectors in the background (like `cdk deploy`)');

  verb
    .command('start')
    .description('start a connector in the background; its output goes to a log file')
    .requiredOption('-c, --config <file>', 'connector config (YAML)')
    .option('-s, --secrets <file>', 'secrets file with KEY=VALUE lines')
    .option('--skip-transforms', 'escape hatch: produce (a sink: deliver) the records without running the config\'s transforms')
    .action(async (_o, cmd: Command) => {
      const opts = cmd.optsWithGlobals<StartOptions>();
      const spec = loadSpec(opts.config, opts.secrets); // bad config: exit 2 before anything is spawned
      const dataDir = dataDirOf(opts);
      await withIndex(cmd, async (index) => {
        const started = await index.exclusive(async () => {
          const existing = index.get(spec.name);
          if (existing && isAlive(existing.pid)) {
            throw new ConnectorError(
              `Connector with name ${spec.name} is already running (pid ${existing.pid}); shut it down first with \`connector deploy shutdown --name ${spec.name}\``,
              ErrorCode.CONNECTOR_ALREADY_RUNNING,
            );
          }
          mkdirSync(join(dataDir, 'logs'), { recursive: true });
          const logFile = join(dataDir, 'logs', `${spec.name}.log`);
          const config = resolve(opts.config);
          const pid = await spawnConnector({ ...opts, config, secrets: opts.secrets && resolve(opts.secrets) }, dataDir, logFile);
          const connector = { name: spec.name, pid, config, logFile, startedAt: Date.now() };
          index.put(connector);
          return connector;
        });
        await writeOut(`Log file: ${started.logFile}\nConnector runs with process id: ${started.pid}\nStarted connector \`${started.name}\`\n`);
      });
    });

  verb
    .command('list')
    .description('list background connectors and whether they are running')
    .action((_o, cmd: Command) =>
      withIndex(cmd, async (index) => {
        const rows = index.list().map((d) => [d.name, isAlive(d.pid) ? 'Running' : 'Stopped'] as const);
        if (rows.length === 0) return writeOut('No connectors found\n');
        const width = Math.max(4, ...rows.map(([n]) => n.length));
        await writeOut([['NAME', 'STATUS'] as const, ...rows].map(([n, s]) => ` ${n.padEnd(width)}  ${s}`).join('\n') + '\n');
      }),
    );

  verb
    .command('shutdown')
    .description('stop a background connector (SIGTERM: it finishes the in-flight record and flushes)')
    .requiredOption('-n, --name <name>', 'connector name (meta.name)')
    .action((_o, cmd: Command) =>
      withIndex(cmd, async (index, opts) => {
        const d = index.require(opts.name!);
        await writeOut(`Shutting down connector: ${d.name}\npid: ${d.pid}\nLog File: ${d.logFile}\n`);
        if (isAlive(d.pid)) {
          process.kill(d.pid, 'SIGTERM');
          const deadline = Date.now() + SHUTDOWN_TIMEOUT_MS;
          while (isAlive(d.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
          if (isAlive(d.pid)) {
            process.kill(d.pid, 'SIGKILL');
            process.stderr.write(`connector ${d.name} did not stop within ${SHUTDOWN_TIMEOUT_MS} ms; killed\n`);
          }
        }
        index.remove(d.name);
      }),
    );

  verb
    .command('log')
    .description("print a background connector's log file")
    .requiredOption('-n, --name <name>', 'connector name (meta.name)')
    .action((_o, cmd: Command) =>
      withIndex(cmd, async (index, opts) => {
        const d = index.require(opts.name!);
        if (existsSync(d.logFile)) await writeOut(readFileSync(d.logFile));
      }),
    );
}

/** Opens the background index of the command's data dir for `fn`, and closes it after. */
async function withIndex<T>(cmd: Command, fn: (index: BackgroundIndex, opts: GlobalOptions & { name?: string }) => Promise<T>): Promise<T> {
  const opts = cmd.optsWithGlobals<GlobalOptions & { name?: string }>();
  const index = new BackgroundIndex(dataDirOf(opts));
  try {
    return await fn(index, opts);
  } finally {
    index.close();
  }
}

/**
 * Spawns `connector run` detached, with stdout/stderr appended to `logFile`, and waits until it
 * reports that it started (over IPC) or exits.
 * @returns the child's pid.
 * @throws ConnectorError when the child exits or stays silent before starting; the message
 *   includes the end of its log.
 */
function spawnConnector(opts: StartOptions, dataDir: string, logFile: string): Promise<number> {
  const fd = openSync(logFile, 'a');
  const args = [process.argv[1]!, 'run', '--config', opts.config, '--data-dir', dataDir];
  if (opts.secrets) args.push('--secrets', opts.secrets);
  if (opts.skipTransforms) args.push('--skip-transforms');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd, 'ipc'], env: process.env });
  closeSync(fd);
  return new Promise((resolvePid, reject) => {
    const fail = (why: string): void => {
      const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      reject(new ConnectorError(`connector did not start (${why}). End of ${logFile}:\n${tail}`, ErrorCode.CONNECTOR_START_FAILED));
    };
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      fail(`no start report within ${START_TIMEOUT_MS} ms`);
    }, START_TIMEOUT_MS);
    child.once('message', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      if (child.connected) child.disconnect();
      child.unref();
      resolvePid(child.pid!);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      fail(`exited with ${signal ?? `code ${code}`}`);
    });
  });
}
