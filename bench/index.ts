import { benchHttp } from './http';
import type { BenchResult } from './result';
import { benchLocalStore } from './store';

/** Formats benchmark results as a Markdown table (the README keeps a copy of the last run). */
export function formatTable(results: readonly BenchResult[]): string {
  const fmt = (n: number): string => (Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  const rows = results.map((r) => {
    const baseline = r.baseline ? `${fmt(r.baseline.value)} (${r.baseline.name})` : '';
    const ratio = r.ratio === undefined ? '' : r.ratio.toFixed(2);
    return `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${baseline} | ${ratio} | ${r.target ?? ''} |`;
  });
  return ['| benchmark | measured | same-run baseline | ratio | target |', '|---|---|---|---|---|', ...rows].join('\n');
}

/** `npm run bench`: every benchmark, one table. Figures, not pass/fail tests. */
async function main(): Promise<void> {
  const results: BenchResult[] = [];
  results.push(...(await benchHttp()));
  results.push(...(await benchLocalStore()));
  process.stdout.write(`${formatTable(results)}\n`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
