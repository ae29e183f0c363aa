import { environmentBytes, LAMBDA_ENV_LIMIT_BYTES } from '../../../lib/core/env';
import { ConnectorEnv } from '../../../lib/core/env';
import { DEAD_LETTER_QUEUE, POLLER_HANDLER, SCHEDULER_ROLE } from '../../../lib/deploy/function';
import { encodeDeployedSpec } from '../../../lib/config/deployed';
import { generateService } from '../../../lib/deploy/generate';
import type { DeploymentOptionsInput } from '../../../lib/deploy/options';
import { ErrorCode } from '../../../lib/core/errors';
import { inputOf, legacyYaml, optionsOf, periodicYaml, resourceOf, statementsOf, streamingYaml, subArn, thrown } from './support';

const DLQ_ARN = { 'Fn::GetAtt': [DEAD_LETTER_QUEUE, 'Arn'] };

const withSecret = (name: string): string =>
  periodicYaml(name, '30s', { meta: '  secrets:\n    - name: API_TOKEN\n', http: '  headers:\n    - "Authorization: Bearer ${{ secrets.API_TOKEN }}"\n' });

function generateOne(text: string, options: Partial<DeploymentOptionsInput> = {}, file = 'configs/p.yaml') {
  return generateService([inputOf(text, file)], optionsOf(options));
}

