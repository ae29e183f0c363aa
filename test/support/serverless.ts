import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tempDir } from './cli';

/** The repository root (holds serverless.yml). */
export const REPO = resolve(__dirname, '../..');
/** osls's CLI (the `serverless` command). */
export const SERVERLESS = join(REPO, 'node_modules/osls/bin/serverless.js');

/** What the service directory shares with the repository (read-only: symlinked). */
const SHARED = ['lib', 'dist', 'functions', 'node_modules', 'serverless', 'package.json', 'tsconfig.json'];

export interface ServiceDir {
  dir: string;
  cleanup(): void;
}

/**
 * A throwaway copy of this project's service: serverless.yml (optionally edited) and a configs
 * directory of its own; the code is symlinked from the repository. `configs` maps file names to
 * YAML text; absent: a copy of the repository's configs/.
 */
export function serviceDir(options: { configs?: Record<string, string>; editYml?: (yml: string) => string } = {}): ServiceDir {
  const { dir, cleanup } = tempDir('connector-sls-');
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

export interface ServerlessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real Serverless Framework CLI (osls) in `dir`, offline: no AWS credentials, HOME
 * inside `dir` (osls caches there).
 */
export function runServerless(dir: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<ServerlessResult> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AWS_')));
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [SERVERLESS, ...args], { cwd: dir, env: { ...clean, HOME: dir, SLS_TELEMETRY_DISABLED: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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

/** The template `serverless package` wrote in `dir`. */
export function packagedTemplate(dir: string): Template {
  const file = join(dir, '.serverless/cloudformation-template-update-stack.json');
  if (!existsSync(file)) throw new Error(`no packaged template in ${dir}`);
  return JSON.parse(readFileSync(file, 'utf8')) as Template;
}

/** Resources of `template` of one type, by logical ID. */
export function resourcesOfType(template: Template, type: string): Record<string, Template['Resources'][string]> {
  return Object.fromEntries(Object.entries(template.Resources).filter(([, resource]) => resource.Type === type));
}
