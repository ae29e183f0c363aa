/**
 * Bundles and zips made once per `npm run sls:groups -- package` process instead of once per stack.
 *
 * Every stack runs the same handlers (`functions/poller.ts`, `functions/sink.ts`: the config travels in the
 * environment, see lib/deploy/artifacts.ts), so serverless-esbuild would bundle the same entries with the same
 * options into the same bytes, and zip the same files, once per stack. Installed by `sls:groups package` only
 * (a plain `serverless package` never loads this file), the cache sits under serverless-esbuild's two calls
 * that do that work, and leaves every other step of serverless-esbuild and osls as it is:
 * - esbuild's `context()` as serverless-esbuild's bundle step calls it: the first build of an entry runs esbuild
 *   (with a metafile, to know the files it read and wrote); a later build with the same options (entry, output
 *   directory, every esbuild option, plugins by name) in the same directory, whose input files still have the
 *   same size, time and inode, writes the same output files with the bytes of the first one instead of running esbuild;
 * - serverless-esbuild's `zip(zipPath, files, nativeZip)`: a zip of the same files (name in the zip and
 *   contents) is a copy of the first one.
 * What a stack writes is what its own `serverless package --param group=N` writes (same bundles, zips with the
 * same file names and contents; only the times stored in a zip differ, as they do between two runs anyway).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type * as Esbuild from 'esbuild';

/** What the cache did since the last {@link ArtifactCache.takeStats}. */
export interface ArtifactCacheStats {
  /** esbuild builds run (cache misses). */
  bundlesBuilt: number;
  /** esbuild builds answered from the cache (output files written from the first build's bytes). */
  bundlesReused: number;
  /** zips made by serverless-esbuild's `zip` (cache misses). */
  zipsMade: number;
  /** zips copied from a zip of the same files. */
  zipsReused: number;
}

/** The installed cache (one per process at a time). */
export interface ArtifactCache {
  /** Counts since the previous call (or the install), then starts again from 0. */
  takeStats(): ArtifactCacheStats;
  /** Stops caching (esbuild and zip calls pass through again) and deletes the cached zips. */
  dispose(): void;
}

/** One esbuild build kept: the files it read (path → {@link fileStamp}, `null` when not a file) and the files it wrote. */
interface KeptBuild {
  inputs: Map<string, string | null>;
  outputs: Array<{ path: string; bytes: Buffer }>;
  result: Esbuild.BuildResult;
}

/** A file serverless-esbuild zips: its path in the zip and on disk. */
export type ZipFile = { localPath: string; rootPath: string };
/** serverless-esbuild's `zip` (`dist/utils.js`): writes `zipPath` holding `files`, with the system `zip` when `useNativeZip`. */
export type Zip = (zipPath: string, files: ZipFile[], useNativeZip?: boolean) => Promise<void>;

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * What tells that a file the bundle was made of is unchanged: its size, modification time (ns) and inode (a file
 * written again gets another time, a file replaced another inode); `null` when it is not a file (e.g. a plugin's virtual module
 * `ns:path`). A stat, not a hash of the contents: a bundle reads several hundred files, checked before each reuse.
 */
function fileStamp(path: string): string | null {
  const stat = statSync(path, { bigint: true, throwIfNoEntry: false });
  return stat === undefined ? null : `${stat.size}:${stat.mtimeNs}:${stat.ino}`;
}

/** sha256 of a file's contents (the files of a zip); `null` when it cannot be read. */
function fileHash(path: string): string | null {
  try {
    return sha256(readFileSync(path));
  } catch {
    return null;
  }
}

/** The cache key of a build: every option (plugins by name) and the working directory (relative paths resolve there). */
function buildKey(options: Esbuild.BuildOptions): string {
  const plugins = (options.plugins ?? []).map((plugin) => plugin.name);
  return JSON.stringify([resolve(options.absWorkingDir ?? process.cwd()), { ...options, plugins }]);
}

/** The cached calls, to put in place of esbuild's `context` and serverless-esbuild's `zip`. */
export interface CachedCalls extends ArtifactCache {
  /** esbuild's `context()` with the cache (what serverless-esbuild's bundle step calls once per entry). */
  context(options: Esbuild.BuildOptions): Promise<Esbuild.BuildContext>;
  /** serverless-esbuild's `zip(zipPath, files, nativeZip)` with the cache. */
  zip: Zip;
}

/**
 * The cache itself, over the given esbuild and zip (installed by {@link installArtifactCache}; tests drive it
 * directly). After `dispose()` both calls pass through.
 * @param esbuild - the esbuild module (its `context`).
 * @param realZip - serverless-esbuild's `zip` (`dist/utils.js`).
 */
