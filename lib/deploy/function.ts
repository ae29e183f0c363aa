import { ConnectorEnv, ConnectorError, encodeRuntimeEnv, environmentBytes, ErrorCode, LAMBDA_ENV_LIMIT_BYTES, RuntimeDefaults } from '../core';
import { encodeDeployedSpec } from '../config/deployed';
import { encodeConfigDocument } from '../config/deployed-document';
import { ConfigSource } from '../config/yaml-source';
import { formatDuration } from '../schema/duration';
import { logStatement, secretLocation, secretStatements, streamStatement } from './access';
import { arn, type CfnResource, getAtt, ref, role, sub } from './cfn';
import { DEFAULT_SCHEDULE_GROUP, descriptorOutput } from './descriptor';
import type { Fragment, FunctionDefinition, PlacementDefinition } from './fragment';
import { metricsEnvironment } from './monitoring';
import { RESOURCE_SUFFIXES as S } from './naming';
import { streamPrefixOf } from './options';
import type { Placement } from './plan';

export type { FunctionDefinition } from './fragment';

/** The placement of a periodic source. */
type FunctionPlacement = Extract<Placement, { kind: 'function' }>;

/**
 * Handler of every generated poller function whose config has neither secrets nor transforms
 * (bundled by serverless-esbuild): runs `CONNECTOR_SPEC`, without zod, yaml or the transforms engine
 * in its bundle (functions/README.md, "Cold start").
 */
export const POLLER_HANDLER = 'functions/poller.handler';
/** Handler of a poller whose config has secrets (it validates `CONNECTOR_DOCUMENT` with their values) or transforms: the config model and the transforms engine are in its bundle. */
export const POLLER_FULL_HANDLER = 'functions/poller-full.handler';
/** Shared resources of a stack that the functions use. */
export const DEAD_LETTER_QUEUE = 'ConnectorsDeadLetterQueue';
export const SCHEDULER_ROLE = 'ConnectorsSchedulerRole';
/** Lambda's maximum timeout, seconds. */
export const MAX_LAMBDA_TIMEOUT_S = 900;
/** Lambda's and Scheduler's minimum event age, seconds: a failed or late minute is dropped (to the DLQ), never replayed later. */
export const MAX_EVENT_AGE_S = 60;

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
 * The `CONNECTOR_DOCUMENT` of a config with secrets (`encodeConfigDocument`): its YAML read again
 * (the plan parsed and validated it already).
 * @throws Error when the YAML does not read (a generator bug: the plan refused it before).
 */
export function configDocumentOf(text: string, file: string): string {
  const { source, issues } = ConfigSource.parse(text, file);
  if (!source) throw new Error(`${file}: the config did not read again for CONNECTOR_DOCUMENT: ${issues.map((issue) => issue.message).join('; ')}`);
  return encodeConfigDocument(source);
}

/**
 * The `function` placement: one periodic source → one Lambda function (osls `functions:` entry,
 * which osls turns into the function, its log group and its async invoke config) plus, in
 * `resources:`, its IAM role and its EventBridge Scheduler schedule; per stack, the Scheduler's role.
 *
 * - Async invocation: 0 retries, events older than 60 s dropped, failures to the stack's SQS
 *   dead-letter queue (a failed minute is never replayed later as a burst).
 * - Timeout: the window (60 s, or N minutes for a native schedule) plus 10 s to finish writing, at
 *   most 900 s (Lambda limit). Polls never run past the window; only failing writes may.
 * - Role: logs of its own log group, put to its own stream (and its dead-letter stream when a
 *   transform step says `on_error: dead-letter`), read its own secrets, send to the DLQ.
 * - Package: the bundled handler plus the SmartModule `.wasm` files its transforms use (the config
 *   travels in the environment, 4 KB; a module is a file): as `CONNECTOR_SPEC`, the validated config
 *   (zod's output as JSON, tagged with the schema's hash; lib/config/deployed.ts), or, for a config
 *   with secrets, as `CONNECTOR_DOCUMENT`, its YAML document's data as JSON with the places of its
 *   secret references (lib/config/deployed-document.ts; validated at invocation with the secret values).
 * - Output: the connector's descriptor (kind `poller`, function and schedule names) for `connector cloud`.
 * @throws ConnectorError DEPLOY_ENVIRONMENT_TOO_LARGE when the environment exceeds Lambda's 4 KB limit.
 */
