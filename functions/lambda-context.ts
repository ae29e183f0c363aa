/**
 * What every Lambda handler of this project shares (`poller.ts`, `sink.ts`): the config text of the
 * runtime environment, secret values from the invocation context, the secret middlewares and the
 * container's logger.
 */
import middy from '@middy/core';
import type { SecretValues } from '../lib/config';
import { ConnectorEnv, ConnectorError, createJsonLogger, ErrorCode, type Logger, type RuntimeEnv } from '../lib/core';

/** The config text of the environment. @throws ConnectorError USAGE when it is not set. */
export function configText(env: RuntimeEnv): string {
  const value = env[ConnectorEnv.CONFIG];
  if (value === undefined) throw new ConnectorError(`environment variable ${ConnectorEnv.CONFIG} is not set: this function must be deployed by serverless.yml (lib/deploy)`, ErrorCode.USAGE);
  return value;
}

/** Secret values the middlewares put on the context (`setToContext`). */
export function contextSecrets(context: object, source: string | undefined): SecretValues {
  const values = context as Record<string, unknown>;
  return {
    lookup: (name) => {
      const value = values[name];
      if (value === undefined || value === null) return undefined;
      return typeof value === 'string' ? value : JSON.stringify(value); // Secrets Manager parses JSON secrets
    },
    describe: source === 'secrets-manager' ? 'AWS Secrets Manager' : 'SSM Parameter Store',
  };
}

let sharedLogger: Logger | undefined;

/** The JSON logger (stdout → CloudWatch), one per container. */
export function defaultLogger(): Logger {
  sharedLogger ??= createJsonLogger();
  return sharedLogger;
}

/**
 * Secret middlewares for this function's environment: none when the config declares no secrets.
 * The middleware (and with it its AWS SDK client) is loaded only when needed: about 20 ms less
 * module init for the many configs without secrets.
 */
export function secretMiddlewares(env: RuntimeEnv): middy.MiddlewareObj[] {
  const fetchData = env[ConnectorEnv.SECRETS];
  if (!fetchData) return [];
  // Cached for 5 minutes per container: rotation is picked up without a call per invocation.
  const common = { fetchData, setToContext: true, cacheExpiry: 5 * 60_000, cacheKey: 'connector-secrets' };
  if (env[ConnectorEnv.SECRETS_SOURCE] === 'secrets-manager') {
    const secretsManager = (require('@middy/secrets-manager') as typeof import('@middy/secrets-manager')).default;
    return [secretsManager(common) as middy.MiddlewareObj];
  }
  const ssm = (require('@middy/ssm') as typeof import('@middy/ssm')).default;
  return [ssm(common) as middy.MiddlewareObj];
}
