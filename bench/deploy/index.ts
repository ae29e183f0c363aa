import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { BenchResult } from '../result';
import { packageBaselineService, packageRepoService, type PackagedService } from './bundles';
import { benchSlotDrift } from './drift';
import { measureInitTimes } from './init-time';
import { benchManyConfigs } from './many-configs';
import { median, round } from './stats';

/** 1 KB in the zip-size rows, bytes (as serverless-esbuild reports sizes). */
const KB = 1024;

/** Zip size and module init time of the poller bundle against the minimal middy bundle. */
function bundleRows(poller: PackagedService, baseline: PackagedService, initRuns: number): BenchResult[] {
  const pollerKb = statSync(poller.zip).size / KB;
  const baselineKb = statSync(baseline.zip).size / KB;
  const times = measureInitTimes(
    [
      { name: 'poller', zip: poller.zip, moduleInZip: poller.moduleInZip },
      { name: 'baseline', zip: baseline.zip, moduleInZip: baseline.moduleInZip },
    ],
    initRuns,
  );
  const p = times.get('poller')!;
  const b = times.get('baseline')!;
  const [full, baseFull, own, baseOwn, sdk] = [median(p.full), median(b.full), median(p.withoutExternals), median(b.withoutExternals), median(p.externalsOnly)];
  const minimal = 'minimal middy handler, same esbuild options';
  return [
    {
      name: `poller function zip (the one every poller shares, here ${basename(poller.zip)}; 1 KB = 1,024 B)`,
      value: round(pollerKb, 1),
      unit: 'KB',
      baseline: { name: minimal, value: round(baselineKb, 1) },
      ratio: pollerKb / baselineKb,
      target: '≤ 150 KB',
    },
    {
      name: `poller module init: require() of functions/poller.js in a fresh process, SDK via NODE_PATH, median of ${initRuns}`,
      value: round(full),
      unit: 'ms',
      baseline: { name: minimal, value: round(baseFull) },
      ratio: full / baseFull,
      target: '≤ 50 ms',
    },
    {
      name: `poller module init without the SDK (${p.externals.length} externals required first: ${p.externals.join(', ')}), median of ${initRuns}`,
      value: round(own),
      unit: 'ms',
      baseline: { name: minimal, value: round(baseOwn) },
      ratio: own / baseOwn,
    },
    {
      name: `the part of it that is the runtime's AWS SDK: the externals the poller's require loads (${p.loadedExternals.join(', ')}), required alone in a fresh process, median of ${initRuns}`,
      value: round(sdk),
      unit: 'ms',
      baseline: { name: 'poller module init, SDK included', value: round(full) },
      ratio: sdk / full,
    },
  ];
}

/**
 * The deployment benchmarks of issue #3 (`npm run bench -- deploy`): poller zip size, module init
 * time, slot timing inside a window, `serverless package` of 1,000 configs. Figures, not pass/fail
 * tests. Needs a build (`dist/`, which serverless.yml's generator loads) and the system `zip` and
 * `unzip`; about 2-3 minutes on 2 cores.
 * @param options.initRuns - child processes per init-time figure (default 20).
 * @param options.configs - configs of the many-configs benchmark (default 1,000).
 */
export async function benchDeploy(options: { initRuns?: number; configs?: number } = {}): Promise<BenchResult[]> {
  const repo = await packageRepoService();
  try {
    const baseline = await packageBaselineService();
    try {
      return [
        ...bundleRows(repo, baseline, options.initRuns ?? 20),
        ...(await benchSlotDrift()),
        ...(await benchManyConfigs({ count: options.configs ?? 1_000, repoPackageMs: repo.wallMs })),
      ];
    } finally {
      baseline.service.cleanup();
    }
  } finally {
    repo.service.cleanup();
  }
}
