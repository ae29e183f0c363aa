import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse, stringify } from 'yaml';
import { artifactOf, REPO, runServerless, type ServiceDir, serviceDir } from '../../scripts/service-dir';

/** The poller's function key in the repository's configs (`configs/quotes-periodic.yaml`). */
export const POLLER_FUNCTION = 'quotesPeriodic';
/** The baseline handler: the smallest middy function (what every middy Lambda pays for). */
export const BASELINE_HANDLER_SOURCE = "import middy from '@middy/core';\nexport const handler = middy(async () => ({ ok: true }));\n";

/** Zips of one `serverless package` run. */
export interface PackagedService {
  service: ServiceDir;
  /** Wall time of `serverless package`, ms. */
  wallMs: number;
  /** Path of the zip the function runs (`.serverless/<name>.zip`, shared by the functions of its kind). */
  zip: string;
  /** Path of the handler module inside the zip (`functions/poller.js`). */
  moduleInZip: string;
}

/** Packages `service` `runs` times (the first ones warm the file cache up); times the last run. */
async function packageService(service: ServiceDir, functionKey: string, moduleInZip: string, what: string, runs = 1): Promise<PackagedService> {
  let wallMs = 0;
  let zip = '';
  for (let run = 0; run < runs; run++) {
    const t0 = performance.now();
    const result = await runServerless(service.dir, ['package'], {}, 120_000);
    wallMs = performance.now() - t0;
    zip = result.code === 0 ? artifactOf(service.dir, functionKey) : '';
    if (result.code !== 0 || !existsSync(zip)) {
      service.cleanup();
      throw new Error(`serverless package of ${what} failed (exit ${result.code}, the zip of ${functionKey} ${zip !== '' && existsSync(zip) ? 'written' : 'missing'}):\n${result.stdout}${result.stderr}`);
    }
  }
  return { service, wallMs, zip, moduleInZip };
}

/**
 * `serverless package` of a throwaway copy of the repository's service with its own configs/
 * (6 configs: 2 periodic functions, 1 sink function, 3 Fargate services), twice: the second run's wall time is the
 * baseline of the many-configs benchmark, the zip quotesPeriodic runs (shared by every poller) the poller bundle.
 * @throws Error with osls's output when packaging fails.
 */
export function packageRepoService(): Promise<PackagedService> {
  return packageService(serviceDir(), POLLER_FUNCTION, 'functions/poller.js', "the repository's configs", 2);
}

/**
 * `serverless package` of a one-function service whose handler is {@link BASELINE_HANDLER_SOURCE},
 * with the repository's `provider.runtime`, `plugins`, `package` and `custom.esbuild` (same esbuild
 * options and plugins file, same bestzip `nativeZip` archiving): the baseline bundle.
 * @throws Error with osls's output when packaging fails.
 */
export function packageBaselineService(): Promise<PackagedService> {
  const repo = parse(readFileSync(join(REPO, 'serverless.yml'), 'utf8')) as {
    provider: { runtime: string };
    plugins: string[];
    package: unknown;
    custom: { esbuild: unknown };
  };
  const yml = stringify({
    service: 'bench-baseline',
    provider: { name: 'aws', runtime: repo.provider.runtime, region: 'us-east-1', stage: 'dev', versionFunctions: false },
    plugins: repo.plugins,
    package: repo.package,
    custom: { esbuild: repo.custom.esbuild },
    functions: { baseline: { handler: 'baseline.handler' } },
  });
  const service = serviceDir({ configs: {}, editYml: () => yml });
  writeFileSync(join(service.dir, 'baseline.ts'), BASELINE_HANDLER_SOURCE);
  return packageService(service, 'baseline', 'baseline.js', 'the minimal middy handler');
}
