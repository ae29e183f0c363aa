import { Command, InvalidArgumentError } from 'commander';
import { benchDeploy } from './deploy';
import { benchHttp } from './http';
import { benchMqtt } from './mqtt';
import type { BenchResult } from './result';
import { benchSinks } from './sinks';
import { benchLocalStore } from './store';
import { benchTransforms } from './transforms';

/** Benchmark suites by name: `npm run bench -- <name…>` runs only those (all when none is named). */
export const SUITES = {
  http: () => benchHttp(),
  store: () => benchLocalStore(),
  deploy: () => benchDeploy(),
  transforms: () => benchTransforms(),
  sinks: () => benchSinks(),
  mqtt: () => benchMqtt(),
} as const satisfies Record<string, () => Promise<BenchResult[]>>;

export type SuiteName = keyof typeof SUITES;

/** Formats benchmark results as a Markdown table (the README keeps a copy of the last run). */
export function formatTable(results: readonly BenchResult[]): string {
  const fmt = (n: number): string => (Math.abs(n) >= 100 || Number.isInteger(n) ? Math.round(n).toLocaleString('en-US') : n.toFixed(2));
  const rows = results.map((r) => {
    const baseline = r.baseline ? `${fmt(r.baseline.value)} (${r.baseline.name})` : '';
    const ratio = r.ratio === undefined ? '' : r.ratio.toFixed(2);
    return `| ${r.name} | ${fmt(r.value)} ${r.unit} | ${baseline} | ${ratio} | ${r.target ?? ''} |`;
  });
  return ['| benchmark | measured | same-run baseline | ratio | target |', '|---|---|---|---|---|', ...rows].join('\n');
}

const isSuite = (name: string): name is SuiteName => Object.hasOwn(SUITES, name);

/**
 * `npm run bench [-- suite…]`: the named suites (`http`, `store`, `deploy`, `transforms`, `sinks`, `mqtt`; default all), in that
 * order, one table. Figures, not pass/fail tests.
 */
async function main(argv: string[]): Promise<void> {
  const program = new Command('bench')
    .description('Runs the benchmarks and prints one Markdown table (figures, not pass/fail tests).')
    .argument('[suites...]', `suites to run: ${Object.keys(SUITES).join(', ')} (default: all)`, (name: string, previous: SuiteName[] = []) => {
      if (!isSuite(name)) throw new InvalidArgumentError(`unknown suite "${name}"; expected one of ${Object.keys(SUITES).join(', ')}`);
      return [...previous, name];
    })
    .parse(argv);
  const named = (program.processedArgs[0] as SuiteName[] | undefined) ?? [];
  const suites = (Object.keys(SUITES) as SuiteName[]).filter((name) => named.length === 0 || named.includes(name));
  const results: BenchResult[] = [];
  for (const name of suites) results.push(...(await SUITES[name]()));
  process.stdout.write(`${formatTable(results)}\n`);
}

if (require.main === module) {
  main(process.argv).catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  });
}