describe('Function: generateService (periodic source → Lambda function)', () => {
  it('should define the function with the poller handler, its own role, no async retries and the DLQ on failure', () => {
    // Prepare
    const text = periodicYaml('p', '10s');

    // Act
    const { functions } = generateOne(text);

    // Assess
    expect(functions).toEqual({
      p: {
        handler: POLLER_HANDLER,
        name: 'connectors-dev-p',
        description: 'http-source p (configs/p.yaml) → topic p-topic, every 10s',
        architecture: 'arm64',
        memorySize: 256,
        timeout: 70,
        role: 'PFunctionRole',
        logRetentionInDays: 14,
        environment: expect.any(Object),
        maximumRetryAttempts: 0,
        maximumEventAge: 60,
        destinations: { onFailure: { type: 'sqs', arn: DLQ_ARN } },
      },
    });
  });

  it('should pass the validated config, its file, the stream prefix, the window and the metrics output in the environment (names from ConnectorEnv)', () => {
    // Prepare
    const text = periodicYaml('p', '10s');

    // Act
    const { functions } = generateOne(text);

    // Assess: the zod output as JSON (no YAML: the poller runs it without parsing)
    expect(functions.p?.environment).toEqual({
      [ConnectorEnv.SPEC]: encodeDeployedSpec(inputOf(text, 'configs/p.yaml').spec, 'configs/p.yaml'),
      [ConnectorEnv.CONFIG_FILE]: 'configs/p.yaml',
      [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-',
      [ConnectorEnv.WINDOW_MS]: '60000',
      [ConnectorEnv.WINDOW_ANCHOR]: 'epoch',
      [ConnectorEnv.MARGIN_MS]: '500',
      [ConnectorEnv.METRICS]: 'emf',
      [ConnectorEnv.METRICS_NAMESPACE]: 'Connectors',
      [ConnectorEnv.METRICS_SERVICE]: 'connectors-dev',
    });
  });

  it('should take runtime, architecture, memory, log retention and margin from the lambda options', () => {
    // Prepare
    const lambda = { runtime: 'nodejs24.x', architecture: 'x86_64', memorySize: 1024, logRetentionInDays: 30, marginMs: 2000 } as const;

    // Act
    const { functions } = generateOne(periodicYaml('p', '1m'), { lambda });

    // Assess
    expect(functions.p).toMatchObject({ runtime: 'nodejs24.x', architecture: 'x86_64', memorySize: 1024, logRetentionInDays: 30, environment: { CONNECTOR_MARGIN_MS: '2000' } });
  });

  it('should name the secrets and their SSM parameters (default prefix /connectors/dev/) in the environment', () => {
    // Act
    const { functions } = generateOne(withSecret('p'));

    // Assess
    expect(functions.p?.environment).toMatchObject({ [ConnectorEnv.SECRETS_SOURCE]: 'ssm', [ConnectorEnv.SECRETS]: '{"API_TOKEN":"/connectors/dev/API_TOKEN"}' });
  });

  it('should never put a secret value in the output, even when the value is in the environment', () => {
    // Prepare
    const value = 'hunter2-unit-secret-value';
    const before = process.env.API_TOKEN;
    process.env.API_TOKEN = value;
    const fromEnv = { lookup: (name: string) => process.env[name], describe: 'the environment' };
    const stream = streamingYaml('s', { meta: '  secrets:\n    - name: API_TOKEN\n', endpoint: '${{ secrets.API_TOKEN }}' });
    try {
      const inputs = [inputOf(withSecret('p'), 'configs/p.yaml', fromEnv), inputOf(stream, 'configs/s.yaml', fromEnv)];

      // Act
      const fragments = generateService(inputs, optionsOf());

      // Assess
      const rendered = JSON.stringify(fragments);
      expect(rendered).toContain('API_TOKEN');
      expect(rendered).not.toContain(value);
    } finally {
      if (before === undefined) delete process.env.API_TOKEN;
      else process.env.API_TOKEN = before;
    }
  });

  it('should let the role write its own log group, put to its own created stream and send to the DLQ, nothing else', () => {
    // Act
    const { resources } = generateOne(periodicYaml('p', '10s'));

    // Assess
    expect(statementsOf(resources.Resources, 'PFunctionRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [subArn('logs', 'log-group:/aws/lambda/connectors-dev-p:*')] },
      { Effect: 'Allow', Action: ['kinesis:PutRecords', 'kinesis:PutRecord', 'kinesis:DescribeStreamSummary'], Resource: [{ 'Fn::GetAtt': ['TopicPTopicStream', 'Arn'] }] },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [DLQ_ARN] },
    ]);
    expect(resourceOf(resources.Resources, 'PFunctionRole').Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Effect: 'Allow', Principal: { Service: ['lambda.amazonaws.com'] }, Action: ['sts:AssumeRole'] },
    ]);
  });

  it('should reference a stream it does not create (`create_topic: false`) by its name', () => {
    // Prepare
    const text = legacyYaml('existing', '90', { topic: 'shared-events', createTopic: false });

    // Act
    const { resources } = generateOne(text);

    // Assess
    const kinesis = statementsOf(resources.Resources, 'ExistingFunctionRole')[1];
    expect(kinesis?.Resource).toEqual([subArn('kinesis', 'stream/connectors-dev-shared-events')]);
  });

  it('should let the role read exactly its declared secret from SSM under the default prefix', () => {
    // Act
    const { resources } = generateOne(withSecret('p'));

    // Assess
    expect(statementsOf(resources.Resources, 'PFunctionRole')).toContainEqual({
      Effect: 'Allow',
      Action: ['ssm:GetParameters', 'ssm:GetParameter'],
      Resource: [subArn('ssm', 'parameter/connectors/dev/API_TOKEN')],
    });
  });

  it('should let the role read exactly its declared secret from Secrets Manager with `secrets.source: secrets-manager`', () => {
    // Act
    const { functions, resources } = generateOne(withSecret('p'), { secrets: { source: 'secrets-manager' } });

    // Assess
    expect(statementsOf(resources.Resources, 'PFunctionRole')).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [subArn('secretsmanager', 'secret:connectors/dev/API_TOKEN-??????')],
    });
    expect(functions.p?.environment).toMatchObject({ CONNECTOR_SECRETS_SOURCE: 'secrets-manager', CONNECTOR_SECRETS: '{"API_TOKEN":"connectors/dev/API_TOKEN"}' });
  });

  it.each([
    ['ssm', '/team/prod/', 'ssm', 'parameter/team/prod/API_TOKEN'],
    ['secrets-manager', 'team/', 'secretsmanager', 'secret:team/API_TOKEN-??????'],
  ] as const)('should use a custom `secrets.prefix` with %s', (source, prefix, service, resource) => {
    // Act
    const { functions, resources } = generateOne(withSecret('p'), { secrets: { source, prefix } });

    // Assess
    expect(statementsOf(resources.Resources, 'PFunctionRole')[2]?.Resource).toEqual([subArn(service, resource)]);
    expect(functions.p?.environment).toMatchObject({ CONNECTOR_SECRETS: JSON.stringify({ API_TOKEN: `${prefix}API_TOKEN` }) });
  });

  it('should give a config without secrets neither secret statements nor secret variables', () => {
    // Act
    const { functions, resources } = generateOne(periodicYaml('p', '10s'));

    // Assess
    expect(JSON.stringify(statementsOf(resources.Resources, 'PFunctionRole'))).not.toMatch(/ssm:|secretsmanager:/);
    expect(Object.keys(functions.p?.environment as object)).not.toContain(ConnectorEnv.SECRETS);
  });

  it('should schedule the function with EventBridge Scheduler: no flexible window, no retries, events older than 60 s to the DLQ', () => {
    // Act
    const { resources } = generateOne(periodicYaml('p', '15s'));

    // Assess
    const schedule = resourceOf(resources.Resources, 'PSchedule');
    expect(schedule).toEqual({
      Type: 'AWS::Scheduler::Schedule',
      Properties: {
        Description: 'p: every 15s, polled per slot inside each minute',
        ScheduleExpression: 'rate(1 minute)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        State: 'ENABLED',
        Target: {
          Arn: { 'Fn::GetAtt': ['PLambdaFunction', 'Arn'] },
          RoleArn: { 'Fn::GetAtt': [SCHEDULER_ROLE, 'Arn'] },
          Input: { 'Fn::Sub': expect.any(String) },
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
          DeadLetterConfig: { Arn: DLQ_ARN },
        },
      },
    });
    expect(JSON.parse(schedule.Properties.Target.Input['Fn::Sub'])).toEqual({
      version: '0',
      id: '<aws.scheduler.execution-id>',
      'detail-type': 'Scheduled Event',
      source: 'aws.scheduler',
      account: '${AWS::AccountId}',
      time: '<aws.scheduler.scheduled-time>',
      region: '${AWS::Region}',
      resources: ['<aws.scheduler.schedule-arn>'],
      detail: {},
    });
  });

  it('should add the DLQ and a scheduler role that may invoke only this stage\'s functions', () => {
    // Act
    const { resources } = generateOne(periodicYaml('p', '1m'));

    // Assess
    expect(resourceOf(resources.Resources, DEAD_LETTER_QUEUE)).toEqual({ Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true } });
    expect(statementsOf(resources.Resources, SCHEDULER_ROLE)).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [subArn('lambda', 'function:connectors-dev-*')] },
      { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [DLQ_ARN] },
    ]);
    expect(resources.Outputs.DeadLetterQueueUrl?.Value).toEqual({ Ref: DEAD_LETTER_QUEUE });
  });

  it('should refuse a config whose text exceeds Lambda\'s 4 KB environment with DEPLOY_ENVIRONMENT_TOO_LARGE naming the file', () => {
    // Prepare
    const text = periodicYaml('big', '10s', { http: `  method: POST\n  body: "${'x'.repeat(LAMBDA_ENV_LIMIT_BYTES)}"\n` });

    // Act
    const error = thrown(() => generateOne(text, {}, 'configs/big.yaml'));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_ENVIRONMENT_TOO_LARGE);
    expect(error.message).toMatch(/^configs\/big\.yaml: the config is too large to pass to its Lambda function \(\d+ bytes of environment, Lambda allows 4096\)/);
  });

  it('should accept an environment of exactly 4096 bytes and refuse one byte more', () => {
    // Prepare: a body of n bytes adds n bytes to the spec's JSON
    const withBody = (length: number): string => periodicYaml('edge', '10s', { http: `  method: POST\n  body: "${'x'.repeat(length)}"\n` });
    const overhead = environmentBytes(generateOne(withBody(1)).functions.edge?.environment as Record<string, string>) - 1;
    const padded = (bytes: number): string => withBody(bytes - overhead);

    // Act
    const fits = generateOne(padded(LAMBDA_ENV_LIMIT_BYTES));
    const error = thrown(() => generateOne(padded(LAMBDA_ENV_LIMIT_BYTES + 1)));

    // Assess
    expect(environmentBytes(fits.functions.edge?.environment as Record<string, string>)).toBe(LAMBDA_ENV_LIMIT_BYTES);
    expect(error.code).toBe(ErrorCode.DEPLOY_ENVIRONMENT_TOO_LARGE);
    expect(error.message).toContain('(4097 bytes of environment');
  });

  it('should count the environment in UTF-8 bytes, not characters', () => {
    // Prepare: 2,500 characters, 5,000 bytes
    const text = periodicYaml('utf8', '10s', { http: `  method: POST\n  body: "${'é'.repeat(2_500)}"\n` });

    // Act
    const error = thrown(() => generateOne(text, {}, 'configs/utf8.yaml'));

    // Assess
    expect(text.length).toBeLessThan(LAMBDA_ENV_LIMIT_BYTES);
    expect(error.code).toBe(ErrorCode.DEPLOY_ENVIRONMENT_TOO_LARGE);
  });
});
