import { formatTable } from './index';
import { benchLocalStore } from './store';

/**
 * Runs only the local store benchmark and prints its table:
 * `npm run build && node dist/bench/store-main.js [records]`.
 */
async function main(): Promise<void> {
  const arg = process.argv[2];
  const records = arg === undefined ? undefined : Number(arg);
  if (records !== undefined && !(Number.isInteger(records) && records > 0)) throw new Error(`records: expected a positive integer, got "${arg}"`);
  process.stdout.write(`${formatTable(await benchLocalStore({ records }))}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
