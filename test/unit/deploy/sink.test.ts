import { ConnectorEnv } from '../../../lib/core/env';
import { ErrorCode } from '../../../lib/core/errors';
import { generateService } from '../../../lib/deploy/generate';
import type { DeploymentOptionsInput } from '../../../lib/deploy/options';
import { placementOf } from '../../../lib/deploy/plan';
import { SINK_FAILURE_QUEUE, SINK_HANDLER } from '../../../lib/deploy/sink';
import { idsOfType, inputOf, optionsOf, periodicYaml, resourceOf, sinkYaml, statementsOf, subArn, thrown } from './support';

function generateSink(text: string, options: Partial<DeploymentOptionsInput> = {}) {
  return generateService([inputOf(text, 'configs/w.yaml')], optionsOf(options));
}

describe('Function: generateService (sink → function fed by a Kinesis event source mapping)', () => {
  it('should define a function running functions/sink.handler with the config in its environment', () => {
    // Prepare
    const text = sinkYaml('w');

    // Act
    const { functions } = generateSink(text);

    // Assess
    expect(functions).toEqual({
      w: {
        handler: SINK_HANDLER,
        name: 'connectors-dev-w',
        description: 'http-sink w (configs/w.yaml) ← topic w-topic',
        architecture: 'arm64',
        memorySize: 256,
        timeout: 60,
        role: 'WFunctionRole',
        logRetentionInDays: 14,
        environment: {
          [ConnectorEnv.CONFIG]: text,
          [ConnectorEnv.CONFIG_FILE]: 'configs/w.yaml',
          [ConnectorEnv.MARGIN_MS]: '500',
          [ConnectorEnv.METRICS]: 'emf',
          [ConnectorEnv.METRICS_NAMESPACE]: 'Connectors',
          [ConnectorEnv.METRICS_SERVICE]: 'connectors-dev',
        },
      },
    });
  });

  it('should map its topic\'s stream to the function: batches, partial batch responses, bisecting, bounded retries, failures to SQS', () => {
    // Act
    const { resources } = generateSink(sinkYaml('w'));

    // Assess
    expect(resourceOf(resources.Resources, 'WEventSourceMapping')).toEqual({
      Type: 'AWS::Lambda::EventSourceMapping',
      DependsOn: ['WFunctionRole'],
      Properties: {
        EventSourceArn: { 'Fn::GetAtt': ['TopicWTopicStream', 'Arn'] },
        FunctionName: { Ref: 'WLambdaFunction' },
        StartingPosition: 'LATEST',
        BatchSize: 100,
        MaximumBatchingWindowInSeconds: 1,
        ParallelizationFactor: 1,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 3,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [SINK_FAILURE_QUEUE, 'Arn'] } } },
        Enabled: true,
      },
    });
    expect(resourceOf(resources.Resources, SINK_FAILURE_QUEUE)).toMatchObject({ Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600 } });
    expect(resources.Outputs.SinkFailureQueueUrl).toEqual(expect.objectContaining({ Value: { Ref: SINK_FAILURE_QUEUE } }));
  });

  it('should take the mapping settings from custom.connectors.sink', () => {
    // Act
    const { resources, functions } = generateSink(sinkYaml('w'), { sink: { batchSize: 500, batchWindowSeconds: 10, maximumRetryAttempts: 7, timeout: 120 } });

    // Assess
    expect(resourceOf(resources.Resources, 'WEventSourceMapping').Properties).toMatchObject({ BatchSize: 500, MaximumBatchingWindowInSeconds: 10, MaximumRetryAttempts: 7 });
    expect(functions.w).toMatchObject({ timeout: 120 });
  });

  it('should let the role read only its own stream, send to the failure queue, write its own log group', () => {
    // Act
    const { resources } = generateSink(sinkYaml('w'));

    // Assess
    expect(statementsOf(resources.Resources, 'WFunctionRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [subArn('logs', 'log-group:/aws/lambda/connectors-dev-w:*')] },
      {
        Effect: 'Allow',
        Action: ['kinesis:GetRecords', 'kinesis:GetShardIterator', 'kinesis:DescribeStream', 'kinesis:DescribeStreamSummary', 'kinesis:ListShards'],
        Resource: [{ 'Fn::GetAtt': ['TopicWTopicStream', 'Arn'] }],
      },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': [SINK_FAILURE_QUEUE, 'Arn'] }] },
    ]);
  });

  it('should read an existing stream by its ARN when the config does not create its topic', () => {
    // Act
    const { resources } = generateSink(sinkYaml('w', { topic: 'shared', meta: '  create-topic: false\n' }));

    // Assess
    expect(idsOfType(resources.Resources, 'AWS::Kinesis::Stream')).toEqual([]);
    expect(resourceOf(resources.Resources, 'WEventSourceMapping').Properties.EventSourceArn).toEqual(subArn('kinesis', 'stream/connectors-dev-shared'));
  });

  it('should start the mapping at the oldest record for consumer.offset.start beginning', () => {
    // Act
    const { resources } = generateSink(sinkYaml('w', { meta: '  consumer:\n    id: w\n    offset: {start: beginning, strategy: auto}\n' }));

    // Assess
    expect(resourceOf(resources.Resources, 'WEventSourceMapping').Properties.StartingPosition).toBe('TRIM_HORIZON');
  });

  it('should deploy a sink with transforms as a sink function (the function runs them)', () => {
    // Prepare
    const text = `${sinkYaml('w')}transforms:\n  - uses: infinyon/jolt@0.4.1\n    on_error: skip\n    with:\n      spec:\n        - operation: default\n          spec: {source: http}\n`;

    // Act
    const { functions } = generateSink(text);

    // Assess
    expect(functions.w).toMatchObject({ handler: SINK_HANDLER, environment: { [ConnectorEnv.CONFIG]: text } });
  });

  it('should give a sink whose transform step says on_error: dead-letter the <topic>-dlq stream, the right to put to it and the stream prefix', () => {
    // Prepare
    const text = `${sinkYaml('w')}transforms:\n  - uses: infinyon/jolt@0.4.1\n    on_error: dead-letter\n    with:\n      spec:\n        - operation: default\n          spec: {source: http}\n`;

    // Act
    const { functions, resources } = generateSink(text);

    // Assess
    expect(functions.w?.environment).toMatchObject({ [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-' });
    const streams = Object.values(resources.Resources).filter((r) => r.Type === 'AWS::Kinesis::Stream').map((r) => r.Properties?.Name);
    expect(streams).toContain('connectors-dev-w-topic-dlq');
    expect(JSON.stringify(statementsOf(resources.Resources, 'WFunctionRole'))).toContain('kinesis:PutRecords');
  });

  it('should refuse an absolute start offset, which a mapping cannot take', () => {
    // Prepare
    const input = inputOf(sinkYaml('w', { meta: '  consumer:\n    id: w\n    offset: {start: {absolute: 10}, strategy: auto}\n' }), 'configs/w.yaml');

    // Act
    const error = thrown(() => placementOf(input.spec));

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.DEPLOY_CONSUMER_OFFSET_UNSUPPORTED });
    expect(error.message).toContain('configs/w.yaml: consumer.offset.start {"absolute":10} cannot be deployed');
  });

  it('should count 4 resources per sink and 1 per stack for the failure queue, next to a source of the same topic', () => {
    // Prepare
    const inputs = [inputOf(sinkYaml('w', { topic: 'quotes' }), 'configs/w.yaml'), inputOf(periodicYaml('p', '1m', { topic: 'quotes' }), 'configs/p.yaml')];

    // Act
    const service = generateService(inputs, optionsOf());

    // Assess: 3 per stack (bucket, policy, DLQ) + scheduler role + failure queue + stream + 5 (poller) + 4 (sink)
    // + the alarms (one per connector, one on the DLQ)
    expect(service.resourceCount).toBe(3 + 1 + 1 + 1 + 5 + 4 + 2 + 1);
    expect(Object.keys(service.resources.Resources)).toHaveLength(service.resourceCount - 2 - 5); // ours: not the bucket and its policy, nor the 2 functions, 2 log groups and 1 invoke config osls adds
    expect(service.connectors.map((plan) => [plan.name, plan.placement.kind])).toEqual([['w', 'sink'], ['p', 'function']]);
  });

  it('should refuse a config too large for the function environment', () => {
    // Prepare
    const big = sinkYaml('w', { http: `  headers:\n${Array.from({ length: 120 }, (_, i) => `    - "X-H${i}: ${'v'.repeat(30)}"`).join('\n')}\n` });

    // Act
    const error = thrown(() => generateSink(big));

    // Assess
    expect(error).toMatchObject({ code: ErrorCode.DEPLOY_ENVIRONMENT_TOO_LARGE });
  });
});
