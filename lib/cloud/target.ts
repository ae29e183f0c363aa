import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { UsageError } from '../core';

/** Which deployment `connector cloud` manages: the Serverless service, stage and region. */
export interface CloudTarget {
  service: string;
  stage: string;
  region: string;
}

/** The osls defaults of `provider.stage` and `provider.region`. */
export const DEFAULT_STAGE = 'dev';
export const DEFAULT_REGION = 'us-east-1';

/** Flags of `connector cloud` that choose the deployment. */
export interface CloudTargetOptions {
  service?: string;
  stage?: string;
  region?: string;
  /** serverless.yml to read (default `./serverless.yml`). */
  serverlessConfig?: string;
}

/** `${opt:NAME, 'default'}` (or `"default"`), the form this repository's serverless.yml uses. */
const OPT_WITH_DEFAULT = /^\$\{opt:(\w+)\s*,\s*(['"])([^'"]*)\2\s*\}$/;

/**
 * A `provider.stage` / `provider.region` value of serverless.yml as `serverless deploy` without
 * flags resolves it: a literal, or the default of `${opt:…, 'default'}`; `undefined` for any other
 * variable (`${env:…}`, `${self:…}`), which only osls can resolve.
 */
export function staticValue(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (!value.includes('${')) return value;
  const match = OPT_WITH_DEFAULT.exec(value);
  return match ? match[3] : undefined;
}

/**
 * Resolves the deployment to manage, with the precedence `serverless deploy` uses:
 * - service: `--service`, else serverless.yml's `service` (read with the `yaml` library);
 * - stage: `--stage`, else serverless.yml's `provider.stage` (literal or `${opt:stage, '…'}` default), else `dev`;
 * - region: `--region`, else serverless.yml's `provider.region` likewise, else `AWS_REGION` /
 *   `AWS_DEFAULT_REGION` when serverless.yml gives none, else `us-east-1`.
 * @throws UsageError (exit 2) when no service name is given or found, or serverless.yml cannot be parsed.
 */
export function resolveCloudTarget(options: CloudTargetOptions, context: { cwd: string; env: NodeJS.ProcessEnv }): CloudTarget {
  const file = resolve(context.cwd, options.serverlessConfig ?? 'serverless.yml');
  let yml: { service?: unknown; provider?: { stage?: unknown; region?: unknown } } = {};
  if (existsSync(file)) {
    try {
      yml = (parse(readFileSync(file, 'utf8')) ?? {}) as typeof yml;
    } catch (error) {
      throw new UsageError(`${file}: cannot read the service name: ${(error as Error).message}`);
    }
  } else if (options.serverlessConfig !== undefined) {
    throw new UsageError(`--serverless-config ${options.serverlessConfig}: no such file`);
  }
  const declared = typeof yml.service === 'object' && yml.service !== null ? (yml.service as { name?: unknown }).name : yml.service;
  const service = options.service ?? staticValue(declared);
  if (service === undefined) {
    throw new UsageError(`give the Serverless service name with --service NAME, or run in the directory of serverless.yml (${file} ${existsSync(file) ? 'has no plain `service:` name' : 'does not exist'})`);
  }
  const stage = options.stage ?? staticValue(yml.provider?.stage) ?? DEFAULT_STAGE;
  const region = options.region ?? staticValue(yml.provider?.region) ?? (context.env.AWS_REGION || context.env.AWS_DEFAULT_REGION || DEFAULT_REGION);
  if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(service)) throw new UsageError(`--service "${service}": expected a Serverless service name (letters, digits, -)`);
  if (!/^[a-zA-Z0-9-]+$/.test(stage)) throw new UsageError(`--stage "${stage}": expected a stage name (letters, digits, -)`);
  return { service, stage, region };
}
