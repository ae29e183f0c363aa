import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startQuoteServer } from './quote-server';

/**
 * `npm run demo`: the everyday loop, offline. Starts a local quote endpoint (periodic and
 * streaming), runs the two seed configs `configs/quotes-periodic.yaml` and
 * `configs/quotes-stream.yaml` against it as background connectors, waits for records, shuts
 * them down and prints the `quotes` topic. Uses a fresh data directory under the OS temp dir.
 */
async function demo(): Promise<void> {
  const root = resolve(__dirname, '../..');
  const cli = join(root, 'bin', 'connector.js');
  const work = mkdtempSync(join(tmpdir(), 'connector-demo-'));
  const dataDir = join(work, 'data');
  const server = await startQuoteServer();
  const connector = (...args: string[]): string =>
    execFileSync(process.execPath, [cli, '--data-dir', dataDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const say = (text: string): void => void process.stdout.write(`${text}\n`);

  say(`# local quote endpoint: ${server.url} (stands in for https://demo-data.infinyon.com)`);
  const configs = ['quotes-periodic', 'quotes-stream'].map((name) => {
    const text = readFileSync(join(root, 'configs', `${name}.yaml`), 'utf8').replace(/https:\/\/demo-data\.infinyon\.com/g, server.url);
    const file = join(work, `${name}.yaml`);
    writeFileSync(file, text);
    return { name, file };
  });
  try {
    for (const c of configs) {
      say(`\n$ connector deploy start --config configs/${c.name}.yaml   # endpoint pointed at ${server.url}`);
      process.stdout.write(connector('deploy', 'start', '--config', c.file));
    }
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && ((server.hits['/api/quote'] ?? 0) < 3 || countRecords(connector) < 8)) {
      await new Promise((r) => setTimeout(r, 200));
    }
    say('\n$ connector deploy list');
    process.stdout.write(connector('deploy', 'list'));
    for (const c of configs) {
      say(`\n$ connector deploy shutdown --name ${c.name}`);
      process.stdout.write(connector('deploy', 'shutdown', '--name', c.name));
    }
    say('\n$ connector consume quotes -B -d');
    process.stdout.write(connector('consume', 'quotes', '-B', '-d'));
    say(`\n# ${countRecords(connector)} records in topic "quotes": ${server.hits['/api/quote'] ?? 0} periodic polls, ${server.hits['/api/stream-quote'] ?? 0} stream connection(s) (data dir ${dataDir})`);
  } finally {
    await server.close();
  }
}

function countRecords(connector: (...args: string[]) => string): number {
  try {
    return connector('consume', 'quotes', '-B', '-d', '-O', 'json').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

demo().catch((err: unknown) => {
  process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