export const functionPlacement: PlacementDefinition<FunctionPlacement> = {
  kind: 'function',
  // Function, log group, async invoke config (osls), role, schedule.
  resourcesPerConnector: 5,
  sharedResources: 1,
  derivedSuffixes: [S.FUNCTION, S.FUNCTION_LOG_GROUP, S.EVENT_INVOKE_CONFIG],
  connector(input, placement, { names, stream, options, deadLetterStream, smartModules }): Fragment {
    const { spec } = input;
    const { schedule, intervalMs } = placement;
    const environment = encodeRuntimeEnv({
      // The validated config (zod's output, JSON), which the poller runs without parsing; with
      // secrets, the YAML document's data (JSON), validated at invocation with their values
      // (lib/config/deployed.ts, deployed-document.ts).
      ...(spec.secrets.length === 0 ? { [ConnectorEnv.SPEC]: encodeDeployedSpec(spec, input.file) } : { [ConnectorEnv.DOCUMENT]: configDocumentOf(input.text, input.file) }),
      [ConnectorEnv.CONFIG_FILE]: input.file,
      [ConnectorEnv.STREAM_PREFIX]: streamPrefixOf(options),
      [ConnectorEnv.WINDOW_MS]: String(schedule.windowMs),
      [ConnectorEnv.WINDOW_ANCHOR]: schedule.anchor,
      [ConnectorEnv.MARGIN_MS]: String(options.lambda.marginMs),
      ...metricsEnvironment(options, { continuously: false }),
      ...(spec.secrets.length > 0
        ? {
            [ConnectorEnv.SECRETS_SOURCE]: options.secrets.source,
            [ConnectorEnv.SECRETS]: JSON.stringify(Object.fromEntries(spec.secrets.map((secret) => [secret, secretLocation(secret, options)]))),
          }
        : {}),
    });
    const bytes = environmentBytes(environment);
    if (bytes > LAMBDA_ENV_LIMIT_BYTES) {
      throw new ConnectorError(`${input.file}: the config is too large to pass to its Lambda function (${bytes} bytes of environment, Lambda allows ${LAMBDA_ENV_LIMIT_BYTES}); shorten it (long bodies, headers or transforms)`, ErrorCode.DEPLOY_ENVIRONMENT_TOO_LARGE);
    }

    const roleId = names.base + S.FUNCTION_ROLE;
    const logGroupArn = arn('logs', `log-group:/aws/lambda/${names.physical}:*`);
    const statements = [
      logStatement(logGroupArn),
      streamStatement(stream),
      ...(deadLetterStream ? [streamStatement(deadLetterStream)] : []),
      ...secretStatements(spec, options),
      { Effect: 'Allow' as const, Action: ['sqs:SendMessage'], Resource: [getAtt(DEAD_LETTER_QUEUE, 'Arn')] },
    ];
    const timeout = Math.min(Math.ceil(schedule.windowMs / 1000) + RuntimeDefaults.flushTimeoutMarginS, MAX_LAMBDA_TIMEOUT_S);
    const every = formatDuration(intervalMs);

    const definition: FunctionDefinition = {
      handler: spec.secrets.length === 0 && spec.transforms.length === 0 ? POLLER_HANDLER : POLLER_FULL_HANDLER,
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
      // SmartModule files travel in the function's zip (serverless-esbuild copies package.patterns), at
      // the same path as in the service: the handler resolves them from CONNECTOR_CONFIG_FILE.
      ...(smartModules.length > 0 ? { package: { patterns: [...smartModules] } } : {}),
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
      functions: { [names.functionKey]: definition },
      resources: {
        [roleId]: role('lambda.amazonaws.com', 'connector', statements, { Description: `Connector ${spec.name}: its log group, stream ${stream.name} and secrets only` }),
        [names.base + S.SCHEDULE]: schedule_,
      },
      outputs: Object.fromEntries([
        descriptorOutput(names.base, {
          kind: 'poller',
          name: spec.name,
          type: spec.type,
          config: input.file,
          topic: spec.topic.name,
          stream: stream.name,
          logGroup: `/aws/lambda/${names.physical}`,
          function: names.physical,
          schedule: ref(names.base + S.SCHEDULE), // the schedule's generated name
          scheduleGroup: DEFAULT_SCHEDULE_GROUP,
          every,
        }),
      ]),
    };
  },
  stack(options): Fragment {
    return {
      functions: {},
      resources: {
        [SCHEDULER_ROLE]: role(
          'scheduler.amazonaws.com',
          'invoke-pollers',
          [
            { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn('lambda', `function:${options.service}-${options.stage}-*`)] },
            { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [getAtt(DEAD_LETTER_QUEUE, 'Arn')] },
          ],
          { Description: 'EventBridge Scheduler: invoke this stage\'s connector functions, send failed events to the DLQ' },
          { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
        ),
      },
      outputs: {},
    };
  },
};
