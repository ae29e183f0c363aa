import { ConnectorEnv, ConnectorError, encodeRuntimeEnv, environmentBytes, ErrorCode, LAMBDA_ENV_LIMIT_BYTES } from '../core';
import { logStatement, secretLocation, secretStatements, streamArn, streamReadStatement, streamStatement } from './access';
import { arn, type CfnResource, getAtt, ref, role } from './cfn';
import { descriptorOutput } from './descriptor';
import type { Fragment, FunctionDefinition, PlacementDefinition } from './fragment';
import { metricsEnvironment } from './monitoring';
import { RESOURCE_SUFFIXES as S } from './naming';
import { streamPrefixOf } from './options';
import type { Placement } from './plan';

/** The placement of a sink. */
type SinkPlacement = Extract<Placement, { kind: 'sink' }>;

/** Handler of every generated sink function (bundled by serverless-esbuild). */
export const SINK_HANDLER = 'functions/sink.handler';
/** The stack's queue of batches the sinks' event source mappings gave up on (on-failure destination). */
export const SINK_FAILURE_QUEUE = 'ConnectorsSinkFailureQueue';
/** SQS's longest retention, s (14 days): failed batches wait there to be replayed. */
const MAX_SQS_RETENTION_S = 1_209_600;

/**
 * The `sink` placement: one sink config → one Lambda function (`functions/sink.handler`, osls
 * `functions:` entry: the function and its log group) fed by a Kinesis event source mapping on its
 * topic's stream, plus its IAM role; per stack, the SQS queue of failed batches.
 *
 * The mapping (a raw `AWS::Lambda::EventSourceMapping`, so every property is ours and the resource
 * count is exact) invokes the function with up to `sink.batchSize` records, gathered for at most
 * `sink.batchWindowSeconds`, one batch per shard at a time (records of a shard stay in order). The
 * handler reports the first record it could not deliver (`ReportBatchItemFailures`); Lambda
 * retries from it, bisecting the batch (`BisectBatchOnFunctionError`), at most
 * `sink.maximumRetryAttempts` times, then sends the batch's description (shard, sequence numbers)
 * to the failure queue and goes on: never retried forever, never dropped silently. The mapping
 * starts at the stream's oldest record (`consumer.offset.start: beginning`) or newest (`end`, the
 * default) and keeps its own position afterwards.
 *
 * The role reads only its own stream, writes its own log group, sends to the failure queue and
 * reads its own secrets. The function publishes EMF metrics (the connector's alarm watches them) and
 * the stack has its descriptor output (kind `sink`) for `connector cloud`.
 * @throws ConnectorError DEPLOY_ENVIRONMENT_TOO_LARGE when the environment exceeds Lambda's 4 KB limit.
 */
export const sinkPlacement: PlacementDefinition<SinkPlacement> = {
  kind: 'sink',
  // Function and log group (osls), role, event source mapping.
  resourcesPerConnector: 4,
  sharedResources: 1,
  derivedSuffixes: [S.FUNCTION, S.FUNCTION_LOG_GROUP],
  connector(input, placement, { names, stream, options, smartModules, deadLetterStream }): Fragment {
    const { spec } = input;
    const environment = encodeRuntimeEnv({
      [ConnectorEnv.CONFIG]: input.text,
      [ConnectorEnv.CONFIG_FILE]: input.file,
      [ConnectorEnv.MARGIN_MS]: String(options.lambda.marginMs),
      // A transform step with `on_error: dead-letter` writes to the `<topic>-dlq` stream.
      ...(deadLetterStream ? { [ConnectorEnv.STREAM_PREFIX]: streamPrefixOf(options) } : {}),
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
      throw new ConnectorError(`${input.file}: the config is too large to pass to its Lambda function (${bytes} bytes of environment, Lambda allows ${LAMBDA_ENV_LIMIT_BYTES}); shorten it (comments, long headers)`, ErrorCode.DEPLOY_ENVIRONMENT_TOO_LARGE);
    }

    const roleId = names.base + S.FUNCTION_ROLE;
    const logGroupArn = arn('logs', `log-group:/aws/lambda/${names.physical}:*`);
    const statements = [
      logStatement(logGroupArn),
      streamReadStatement(stream),
      ...(deadLetterStream ? [streamStatement(deadLetterStream)] : []),
      ...secretStatements(spec, options),
      { Effect: 'Allow' as const, Action: ['sqs:SendMessage'], Resource: [getAtt(SINK_FAILURE_QUEUE, 'Arn')] },
    ];
    const definition: FunctionDefinition = {
      handler: SINK_HANDLER,
      name: names.physical,
      description: `${spec.type} ${spec.name} (${input.file}) ← topic ${spec.topic.name}`.slice(0, 256),
      ...(options.lambda.runtime ? { runtime: options.lambda.runtime } : {}),
      architecture: options.lambda.architecture,
      memorySize: options.lambda.memorySize,
      timeout: options.sink.timeout,
      role: roleId,
      logRetentionInDays: options.lambda.logRetentionInDays,
      environment,
      // SmartModule files travel in the function's zip, at the same path as in the service (as a poller's).
      ...(smartModules.length > 0 ? { package: { patterns: [...smartModules] } } : {}),
    };
    const mapping: CfnResource = {
      Type: 'AWS::Lambda::EventSourceMapping',
      // The role must allow reading the stream before the mapping is created.
      DependsOn: [roleId],
      Properties: {
        EventSourceArn: streamArn(stream),
        FunctionName: ref(names.base + S.FUNCTION),
        StartingPosition: placement.startingPosition,
        BatchSize: options.sink.batchSize,
        MaximumBatchingWindowInSeconds: options.sink.batchWindowSeconds,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: options.sink.maximumRetryAttempts,
        DestinationConfig: { OnFailure: { Destination: getAtt(SINK_FAILURE_QUEUE, 'Arn') } },
        Enabled: true,
      },
    };
    return {
      functions: { [names.functionKey]: definition },
      resources: {
        [roleId]: role('lambda.amazonaws.com', 'connector', statements, { Description: `Sink ${spec.name}: read stream ${stream.name}, its log group and secrets only` }),
        [names.base + S.EVENT_SOURCE_MAPPING]: mapping,
      },
      outputs: Object.fromEntries([
        descriptorOutput(names.base, {
          kind: 'sink',
          name: spec.name,
          type: spec.type,
          config: input.file,
          topic: spec.topic.name,
          stream: stream.name,
          logGroup: `/aws/lambda/${names.physical}`,
          function: names.physical,
          eventSourceMapping: ref(names.base + S.EVENT_SOURCE_MAPPING), // the mapping's UUID
        }),
      ]),
    };
  },
  stack(): Fragment {
    return {
      functions: {},
      resources: { [SINK_FAILURE_QUEUE]: { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: MAX_SQS_RETENTION_S, SqsManagedSseEnabled: true } } },
      outputs: { SinkFailureQueueUrl: { Description: 'Batches the sinks gave up on (Kinesis event source mapping on-failure destination: shard and sequence numbers to replay)', Value: ref(SINK_FAILURE_QUEUE) } },
    };
  },
};
