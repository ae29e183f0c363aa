import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The layers of lib/ (and the Lambda handlers in functions/), lowest first: each may import only
 * from its own folder and the layers it lists. Type-only imports count too: no import runs back up.
 */
const ALLOWED: Record<string, readonly string[]> = {
  core: [],
  schema: ['core'],
  connectors: ['core', 'schema'],
  transforms: ['core', 'schema'],
  topics: ['core'],
  config: ['core', 'schema', 'transforms'],
  runtime: ['core', 'schema', 'config', 'transforms', 'topics'],
  deploy: ['core', 'schema', 'config', 'transforms', 'topics', 'connectors'],
  cloud: ['core', 'deploy'],
  cli: ['core', 'schema', 'config', 'transforms', 'topics', 'connectors', 'runtime', 'cloud'],
  functions: ['core', 'schema', 'config', 'transforms', 'topics', 'connectors', 'runtime'],
};

const ROOT = resolve(__dirname, '../../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) ? [path] : [];
  });
}

/** `lib/<layer>/…` → layer; `functions/…` → `functions`. */
function layerOf(file: string): string | undefined {
  const [top, second] = relative(ROOT, file).split('/');
  if (top === 'functions') return 'functions';
  return top === 'lib' && second !== undefined && !second.endsWith('.ts') ? second : undefined;
}

/** Every relative import, export-from and dynamic import of a file, resolved to a path. */
function importsOf(file: string): string[] {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((ref) => ref.fileName).filter((name) => name.startsWith('.')).map((name) => resolve(dirname(file), name));
}

describe('architecture: layers', () => {
  const files = [...sourceFiles(join(ROOT, 'lib')), ...sourceFiles(join(ROOT, 'functions'))];

  it('should put every file of lib/ in a known layer', () => {
    const unknown = files.filter((file) => layerOf(file) === undefined || ALLOWED[layerOf(file)!] === undefined).map((file) => relative(ROOT, file));
    expect(unknown).toEqual([]);
  });

  it('should have no import from a lower layer to a higher one, nor between sibling layers', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file)!;
      for (const target of importsOf(file)) {
        const to = layerOf(target.endsWith('.ts') ? target : `${target}.ts`) ?? layerOf(join(target, 'index.ts'));
        if (to === undefined || to === from) continue;
        if (!ALLOWED[from]?.includes(to)) violations.push(`${relative(ROOT, file)} (${from}) imports ${relative(ROOT, target)} (${to})`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('should keep lib/core free of dependencies on the rest of the project', () => {
    const core = files.filter((file) => layerOf(file) === 'core');
    expect(core.length).toBeGreaterThan(5);
    const outside = core.flatMap((file) => importsOf(file).filter((target) => !relative(join(ROOT, 'lib', 'core'), target).match(/^[^.]/)).map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`));
    expect(outside).toEqual([]);
  });
});

describe('architecture: a connector is one folder plus one registry line', () => {
  const connectorsDir = join(ROOT, 'lib', 'connectors');
  const folders = readdirSync(connectorsDir).filter((name) => statSync(join(connectorsDir, name)).isDirectory());
  const product = ['lib', 'functions', 'scripts', 'serverless'].flatMap((dir) => sourceFiles(join(ROOT, dir)));
  const registryFile = join(connectorsDir, 'index.ts');
  /**
   * The registries: every connector (index.ts), those that can be periodic (periodic.ts), and their runtime
   * parts for the deployed poller without schemas (periodic-runtime.ts).
   */
  const registryFiles = [registryFile, join(connectorsDir, 'periodic.ts'), join(connectorsDir, 'periodic-runtime.ts')].map((file) => relative(ROOT, file));

  it.each(folders)('should import lib/connectors/%s from the registry (lib/connectors/index.ts) and no file but the registries', (folder) => {
    // Prepare
    const own = join(connectorsDir, folder);

    // Act
    const importers = product.filter((file) => !file.startsWith(`${own}/`) && importsOf(file).some((target) => target === own || target.startsWith(`${own}/`))).map((file) => relative(ROOT, file));

    // Assess
    expect(importers).toContain(relative(ROOT, registryFile));
    expect(importers.filter((file) => !registryFiles.includes(file))).toEqual([]);
  });
});
