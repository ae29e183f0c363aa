import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The AWS SDK clients `connector cloud` uses, one per service. Operations take this object, so
 * tests pass clients mocked with `aws-sdk-client-mock`.
 *
 * EventBridge **Scheduler** (`@aws-sdk/client-scheduler`), not EventBridge rules
 * (`@aws-sdk/client-eventbridge`): the generator deploys `AWS::Scheduler::Schedule` resources, and
 * a schedule is enabled or disabled through the Scheduler API (`GetSchedule`/`UpdateSchedule`).
 */
export interface CloudClients {
  /** Stacks and their outputs (the connector descriptors). */
  readonly cloudFormation: CloudFormationClient;
  /** Invoke a poller; event source mappings of sinks. */
  readonly lambda: LambdaClient;
  /** The pollers' schedules. */
  readonly scheduler: SchedulerClient;
  /** The streaming sources' services and tasks. */
  readonly ecs: ECSClient;
  /** Lambda `Errors`/`Invocations` metrics. */
  readonly cloudWatch: CloudWatchClient;
  /** Depth of the stacks' dead-letter queues. */
  readonly sqs: SQSClient;
  /** The functions' and tasks' logs. */
  readonly logs: CloudWatchLogsClient;
}

/** Settings of every client. */
export interface CloudClientSettings {
  /** AWS region of the stacks. */
  region: string;
}

/**
 * Longest time a synchronous Lambda invocation may take, ms: Lambda's 900 s maximum timeout plus a
 * minute. The Lambda client's requests may stay open that long (`connector cloud invoke`).
 */
export const INVOKE_REQUEST_TIMEOUT_MS = 960_000;

/**
 * Clients for `settings`, each created (and its SDK package loaded) on first use: `cloud logs`
 * loads only CloudFormation and CloudWatch Logs. Credentials, endpoints (`AWS_ENDPOINT_URL`,
 * `AWS_ENDPOINT_URL_<SERVICE>`, e.g. a local AWS emulator) and retries come from the SDK's default
 * chains (environment, shared config and credentials files, SSO, instance roles).
 */
export function createCloudClients(settings: CloudClientSettings): CloudClients {
  const config = { region: settings.region };
  const cache = new Map<string, unknown>();
  const lazy = <T>(key: string, create: () => T): T => {
    if (!cache.has(key)) cache.set(key, create());
    return cache.get(key) as T;
  };
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    get cloudFormation() {
      return lazy('cloudFormation', () => new (require('@aws-sdk/client-cloudformation') as typeof import('@aws-sdk/client-cloudformation')).CloudFormationClient(config));
    },
    get lambda() {
      return lazy('lambda', () => new (require('@aws-sdk/client-lambda') as typeof import('@aws-sdk/client-lambda')).LambdaClient({ ...config, requestHandler: { requestTimeout: INVOKE_REQUEST_TIMEOUT_MS } }));
    },
    get scheduler() {
      return lazy('scheduler', () => new (require('@aws-sdk/client-scheduler') as typeof import('@aws-sdk/client-scheduler')).SchedulerClient(config));
    },
    get ecs() {
      return lazy('ecs', () => new (require('@aws-sdk/client-ecs') as typeof import('@aws-sdk/client-ecs')).ECSClient(config));
    },
    get cloudWatch() {
      return lazy('cloudWatch', () => new (require('@aws-sdk/client-cloudwatch') as typeof import('@aws-sdk/client-cloudwatch')).CloudWatchClient(config));
    },
    get sqs() {
      return lazy('sqs', () => new (require('@aws-sdk/client-sqs') as typeof import('@aws-sdk/client-sqs')).SQSClient(config));
    },
    get logs() {
      return lazy('logs', () => new (require('@aws-sdk/client-cloudwatch-logs') as typeof import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient(config));
    },
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}
