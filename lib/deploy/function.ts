import { formatDuration } from '../schema/duration';
import { ConnectorError, ErrorCode } from '../core/errors';
import { arn, type CfnResource, getAtt, role, sub } from './cfn';
import { ConnectorEnv, environmentBytes, FLUSH_TIMEOUT_MARGIN_S, LAMBDA_ENV_LIMIT_BYTES } from '../core/env';
import { type ConnectorNames, RESOURCE_SUFFIXES as S } from './naming';
import { type DeploymentOptions, streamPrefixOf } from './options';
import { logStatement, secretLocation, secretStatements, type StreamRef, streamStatement } from './access';
import type { ConnectorInput, Placement } from './plan';

/** The placement of a periodic source. */
type FunctionPlacement = Extract<Placement, { kind: 'function' }>;

/** Handler of every generated poller function (bundled by serverless-esbuild). */
export const POLLER_HANDLER = 'functions/poller.handler';
/** Shared resources of a stack that the functions use. */
export const DEAD_LETTER_QUEUE = 'ConnectorsDeadLetterQueue';
export const SCHEDULER_ROLE = 'ConnectorsSchedulerRole';
/** Lambda's maximum timeout, seconds. */
export const MAX_LAMBDA_TIMEOUT_S = 900;
/** Lambda's and Scheduler's minimum event age, seconds: a failed or late minute is dropped (to the DLQ), never replayed later. */
export const MAX_EVENT_AGE_S = 60;

/** An osls `functions:` entry. */
export type FunctionDefinition = Record<string, unknown>;

/** What one periodic source adds to the service. */
export interface FunctionFragment {
  functionKey: string;
  definition: FunctionDefinition;
  resources: Record<string, CfnResource>;
}

/**
 * The EventBridge Scheduler input: the shape of an EventBridge "Scheduled Event", with `time` set
 * to the schedule's scheduled time (context attribute), so the handler aligns its window to it.
 */
function scheduledEventInput(): unknown {
  const event = {
    version: '0',
    id: '<aws.scheduler.execution-id>',
    'detail-type': 'Scheduled Event',
    source: 'aws.scheduler',
    account: '${AWS::AccountId}',
    time: '<aws.scheduler.scheduled-time>',
    region: '${AWS::Region}',
    resources: ['<aws.scheduler.schedule-arn>'],
    detail: {},
  };
  return sub(JSON.stringify(event));
}

/**
 * One periodic source → one Lambda function (osls `functions:` entry, which osls turns into the
 * function, its log group and its async invoke config) plus, in `resources:`, its IAM role and its
 * EventBridge Scheduler schedule.
 *
 * - Async invocation: 0 retries, events older than 60 s dropped, failures to the stack's SQS
 *   dead-letter queue (a failed minute is never replayed later as a burst).
 * - Timeout: the window (60 s, or N minutes for a native schedule) plus 10 s to finish writing, at
 *   most 900 s (Lambda limit). Polls never run past the window; only failing writes may.
 * - Role: logs of its own log group, put to its own stream, read its own secrets, send to the DLQ.
 * @throws ConnectorError DEPLOY_UNSUPPORTED when the environment exceeds Lambda's 4 KB limit.
 */
export function periodicFunction(input: ConnectorInput, placement: FunctionPlacement, names: ConnectorNames, stream: StreamRef, options: DeploymentOptions): FunctionFragment {
  const { spec } = input;
  const { schedule, intervalMs } = placement;
  const environment: Record<string, string> = {
    [ConnectorEnv.CONFIG]: input.text,
    [ConnectorEnv.CONFIG_FILE]: input.file,
    [ConnectorEnv.STREAM_PREFIX]: streamPrefixOf(options),
    [ConnectorEnv.WINDOW_MS]: String(schedule.windowMs),
    [ConnectorEnv.WINDOW_ANCHOR]: schedule.anchor,
    [ConnectorEnv.MARGIN_MS]: String(options.lambda.marginMs),
  };
  if (spec.secrets.length > 0) {
    environment[ConnectorEnv.SECRETS_SOURCE] = options.secrets.source;
    environment[ConnectorEnv.SECRETS] = JSON.stringify(Object.fromEntries(spec.secrets.map((secret) => [secret, secretLocation(secret, options)])));
  }
  const bytes = environmentBytes(environment);
  if (bytes > LAMBDA_ENV_LIMIT_BYTES) {
    throw new ConnectorError(`${input.file}: the config is too large to pass to its Lambda function (${bytes} bytes of environment, Lambda allows ${LAMBDA_ENV_LIMIT_BYTES}); shorten it (comments, long bodies)`, ErrorCode.DEPLOY_UNSUPPORTED);
  }

  const roleId = names.base + S.FUNCTION_ROLE;
  const logGroupArn = arn('logs', `log-group:/aws/lambda/${names.physical}:*`);
  const statements = [logStatement(logGroupArn), streamStatement(stream), ...secretStatements(spec, options), { Effect: 'Allow' as const, Action: ['sqs:SendMessage'], Resource: [getAtt(DEAD_LETTER_QUEUE, 'Arn')] }];
  const timeout = Math.min(Math.ceil(schedule.windowMs / 1000) + FLUSH_TIMEOUT_MARGIN_S, MAX_LAMBDA_TIMEOUT_S);
  const every = formatDuration(intervalMs);

  const definition: FunctionDefinition = {
    handler: POLLER_HANDLER,
    name: names.physical,
    description: `${spec.type} ${spec.name} (${input.file}) → topic ${spec.topic.name}, every ${every}`.slice(0, 256),
    ...(options.lambda.runtime ? { runtime: options.lambda.runtime } : {}),
    architecture: options.lambda.architecture,
    memorySize: options.lambda.memorySize,
    timeout,
    role: roleId,
    logRetentionInDays: options.lambda.logRetentionInDays,
    environment,
    maximumRetryAttempts: 0,
    maximumEventAge: MAX_EVENT_AGE_S,
    destinations: { onFailure: { type: 'sqs', arn: getAtt(DEAD_LETTER_QUEUE, 'Arn') } },
  };

  const schedule_: CfnResource = {
    Type: 'AWS::Scheduler::Schedule',
    Properties: {
      Description: `${spec.name}: ${schedule.anchor === 'epoch' ? `every ${every}, polled per slot inside each minute` : `every ${every}`}`.slice(0, 512),
      ScheduleExpression: schedule.expression,
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: getAtt(names.base + S.FUNCTION, 'Arn'),
        RoleArn: getAtt(SCHEDULER_ROLE, 'Arn'),
        Input: scheduledEventInput(),
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: MAX_EVENT_AGE_S },
        DeadLetterConfig: { Arn: getAtt(DEAD_LETTER_QUEUE, 'Arn') },
      },
    },
  };

  return {
    functionKey: names.functionKey,
    definition,
    resources: {
      [roleId]: role('lambda.amazonaws.com', 'connector', statements, { Description: `Connector ${spec.name}: its log group, stream ${stream.name} and secrets only` }),
      [names.base + S.SCHEDULE]: schedule_,
    },
  };
}