export function createArtifactCache(esbuild: Pick<typeof Esbuild, 'context'>, realZip: Zip): CachedCalls {
  let active = true;
  let stats: ArtifactCacheStats = { bundlesBuilt: 0, bundlesReused: 0, zipsMade: 0, zipsReused: 0 };
  const builds = new Map<string, KeptBuild>();
  const zipDir = mkdtempSync(join(tmpdir(), 'sls-groups-zips-'));
  const zips = new Map<string, string>();

  /** A kept build whose input files are unchanged ({@link fileStamp}). */
  const reusable = (key: string): KeptBuild | undefined => {
    const kept = builds.get(key);
    if (kept === undefined) return undefined;
    for (const [path, stamp] of kept.inputs) if (fileStamp(path) !== stamp) return undefined;
    return kept;
  };

  /** Keeps what a finished build read and wrote (from its metafile). */
  const keep = (key: string, options: Esbuild.BuildOptions, result: Esbuild.BuildResult): void => {
    if (result.metafile === undefined || result.errors.length > 0) return;
    const cwd = resolve(options.absWorkingDir ?? process.cwd());
    const inputs = new Map(Object.keys(result.metafile.inputs).map((input) => [resolve(cwd, input), fileStamp(resolve(cwd, input))]));
    const outputs = Object.keys(result.metafile.outputs).map((output) => ({ path: resolve(cwd, output), bytes: readFileSync(resolve(cwd, output)) }));
    builds.set(key, { inputs, outputs, result });
  };

  /** esbuild's `context()` with the cache: what serverless-esbuild's bundle step calls once per entry. */
  const context = async (options: Esbuild.BuildOptions): Promise<Esbuild.BuildContext> => {
    if (!active || options.write === false) return esbuild.context(options);
    const key = buildKey(options);
    const kept = reusable(key);
    if (kept !== undefined) {
      return {
        rebuild: async () => {
          for (const output of kept.outputs) {
            mkdirSync(dirname(output.path), { recursive: true });
            writeFileSync(output.path, output.bytes);
          }
          stats.bundlesReused++;
          return kept.result;
        },
        watch: async () => Promise.reject(new Error('the artifact cache of sls:groups package does not watch')),
        serve: async () => Promise.reject(new Error('the artifact cache of sls:groups package does not serve')),
        cancel: async () => undefined,
        dispose: async () => undefined,
      } as Esbuild.BuildContext;
    }
    const withMetafile = { ...options, metafile: true };
    const real = await esbuild.context(withMetafile);
    return {
      rebuild: async () => {
        const result = await real.rebuild();
        stats.bundlesBuilt++;
        keep(key, withMetafile, result);
        return result;
      },
      watch: (watchOptions) => real.watch(watchOptions),
      serve: (serveOptions) => real.serve(serveOptions),
      cancel: () => real.cancel(),
      dispose: () => real.dispose(),
    } as Esbuild.BuildContext;
  };

  /** serverless-esbuild's `zip` with the cache. */
  const zip: Zip = async (zipPath, files, useNativeZip) => {
    if (!active) return realZip(zipPath, files, useNativeZip);
    const listing = [...files].sort((a, b) => a.localPath.localeCompare(b.localPath)).map((file) => [file.localPath, fileHash(file.rootPath)]);
    const key = sha256(JSON.stringify([Boolean(useNativeZip), listing]));
    const cached = zips.get(key);
    mkdirSync(dirname(zipPath), { recursive: true });
    if (cached !== undefined) {
      copyFileSync(cached, zipPath);
      stats.zipsReused++;
      return;
    }
    await realZip(zipPath, files, useNativeZip);
    stats.zipsMade++;
    const copy = join(zipDir, `${zips.size}.zip`);
    copyFileSync(zipPath, copy);
    zips.set(key, copy);
  };

  return {
    context,
    zip,
    takeStats: () => {
      const taken = stats;
      stats = { bundlesBuilt: 0, bundlesReused: 0, zipsMade: 0, zipsReused: 0 };
      return taken;
    },
    dispose: () => {
      active = false;
      builds.clear();
      zips.clear();
      rmSync(zipDir, { recursive: true, force: true });
    },
  };
}

let installed: ArtifactCache | undefined;

/**
 * Installs the cache under the serverless-esbuild that `pluginDir` holds (its `dist/`), for this process.
 * Must run before osls loads serverless-esbuild (its bundle step keeps the esbuild module it loaded): the in-process
 * runner calls it before the first stack.
 * @param pluginDir - serverless-esbuild's `dist/` directory; default the one that resolves from here (the one the
 *   service's `plugins: [serverless-esbuild]` loads when the service's node_modules are this project's).
 * @throws Error when serverless-esbuild's bundle step is already loaded, when a cache is already installed, or when
 *   serverless-esbuild does not have the expected shape (an upgrade changed it: this file needs an update).
 */
export function installArtifactCache(pluginDir: string = dirname(require.resolve('serverless-esbuild'))): ArtifactCache {
  if (installed !== undefined) throw new Error('an artifact cache is already installed in this process');
  const bundlePath = join(pluginDir, 'bundle.js');
  const requireFromPlugin = Module.createRequire(bundlePath);
  // Node's module cache (`requireFromPlugin.cache`), the one osls's `require` of serverless-esbuild uses.
  const modules = requireFromPlugin.cache;
  if (modules[bundlePath] !== undefined) throw new Error(`${bundlePath} is already loaded: the artifact cache must be installed before serverless-esbuild`);
  const esbuildPath = requireFromPlugin.resolve('esbuild');
  const esbuild = requireFromPlugin('esbuild') as typeof Esbuild;
  const utils = requireFromPlugin('./utils') as { zip?: Zip };
  const realZip = utils.zip;
  if (typeof realZip !== 'function' || typeof esbuild.context !== 'function') throw new Error(`${pluginDir}: serverless-esbuild's utils.zip or esbuild.context is missing (an upgrade changed them): the artifact cache needs an update`);
  const cache = createArtifactCache(esbuild, realZip);

  // serverless-esbuild's bundle step keeps the esbuild module it loads (`const pkg = require("esbuild")`): load it
  // now with one whose `context` is the cached one (every other export is esbuild's), then put esbuild back.
  const esbuildModule = modules[esbuildPath]!;
  esbuildModule.exports = Object.create(esbuild, { context: { value: cache.context, enumerable: true }, __esModule: { value: true } }) as typeof Esbuild;
  try {
    requireFromPlugin('./bundle');
  } finally {
    esbuildModule.exports = esbuild;
  }
  utils.zip = cache.zip;

  installed = {
    takeStats: cache.takeStats,
    dispose: () => {
      cache.dispose();
      utils.zip = realZip;
      installed = undefined;
    },
  };
  return installed;
}
