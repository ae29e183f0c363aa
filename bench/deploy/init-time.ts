import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from '../../scripts/service-dir';

/** A Lambda bundle to load: its zip and the handler module inside it. */
export interface InitSubject {
  name: string;
  zip: string;
  moduleInZip: string;
}

/** Require times of one subject, ms, one entry per child process. */
export interface InitTimes {
  /** Externals the bundle requires (`@aws-sdk/*`, `@smithy/*`, `debug`), found in its code. */
  externals: string[];
  /** `require()` of the handler module, externals included (what a cold start pays). */
  full: number[];
  /** The same with the externals required before the timer starts (the bundle's own code). */
  withoutExternals: number[];
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
    const prepared = subjects.map((subject, index) => {
      const dir = join(root, String(index));
      execFileSync('unzip', ['-q', subject.zip, '-d', dir]);
      const file = join(dir, subject.moduleInZip);
      return { subject, dir, file, externals: externalsOf(readFileSync(file, 'utf8')) };
    });
    const time = (dir: string, file: string, preload: string[]): number => {
      const out = execFileSync(process.execPath, [timer, file, ...preload], { cwd: dir, env, encoding: 'utf8' });
      return (JSON.parse(out) as { ms: number }).ms;
    };
    const times = new Map<string, InitTimes>(prepared.map((p) => [p.subject.name, { externals: p.externals, full: [], withoutExternals: [] }]));
    for (let run = -1; run < runs; run++) {
      for (const { subject, dir, file, externals } of prepared) {
        const full = time(dir, file, []);
        const own = time(dir, file, externals);
        if (run < 0) continue;
        times.get(subject.name)!.full.push(full);
        times.get(subject.name)!.withoutExternals.push(own);
      }
    }
    return times;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
