/**
 * What every Lambda handler of this project shares (`poller.ts`, `sink.ts`): the config text of the
 * runtime environment, secret values from the invocation context, the secret middlewares, the
 * container's logger and its Kinesis topic backend.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import middy from '@middy/core';
import type { SecretValues } from '../lib/config';
import { ConnectorEnv, ConnectorError, createJsonLogger, ErrorCode, type Logger, type RuntimeEnv } from '../lib/core';
import { type OpenedTopics, openTopicBackend } from '../lib/topics';

let sharedKinesisClient: KinesisClient | undefined;
/** Streams this container has seen ACTIVE: checked once per container, not once per invocation. */
const knownStreams = new Set<string>();

/** The Kinesis client module, and with it the runtime's AWS SDK (`require`: loaded once, synchronously). */
export function kinesisClientModule(): typeof import('../lib/topics/kinesis/client') {
  return require('../lib/topics/kinesis/client') as typeof import('../lib/topics/kinesis/client');
}

/**
 * The Kinesis topic backend of an invocation: streams `CONNECTOR_STREAM_PREFIX` + topic, endpoint
 * `CONNECTOR_KINESIS_ENDPOINT` (else the region's), one client per container reused across
 * invocations (closing the backend leaves it open). Loads the SDK on first call.
 * @param region - `AWS_REGION` of the function.
 * @param connector - the default partition key (a record without a key).
 * @throws UsageError when no region is known.
 */
export function openKinesisTopics(env: RuntimeEnv, region: string | undefined, connector: string, log: Logger): Promise<OpenedTopics> {
  sharedKinesisClient ??= kinesisClientModule().createKinesisClient({ region, endpoint: env[ConnectorEnv.KINESIS_ENDPOINT] });
  return openTopicBackend('kinesis', { kinesis: { client: sharedKinesisClient, streamPrefix: env[ConnectorEnv.STREAM_PREFIX], knownStreams }, defaultPartitionKey: connector, log });
}

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
