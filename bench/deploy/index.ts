import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { BenchResult } from '../result';
import { packageBaselineService, packageRepoService, type PackagedService } from './bundles';
import { benchSlotDrift } from './drift';
import { measureColdStarts } from './cold-start';
import { measureInitTimes } from './init-time';
import { benchManyConfigs } from './many-configs';
import { median, round } from './stats';

/** 1 KB in the zip-size rows, bytes (as serverless-esbuild reports sizes). */
const KB = 1024;

/** The function memory below which the poller loads the SDK at init (`FULL_VCPU_MEMORY_MB` of functions/poller.ts). */
const FULL_VCPU_MB = '1,769 MB';

/** Zip size and module init time of the poller bundle against the minimal middy bundle. */
function bundleRows(poller: PackagedService, baseline: PackagedService, initRuns: number): BenchResult[] {
  const pollerKb = statSync(poller.zip).size / KB;
  const baselineKb = statSync(baseline.zip).size / KB;
  const times = measureInitTimes(
    [
      { name: 'poller', zip: poller.zip, moduleInZip: poller.moduleInZip },
      { name: 'poller-256', zip: poller.zip, moduleInZip: poller.moduleInZip, env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256' } },
      { name: 'baseline', zip: baseline.zip, moduleInZip: baseline.moduleInZip },
    ],
    initRuns,
  );
  const p = times.get('poller')!;
  const p256 = times.get('poller-256')!;
  const b = times.get('baseline')!;
  const [full, full256, baseFull, own, baseOwn, sdk] = [median(p.full), median(p256.full), median(b.full), median(p.withoutExternals), median(b.withoutExternals), median(p256.externalsOnly)];
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
      name: `poller module init: require() of functions/poller.js in a fresh process, SDK via NODE_PATH, median of ${initRuns} (no AWS_LAMBDA_FUNCTION_MEMORY_SIZE, as a function of ≥ ${FULL_VCPU_MB}: the SDK loads in the first poll's network wait; externals loaded: ${p.loadedExternals.join(', ') || 'none'})`,
      value: round(full),
      unit: 'ms',
      baseline: { name: minimal, value: round(baseFull) },
      ratio: full / baseFull,
      target: '≤ 50 ms',
    },
    {
      name: `the same with AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256 (the default memorySize; below ${FULL_VCPU_MB} the SDK loads at init, in the init phase's full vCPU), median of ${initRuns}`,
      value: round(full256),
      unit: 'ms',
      baseline: { name: minimal, value: round(baseFull) },
      ratio: full256 / baseFull,
      // The SDK (the row after next) loads here on purpose: init runs at a full vCPU, the invocation at 256/1,769 of one.
      target: 'none: ≤ 50 ms is for ≥ 1,769 MB; below it the SDK loads at init on purpose',
    },
    {
      name: `poller module init without the SDK (${p.externals.length} externals required first: ${p.externals.join(', ')}), median of ${initRuns}`,
      value: round(own),
      unit: 'ms',
      baseline: { name: minimal, value: round(baseOwn) },
      ratio: own / baseOwn,
    },
    {
      name: `the part of it that is the runtime's AWS SDK: the externals the 256 MB poller's require loads (${p256.loadedExternals.join(', ')}), required alone in a fresh process, median of ${initRuns}`,
      value: round(sdk),
      unit: 'ms',
      baseline: { name: 'poller module init at 256 MB, SDK included', value: round(full256) },
      ratio: sdk / full256,
    },
  ];
}

/**
 * Cold start to the first record (fresh process: require + first invocation's first poll + its
 * PutRecords to kinesalite; see measureColdStarts), the SDK loaded in the first poll's network
 * wait against loaded at init (the order before this change), per endpoint delay.
 */
async function coldStartRows(poller: PackagedService, runs: number): Promise<BenchResult[]> {
  const delays = [0, 50];
  const atInit = { name: 'at-init', env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256' } };
  const overlapped = { name: 'overlapped', env: { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048' } };
  // BENCH_BEFORE_ZIP: a poller zip of an earlier commit (`functions/poller.js` inside), measured in the same run.
  const beforeZip = process.env.BENCH_BEFORE_ZIP;
  const before = beforeZip ? [{ name: 'before', env: {}, zip: beforeZip }] : [];
  const results = await measureColdStarts(poller.zip, [atInit, overlapped, ...before], delays, runs);
  return delays.flatMap((delay) => {
    const byVariant = results.get(delay)!;
    const [late, early] = [byVariant.get('overlapped')!, byVariant.get('at-init')!];
    const [total, baseTotal] = [median(late.map((r) => r.totalMs)), median(early.map((r) => r.totalMs))];
    const [req, baseReq] = [median(late.map((r) => r.requireMs)), median(early.map((r) => r.requireMs))];
    const old = byVariant.get('before');
    const oldTotal = old ? median(old.map((r) => r.totalMs)) : 0;
    const vsBefore: BenchResult[] = old
      ? [
          { name: `the same (${delay} ms endpoint), SDK loaded in the poll's network wait, against the poller of BENCH_BEFORE_ZIP (${basename(beforeZip!)}), median of ${runs}`, value: round(total), unit: 'ms', baseline: { name: 'before', value: round(oldTotal) }, ratio: total / oldTotal },
          { name: `the same (${delay} ms endpoint), SDK loaded at init (256 MB), against the poller of BENCH_BEFORE_ZIP, median of ${runs}`, value: round(baseTotal), unit: 'ms', baseline: { name: 'before', value: round(oldTotal) }, ratio: baseTotal / oldTotal },
        ]
      : [];
    return [
      {
        name: `cold start to the first record: fresh process, require() of functions/poller.js + first invocation (one poll of a local endpoint answering after ${delay} ms, its record through the real SDK to kinesalite: DescribeStreamSummary + PutRecords), SDK loaded in the poll's network wait (memory 2,048 MB); require ${round(req)} ms of it (${round(baseReq)} at init), median of ${runs}`,
        value: round(total),
        unit: 'ms',
        baseline: { name: `the same, SDK loaded at init (memory 256 MB)`, value: round(baseTotal) },
        ratio: total / baseTotal,
      },
      ...vsBefore,
    ];
  });
}

/**
 * The deployment benchmarks of issue #3 (`npm run bench -- deploy`): poller zip size, module init
 * time (both ways of loading the SDK), cold start to the first record, slot timing inside a window,
 * `serverless package` of 1,000 configs. Figures, not pass/fail
 * tests. Needs a build (`dist/`, which serverless.yml's generator loads) and the system `zip` and
 * `unzip`; about 2-3 minutes on 2 cores.
 * @param options.initRuns - child processes per init-time figure (default 20).
 * @param options.coldStartRuns - child processes per cold-start figure (default 15). With
 *   `BENCH_BEFORE_ZIP=<zip>` in the environment, the cold-start rows also run that poller zip (e.g. of
 *   an earlier commit) in the same run, interleaved.
 * @param options.configs - configs of the many-configs benchmark (default 1,000).
 */
export async function benchDeploy(options: { initRuns?: number; coldStartRuns?: number; configs?: number } = {}): Promise<BenchResult[]> {
  const repo = await packageRepoService();
  try {
    const baseline = await packageBaselineService();
    try {
      return [
        ...bundleRows(repo, baseline, options.initRuns ?? 20),
        ...(await coldStartRows(repo, options.coldStartRuns ?? 15)),
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
