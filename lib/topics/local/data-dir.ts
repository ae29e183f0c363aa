import { resolve } from 'node:path';
import { UsageError } from '../../core/errors';

/** Environment variable naming the data directory when `--data-dir` is not given. */
export const DATA_DIR_ENV = 'CONNECTOR_DATA_DIR';
/** Data directory name used under the working directory by default. */
export const DEFAULT_DATA_DIR_NAME = '.connector';

/**
 * The data directory (topics, deployments) as an absolute path: the `--data-dir` option, else
 * `$CONNECTOR_DATA_DIR` (an empty value counts as unset), else `<cwd>/.connector`. Relative
 * paths are taken from `cwd`.
 * @param options.env default `process.env`; options.cwd default `process.cwd()`.
 * @throws UsageError when `dataDir` is given but empty.
 * @example
 * resolveDataDir({ dataDir: 'tmp/data', cwd: '/srv' }); // '/srv/tmp/data'
 * resolveDataDir({ env: { CONNECTOR_DATA_DIR: '/var/lib/connector' } }); // '/var/lib/connector'
 * resolveDataDir({ env: {}, cwd: '/srv' }); // '/srv/.connector'
 */
export function resolveDataDir(options: { dataDir?: string; env?: NodeJS.ProcessEnv; cwd?: string }): string {
  const cwd = options.cwd ?? process.cwd();
  if (options.dataDir !== undefined) {
    if (options.dataDir.trim() === '') throw new UsageError('--data-dir: expected a directory path, got an empty string');
    return resolve(cwd, options.dataDir);
  }
  const fromEnv = (options.env ?? process.env)[DATA_DIR_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return resolve(cwd, fromEnv);
  return resolve(cwd, DEFAULT_DATA_DIR_NAME);
}
