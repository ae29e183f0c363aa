import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { ConfigError, type ConfigIssue, parseConnectorConfig, readConfigText } from '../config';
import type { ConnectorRegistry } from '../core/registry';
import { ConnectorError, ErrorCode } from '../core/errors';
import type { ConnectorInput } from './plan';

/** Config files of a directory: `*.yaml` and `*.yml`, sorted by name. */
export function configFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (error) {
    throw new ConnectorError(`cannot read the configs directory ${dir}: ${(error as Error).message}`, ErrorCode.DEPLOY_OPTIONS_INVALID, { cause: error });
  }
  return entries.filter((name) => /\.ya?ml$/i.test(name)).sort().map((name) => join(dir, name));
}

/**
 * Reads and validates every config of `dir` for deployment: secrets are checked as declarations
 * only (`deferSecrets`), since their values are resolved at run time in AWS.
 *
 * @param serviceDir - directory of serverless.yml; file names in messages and in the deployed
 *   environment are relative to it (`configs/x.yaml`).
 * @throws ConfigError with the issues of EVERY invalid file (file:line:column, path, value,
 *   expected: the messages of `connector validate`), so one run shows all of them.
 */
export function loadConnectorInputs(serviceDir: string, dir: string, registry: ConnectorRegistry): ConnectorInput[] {
  const issues: ConfigIssue[] = [];
  const inputs: ConnectorInput[] = [];
  for (const path of configFiles(join(serviceDir, dir))) {
    const file = relative(serviceDir, path);
    try {
      const text = readConfigText(path, file);
      // SmartModule files resolve next to the config, wherever the process runs.
      inputs.push({ spec: parseConnectorConfig(text, { file, registry, deferSecrets: true, baseDir: dirname(path) }), text, file });
    } catch (error) {
      if (error instanceof ConfigError) issues.push(...error.issues);
      else if (error instanceof ConnectorError) throw error;
      else throw new ConnectorError(`${file}: ${(error as Error).message}`, ErrorCode.CONFIG_READ, { cause: error });
    }
  }
  if (issues.length > 0) throw new ConfigError(issues);
  return inputs;
}

/**
 * The located warnings of the configs of a deployment, in file order: those of `connector validate
 * --defer-secrets` (unused secrets, ignored fields…), and for legacy configs each `secrets:` default
 * value, which travels with the config text into the function's or task's environment.
 */
export function deploymentWarnings(inputs: readonly ConnectorInput[]): ConfigIssue[] {
  return inputs.flatMap((input) => input.spec.warnings);
}
