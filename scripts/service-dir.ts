/**
 * Throwaway copies of this project's Serverless service, packaged offline with the real osls CLI.
 * Shared by the package tests (test/support/serverless.ts re-exports these names) and the deploy
 * benchmarks (bench/deploy), which are compiled without test/.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The directory holding serverless.yml, from this file's place in the sources or in dist/. */
function findRepo(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'serverless.yml')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no serverless.yml above ${start}`);
  }
}

/** The repository root (holds serverless.yml). */
export const REPO = findRepo(resolve(__dirname));
/** osls's CLI (the `serverless` command). */
export const SERVERLESS = join(REPO, 'node_modules/osls/bin/serverless.js');

/** What the service directory shares with the repository (read-only: symlinked). */
const SHARED = ['lib', 'dist', 'functions', 'node_modules', 'serverless', 'package.json', 'tsconfig.json'];

export interface ServiceDir {
  /** Absolute path of the service directory (holds serverless.yml, configs/, `.serverless/` once packaged). */
  dir: string;
  /** Removes the directory. */
  cleanup(): void;
}

/**
 * A throwaway copy of this project's service in a fresh temp directory: serverless.yml (optionally
 * edited) and a configs directory of its own; the code is symlinked from the repository.
 * @param options.configs - file names → YAML text of configs/; absent: a copy of the repository's configs/.
 * @param options.editYml - rewrites the text of the repository's serverless.yml before it is written.
 */
export function serviceDir(options: { configs?: Record<string, string>; editYml?: (yml: string) => string } = {}): ServiceDir {
  const dir = mkdtempSync(join(tmpdir(), 'connector-sls-'));
  const cleanup = (): void => rmSync(dir, { recursive: true, force: true });
  for (const entry of SHARED) symlinkSync(join(REPO, entry), join(dir, entry));
  const yml = readFileSync(join(REPO, 'serverless.yml'), 'utf8');
  writeFileSync(join(dir, 'serverless.yml'), options.editYml ? options.editYml(yml) : yml);
  if (options.configs) {
    mkdirSync(join(dir, 'configs'));
    for (const [name, text] of Object.entries(options.configs)) writeFileSync(join(dir, 'configs', name), text);
  } else {
    cpSync(join(REPO, 'configs'), join(dir, 'configs'), { recursive: true });
  }
  return { dir, cleanup };
}

/** Where {@link runServerless} lets osls cache its compiled config-schema validator (osls's `SLS_SCHEMA_CACHE_BASE_DIR`). */
export const SCHEMA_CACHE_DIR = join(tmpdir(), 'connector-sls-schema-cache');

export interface ServerlessResult {
  /** Exit code (`null` when killed, e.g. by the timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real Serverless Framework CLI (osls) in `dir`, offline: no AWS credentials (every
 * `AWS_*` variable removed), HOME inside `dir` (osls caches there), telemetry off. osls's compiled
 * config-schema validator is cached in {@link SCHEMA_CACHE_DIR}, shared by every run, as a user's
 * `~/.serverless/artifacts` is: with HOME inside `dir`, `package` would delete it with `.serverless/`
 * and compile it again (about 2 s) at every run.
 * @param env - extra environment variables (win over the above).
 * @param timeoutMs - the process is killed (SIGKILL) after this many ms; default 60,000.
 * @returns the exit code and output; never rejects on a failing command (only when it cannot start).
 */
export function runServerless(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ServerlessResult> {
  return runOffline(SERVERLESS, dir, args, env, timeoutMs);
}

/** `npm run sls:groups` (scripts/serverless-groups.ts, compiled in dist/). */
export const SERVERLESS_GROUPS = join(REPO, 'dist/scripts/serverless-groups.js');

/**
 * Runs `npm run sls:groups -- <args>` ({@link SERVERLESS_GROUPS}) in `dir`, offline, as {@link runServerless} runs
 * osls (same environment): `package` packages every stack in that one process.
 */
export function runServerlessGroups(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 300_000): Promise<ServerlessResult> {
  return runOffline(SERVERLESS_GROUPS, dir, args, env, timeoutMs);
}

function runOffline(script: string, dir: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ServerlessResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { cwd: dir, env: { ...clean, HOME: dir, SLS_TELEMETRY_DISABLED: '1', SLS_SCHEMA_CACHE_BASE_DIR: SCHEMA_CACHE_DIR, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** A CloudFormation template as JSON. */
export interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, any>; DependsOn?: string | string[]; DeletionPolicy?: string }>;
  Outputs?: Record<string, { Value: unknown }>;
}

/**
 * The template `serverless package` wrote in `dir` (`.serverless/cloudformation-template-update-stack.json`).
 * @throws Error when there is none (the package step failed or did not run).
 */
export function packagedTemplate(dir: string): Template {
  const file = join(dir, '.serverless/cloudformation-template-update-stack.json');
  if (!existsSync(file)) throw new Error(`no packaged template in ${dir}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Template;
}

/**
 * The zip a packaged function runs: `.serverless/<name>` in `dir`, `<name>` being the last part of its
 * `Code.S3Key` in the template (functions of one kind share one zip, see lib/deploy/artifacts.ts).
 * @param functionKey - the function's key in `functions:` (e.g. `quotesPeriodic`).
 * @throws Error when the template has no such function.
 */
export function artifactOf(dir: string, functionKey: string): string {
  const id = `${functionKey[0]!.toUpperCase()}${functionKey.slice(1)}LambdaFunction`;
  const key = (packagedTemplate(dir).Resources[id]?.Properties?.Code as { S3Key?: string } | undefined)?.S3Key;
  if (typeof key !== 'string') throw new Error(`the packaged template in ${dir} has no function ${functionKey} (${id})`);
  return join(dir, '.serverless', key.slice(key.lastIndexOf('/') + 1));
}

/** Resources of `template` of one type, by logical ID. */
export function resourcesOfType(template: Template, type: string): Record<string, Template['Resources'][string]> {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === type));
}

/**
 * The files of a packaged `.serverless/` directory in a form two packagings of the same stack can be compared
 * in: file name → text with the deployment directory's timestamp (`<ms>-<ISO time>`, the time of packaging)
 * replaced by `<time>`; a zip → the SHA-256 of its entry names and uncompressed contents (the system `unzip`;
 * the zip's own timestamps left out).
 */
export function packagedFiles(serverlessDir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(serverlessDir).sort()) {
    const path = join(serverlessDir, name);
    if (name.endsWith('.zip')) {
      const listing = execFileSync('unzip', ['-Z1', path], { encoding: 'utf8' });
      const content = execFileSync('unzip', ['-p', path], { maxBuffer: 256 * 1024 * 1024 });
      files[name] = `zip sha256:${createHash('sha256').update(listing).update(content).digest('hex')}`;
    } else {
      files[name] = readFileSync(path, 'utf8').replace(/\d{13}-\d{4}-\d\d-\d\dT[\d:.]+Z/g, '<time>');
    }
  }
  return files;
}
