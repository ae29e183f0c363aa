import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { type CachedCalls, createArtifactCache } from '../../../scripts/artifact-cache';
import { zipFiles } from '../../support/zip';

/** serverless-esbuild's own zip (what its pack step calls per function). */
const { zip: realZip } = require('serverless-esbuild/dist/utils') as { zip: CachedCalls['zip'] };

/** One build as serverless-esbuild's bundle step makes it: `context(options)`, then `rebuild()`. */
async function bundle(cache: CachedCalls, dir: string): Promise<string> {
  const context = await cache.context({ entryPoints: ['handler.ts'], outdir: join(dir, 'out'), bundle: true, minify: true, platform: 'node', absWorkingDir: dir, logLevel: 'silent' });
  await context.rebuild();
  await context.dispose();
  return readFileSync(join(dir, 'out', 'handler.js'), 'utf8');
}

describe('scripts/artifact-cache (sls:groups package: one bundle and one zip per kind of function)', () => {
  let dir: string;
  let cache: CachedCalls;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'artifact-cache-'));
    writeFileSync(join(dir, 'handler.ts'), "import { answer } from './answer';\nexport const handler = async () => answer * 2;\n");
    writeFileSync(join(dir, 'answer.ts'), 'export const answer = 21;\n');
    cache = createArtifactCache(esbuild, realZip);
  });

  afterEach(() => {
    cache.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('should run esbuild once for the same entry and options, and write the same bundle again from the cache', async () => {
    // Act
    const first = await bundle(cache, dir);
    rmSync(join(dir, 'out'), { recursive: true });
    const second = await bundle(cache, dir);

    // Assess
    expect(second).toBe(first);
    expect(first).toContain('async()=>42'); // esbuild folded 21 * 2
    expect(cache.takeStats()).toEqual({ bundlesBuilt: 1, bundlesReused: 1, zipsMade: 0, zipsReused: 0 });
  });

  it('should run esbuild again when a file the bundle was made of changed, or an option differs', async () => {
    // Prepare
    await bundle(cache, dir);

    // Act
    writeFileSync(join(dir, 'answer.ts'), 'export const answer = 4321;\n');
    const changed = await bundle(cache, dir);
    const other = await cache.context({ entryPoints: ['handler.ts'], outdir: join(dir, 'out'), bundle: true, minify: false, platform: 'node', absWorkingDir: dir, logLevel: 'silent' });
    await other.rebuild();
    await other.dispose();

    // Assess
    expect(changed).toContain('4321');
    expect(cache.takeStats()).toEqual({ bundlesBuilt: 3, bundlesReused: 0, zipsMade: 0, zipsReused: 0 });
  });

  it('should copy the zip of the same files (names and contents) instead of zipping again, and zip different contents anew', async () => {
    // Prepare
    await bundle(cache, dir);
    cache.takeStats();
    const files = [{ localPath: 'handler.js', rootPath: join(dir, 'out', 'handler.js') }];

    // Act
    await cache.zip(join(dir, 'zips', 'a.zip'), files, false);
    await cache.zip(join(dir, 'zips', 'b.zip'), files, false);
    writeFileSync(join(dir, 'out', 'handler.js'), 'exports.handler = async () => 0;\n');
    await cache.zip(join(dir, 'zips', 'c.zip'), files, false);

    // Assess
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((name) => zipFiles(join(dir, 'zips', `${name}.zip`))));
    expect([...a!.keys()]).toEqual(['handler.js']);
    expect(b!.get('handler.js')!.equals(a!.get('handler.js')!)).toBe(true);
    expect(c!.get('handler.js')!.toString()).toBe('exports.handler = async () => 0;\n');
    expect(cache.takeStats()).toEqual({ bundlesBuilt: 0, bundlesReused: 0, zipsMade: 2, zipsReused: 1 });
  });

  it('should pass every call through once disposed', async () => {
    // Prepare
    await bundle(cache, dir);
    cache.takeStats();
    cache.dispose();

    // Act
    await bundle(cache, dir);

    // Assess
    expect(cache.takeStats()).toEqual({ bundlesBuilt: 0, bundlesReused: 0, zipsMade: 0, zipsReused: 0 });
  });
});
