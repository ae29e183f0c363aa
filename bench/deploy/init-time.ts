import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO } from '../../scripts/service-dir';

/** A Lambda bundle to load: its zip and the handler module inside it. */
export interface InitSubject {
  name: string;
  zip: string;
  moduleInZip: string;
  /** Extra environment of its children (e.g. the function's `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`). */
  env?: NodeJS.ProcessEnv;
}

/** Require times of one subject, ms, one entry per child process. */
export interface InitTimes {
  /** Externals the bundle requires (`@aws-sdk/*`, `@smithy/*`, `debug`), found in its code. */
  externals: string[];
  /** `require()` of the handler module, externals included (what a cold start pays). */
  full: number[];
  /** The same with the externals required before the timer starts (the bundle's own code). */
  withoutExternals: number[];
  /** The externals the module's `require()` itself loads (the others are loaded later, when needed). */
  loadedExternals: string[];
  /** `require()` of {@link loadedExternals} alone in a fresh process (what the runtime's AWS SDK costs a cold start). */
  externalsOnly: number[];
}

const EXTERNAL_REQUIRE = /require\(["']((?:@aws-sdk|@smithy)\/[^"']+|debug)["']\)/g;

/** Externals required by a bundle's code (`require("@aws-sdk/…")`), sorted, without duplicates. */
export function externalsOf(code: string): string[] {
  return [...new Set([...code.matchAll(EXTERNAL_REQUIRE)].map((match) => match[1]!))].sort();
}

/**
 * Module init time of Lambda bundles: each zip is extracted (system `unzip`) to a temp dir, then
 * `runs` fresh Node processes per subject and variant `require()` the handler module, timed inside
 * the child (bench/deploy/require-timer). The children run with `NODE_PATH=<repo>/node_modules`
 * and the extracted dir as cwd, as the Lambda runtime provides the AWS SDK through NODE_PATH.
 * Subjects and variants are interleaved run by run, after one discarded warm-up run each (file cache).
 * @throws Error when `unzip` is missing or a child fails.
 */
export function measureInitTimes(subjects: readonly InitSubject[], runs: number): Map<string, InitTimes> {
  const root = mkdtempSync(join(tmpdir(), 'bench-init-'));
  const timer = join(__dirname, 'require-timer.js');
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_PATH: join(REPO, 'node_modules') };
  delete env.NODE_OPTIONS;
  try {
    const envOf = (subject: InitSubject): NodeJS.ProcessEnv => ({ ...env, ...subject.env });
    const prepared = subjects.map((subject, index) => {
      const dir = join(root, String(index));
      execFileSync('unzip', ['-q', subject.zip, '-d', dir]);
      const file = join(dir, subject.moduleInZip);
      const externals = externalsOf(readFileSync(file, 'utf8'));
      // Which externals the require itself loads (e.g. not the secrets middlewares' SDK clients, loaded only for configs with secrets).
      const probe = JSON.parse(execFileSync(process.execPath, [timer, file], { cwd: dir, env: { ...envOf(subject), REQUIRE_TIMER_WATCH: externals.join(',') }, encoding: 'utf8' })) as { loaded: string[] };
      // Next to the handler, so the externals resolve exactly as the bundle resolves them.
      const externalsFile = join(dirname(file), '__externals.js');
      writeFileSync(externalsFile, probe.loaded.map((name) => `require(${JSON.stringify(name)});`).join('\n'));
      return { subject, dir, file, externals, loadedExternals: probe.loaded, externalsFile };
    });
    const time = (dir: string, file: string, preload: string[], childEnv: NodeJS.ProcessEnv = env): number => {
      const out = execFileSync(process.execPath, [timer, file, ...preload], { cwd: dir, env: childEnv, encoding: 'utf8' });
      return (JSON.parse(out) as { ms: number }).ms;
    };
    const times = new Map<string, InitTimes>(
      prepared.map((p) => [p.subject.name, { externals: p.externals, loadedExternals: p.loadedExternals, full: [], withoutExternals: [], externalsOnly: [] }]),
    );
    for (let run = -1; run < runs; run++) {
      for (const { subject, dir, file, externals, externalsFile } of prepared) {
        const full = time(dir, file, [], envOf(subject));
        const own = time(dir, file, externals, envOf(subject));
        const sdk = time(dir, externalsFile, []);
        if (run < 0) continue;
        times.get(subject.name)!.full.push(full);
        times.get(subject.name)!.withoutExternals.push(own);
        times.get(subject.name)!.externalsOnly.push(sdk);
      }
    }
    return times;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
