import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { defaultRegistry } from '../../../lib/connectors';
import { DEPLOYED_SPEC_TAG } from '../../../lib/config/deployed';
import { generateService, parseDeploymentOptions } from '../../../lib/deploy';
import { loadConnectorInputs } from '../../../lib/deploy/load';
import { checkTemplate } from '../../support/cfn-spec';
import { requireBuild } from '../../support/cli';
import { zipFiles } from '../../support/zip';
import { artifactOf, packagedTemplate, resourcesOfType, runServerless, serviceDir, type ServiceDir, type Template } from '../../support/serverless';

jest.setTimeout(120_000);

const periodic = (name: string, interval: string, extra = ''): string => `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: ${name}
  type: http-source
  topic: ${name}-topic
${extra}http:
  endpoint: https://example.com/${name}
  interval: ${interval}
`;

const FIXTURES: Record<string, string> = {
  'every-five.yaml': periodic('every-five', '5m'),
  'with-secret.yaml': periodic('with-secret', '30s', '  secrets:\n    - name: API_TOKEN\n').replace('interval: 30s', 'interval: 30s\n  headers:\n    - "Authorization: Bearer ${{ secrets.API_TOKEN }}"'),
  'existing-topic.yaml': `version: 0.1.0
name: existing-topic
type: http
topic: shared-events
create_topic: false
direction: source
parameters:
  endpoint: https://example.com/events
  interval: 90
`,
  'sink-secret.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: sink-secret
  type: http-sink
  topic: shared-events
  create-topic: false
  consumer:
    id: sink-secret
    offset: {start: beginning, strategy: auto}
  secrets:
    - name: HOOK_URL
http:
  endpoint: "\${{ secrets.HOOK_URL }}"
`,
  'mqtt-secret.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: mqtt-secret
  type: mqtt-source
  topic: sensors
  secrets:
    - name: MQTT_URL
mqtt:
  url: "\${{ secrets.MQTT_URL }}"
  topic: "sensors/+/temp"
`,
  'stream-secret.yaml': `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: stream-secret
  type: http-source
  topic: ticks
  secrets:
    - name: STREAM_URL
http:
  endpoint: "\${{ secrets.STREAM_URL }}"
  stream: true
  delimiter: "\\n"
`,
};

function definitionOf(template: Template, logicalId: string): Record<string, any> {
  const resource = template.Resources[logicalId];
  if (!resource) throw new Error(`no resource ${logicalId}; have ${Object.keys(template.Resources).join(', ')}`);
  return resource.Properties ?? {};
}

describe('serverless package (osls, offline) on the repository configs', () => {
  let service: ServiceDir;
  let template: Template;
  let output: string;

  beforeAll(async () => {
    requireBuild();
    service = serviceDir();
    const result = await runServerless(service.dir, ['package']);
    output = result.stdout + result.stderr;
    if (result.code !== 0) throw new Error(`serverless package failed (${result.code}):\n${output}`);
    template = packagedTemplate(service.dir);
  });

  afterAll(() => service?.cleanup());

  it('should pass the CloudFormation resource specification check', async () => {
    // Act
    const problems = await checkTemplate(template);

    // Assess
    expect(problems).toEqual([]);
  });

  it('should make each periodic source a function scheduled every minute by EventBridge Scheduler, aligned to the scheduled time', () => {
    // Assess
    const functions = resourcesOfType(template, 'AWS::Lambda::Function');
    expect(Object.keys(functions).sort()).toEqual(['CatFactsLambdaFunction', 'QuotesPeriodicLambdaFunction', 'QuotesWebhookLambdaFunction']);
    const quotes = definitionOf(template, 'QuotesPeriodicLambdaFunction');
    expect(quotes).toMatchObject({ Handler: 'functions/poller.handler', FunctionName: 'connectors-dev-quotes-periodic', Timeout: 70 });
    expect(quotes.Environment.Variables).toMatchObject({ CONNECTOR_CONFIG_FILE: 'configs/quotes-periodic.yaml', CONNECTOR_WINDOW_MS: '60000', CONNECTOR_WINDOW_ANCHOR: 'epoch', CONNECTOR_STREAM_PREFIX: 'connectors-dev-' });
    // The validated config (zod's output: the interval in ms), not the YAML (lib/config/deployed.ts)
    expect(quotes.Environment.Variables.CONNECTOR_CONFIG).toBeUndefined();
    expect(JSON.parse(quotes.Environment.Variables.CONNECTOR_SPEC!)).toMatchObject({ tag: DEPLOYED_SPEC_TAG, spec: { name: 'quotes-periodic', config: { interval: 2000 } } });
    const schedule = definitionOf(template, 'QuotesPeriodicSchedule');
    expect(schedule).toMatchObject({ ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' } });
    expect(schedule.Target).toMatchObject({
      Arn: { 'Fn::GetAtt': ['QuotesPeriodicLambdaFunction', 'Arn'] },
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['ConnectorsDeadLetterQueue', 'Arn'] } },
    });
    const input = JSON.parse(schedule.Target.Input['Fn::Sub']);
    expect(input).toMatchObject({ 'detail-type': 'Scheduled Event', time: '<aws.scheduler.scheduled-time>' });
  });

  it('should drop a failed or late invocation to the dead-letter queue instead of retrying it later', () => {
    // Assess
    expect(definitionOf(template, 'QuotesPeriodicLambdaEvConf')).toMatchObject({
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ConnectorsDeadLetterQueue', 'Arn'] } } },
    });
  });

  it('should make each streaming source a Fargate service of one task running `connector run`', () => {
    // Assess
    expect(Object.keys(resourcesOfType(template, 'AWS::ECS::Service')).sort()).toEqual(['MyTestConnectorService', 'MyTestMqttService', 'QuotesStreamService']);
    const service_ = definitionOf(template, 'QuotesStreamService');
    expect(service_).toMatchObject({ DesiredCount: 1, LaunchType: 'FARGATE', Cluster: { Ref: 'ConnectorsCluster' } });
    const task = definitionOf(template, 'QuotesStreamTaskDefinition');
    expect(task).toMatchObject({ RequiresCompatibilities: ['FARGATE'], NetworkMode: 'awsvpc', Cpu: '256', Memory: '512' });
    const container = task.ContainerDefinitions[0];
    expect(container.Command).toEqual(['run', '--config-env', 'CONNECTOR_CONFIG']);
    const env = Object.fromEntries(container.Environment.map((e: { Name: string; Value: string }) => [e.Name, e.Value]));
    expect(env).toMatchObject({ CONNECTOR_TOPICS: 'kinesis', CONNECTOR_STREAM_PREFIX: 'connectors-dev-', CONNECTOR_CONFIG_FILE: 'configs/quotes-stream.yaml' });
    expect(env.CONNECTOR_CONFIG).toContain('stream: true');
    expect(container.LogConfiguration.Options['awslogs-group']).toEqual({ Ref: 'QuotesStreamLogGroup' });
  });

  it('should create one on-demand stream per topic and let each function put only to its own', () => {
    // Assess
    const streams = resourcesOfType(template, 'AWS::Kinesis::Stream');
    expect(Object.values(streams).map((s) => s.Properties?.Name).sort()).toEqual(['connectors-dev-cat-facts', 'connectors-dev-my-mqtt', 'connectors-dev-my-test-connector', 'connectors-dev-quotes']);
    expect(Object.values(streams).every((s) => s.Properties?.StreamModeDetails?.StreamMode === 'ON_DEMAND' && s.DeletionPolicy === 'Retain')).toBe(true);
    const statements = definitionOf(template, 'QuotesPeriodicFunctionRole').Policies[0].PolicyDocument.Statement;
    const kinesis = statements.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith('kinesis:')));
    expect(kinesis).toEqual([expect.objectContaining({ Resource: [{ 'Fn::GetAtt': ['TopicQuotesStream', 'Arn'] }] })]);
    expect(JSON.stringify(statements)).not.toContain('"*"');
  });

  it('should make the http-sink a function fed by its topic\'s stream: partial batch responses, bisecting, bounded retries, failures to SQS', () => {
    // Assess
    const fn = definitionOf(template, 'QuotesWebhookLambdaFunction');
    expect(fn).toMatchObject({ Handler: 'functions/sink.handler', FunctionName: 'connectors-dev-quotes-webhook', Timeout: 60 });
    expect(fn.Environment.Variables).toMatchObject({ CONNECTOR_CONFIG_FILE: 'configs/quotes-webhook.yaml', CONNECTOR_MARGIN_MS: '500' });
    expect(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')).not.toHaveProperty('QuotesWebhookLambdaEvConf');
    const mappings = resourcesOfType(template, 'AWS::Lambda::EventSourceMapping');
    expect(Object.keys(mappings)).toEqual(['QuotesWebhookEventSourceMapping']);
    expect(definitionOf(template, 'QuotesWebhookEventSourceMapping')).toEqual({
      EventSourceArn: { 'Fn::GetAtt': ['TopicQuotesStream', 'Arn'] },
      FunctionName: { Ref: 'QuotesWebhookLambdaFunction' },
      StartingPosition: 'LATEST',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['ConnectorsSinkFailureQueue', 'Arn'] } } },
      Enabled: true,
    });
    const statements = definitionOf(template, 'QuotesWebhookFunctionRole').Policies[0].PolicyDocument.Statement;
    const kinesis = statements.filter((s: { Action: string[] }) => s.Action.some((a) => a.startsWith('kinesis:')));
    expect(kinesis).toEqual([expect.objectContaining({ Resource: [{ 'Fn::GetAtt': ['TopicQuotesStream', 'Arn'] }] })]);
    expect(kinesis[0].Action).not.toContain('kinesis:PutRecords');
    expect(JSON.stringify(statements)).not.toContain('"*"');
    expect(template.Outputs?.SinkFailureQueueUrl).toBeDefined();
  });

  it('should count the stack\'s resources as the generator does (the 500-resource check relies on it)', () => {
    // Prepare
    const inputs = loadConnectorInputs(service.dir, 'configs', defaultRegistry);

    // Act
    const fragments = generateService(inputs, parseDeploymentOptions({ service: 'connectors', stage: 'dev', region: 'us-east-1' }));

    // Assess
    expect(Object.keys(template.Resources)).toHaveLength(fragments.resourceCount);
  });

  it('should alarm on each connector\'s errors/dropped/undelivered records (its EMF metrics) and on the stack\'s dead-letter queue', () => {
    // Assess
    const alarms = resourcesOfType(template, 'AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms).sort()).toEqual(['CatFactsErrorsAlarm', 'ConnectorsDeadLetterAlarm', 'MyTestConnectorErrorsAlarm', 'MyTestMqttErrorsAlarm', 'QuotesPeriodicErrorsAlarm', 'QuotesStreamErrorsAlarm', 'QuotesWebhookErrorsAlarm']);
    const errors = definitionOf(template, 'QuotesStreamErrorsAlarm').Metrics[0].MetricStat.Metric;
    expect(errors).toEqual({ Namespace: 'Connectors', MetricName: 'Errors', Dimensions: [{ Name: 'service', Value: 'connectors-dev' }, { Name: 'connector', Value: 'quotes-stream' }] });
    expect(definitionOf(template, 'QuotesPeriodicLambdaFunction').Environment.Variables).toMatchObject({ CONNECTOR_METRICS: 'emf', CONNECTOR_METRICS_SERVICE: 'connectors-dev' });
  });

  it('should package one zip per kind of function: every poller runs the same one, the sink its own', () => {
    // Act
    const zips = ['catFacts', 'quotesPeriodic', 'quotesWebhook'].map((key) => artifactOf(service.dir, key));

    // Assess: catFacts sorts first among the pollers, so its zip is theirs
    expect(zips).toEqual(['catFacts.zip', 'catFacts.zip', 'quotesWebhook.zip'].map((name) => join(service.dir, '.serverless', name)));
    expect(readdirSync(join(service.dir, '.serverless')).filter((name) => name.endsWith('.zip')).sort()).toEqual(['catFacts.zip', 'quotesWebhook.zip']);
  });

  it('should leave out of the functions\' bundles what no function runs, each part replaced by an error naming it', async () => {
    // Act
    const poller = (await zipFiles(artifactOf(service.dir, 'quotesPeriodic'))).get('functions/poller.js')!.toString('utf8');
    const sink = (await zipFiles(artifactOf(service.dir, 'quotesWebhook'))).get('functions/sink.js')!.toString('utf8');

    // Assess: the marks of better-sqlite3 (its native module's name) and of MQTT.js (MQTT 3.1's protocol name) are gone
    for (const bundle of [poller, sink]) {
      expect(bundle).not.toContain('better_sqlite3.node');
      expect(bundle).not.toContain('MQIsdp');
      expect(bundle).toContain('node_modules/thread-stream/index.js is left out');
    }
    expect(sink).toContain('lib/connectors/mqtt/source.ts is left out of this Lambda function\'s bundle');
    expect(poller).toContain('lib/topics/local/index.ts is left out'); // the sink function never opens a topic backend
    expect(sink).toContain('lib/connectors/http-source/source.ts is left out');
    // The poller registers http-source alone (periodicRegistry): no other connector, not even its schema, is in it.
    expect(sink).toContain('MQTT topic filter to subscribe to');
    expect(poller).not.toContain('MQTT topic filter to subscribe to');
    expect(poller).not.toContain('URL every record is sent to');
    // A poller without secrets or transforms runs the generator's validated config: neither zod nor yaml is in its bundle
    // (marks: zod's object schema class name, yaml's parse error class; functions/README.md, "Cold start").
    expect(poller).not.toContain('$ZodObject');
    expect(poller).not.toContain('YAMLParseError');
    expect(sink).toContain('$ZodObject');
    expect(poller).not.toContain('lib/connectors/mqtt/source.ts is left out');
  });
});

describe('serverless package (osls, offline) on a fixture set', () => {
  let service: ServiceDir;
  let template: Template;

  beforeAll(async () => {
    requireBuild();
    service = serviceDir({ configs: FIXTURES });
    // A secret value in the environment must never reach the template.
    const result = await runServerless(service.dir, ['package', '--stage', 'prod', '--param', 'image=123456789012.dkr.ecr.eu-west-1.amazonaws.com/connectors@sha256:abc', '--param', 'subnets=subnet-1,subnet-2', '--param', 'securityGroups=sg-1'], { API_TOKEN: 'hunter2-secret-value' });
    if (result.code !== 0) throw new Error(`serverless package failed (${result.code}):\n${result.stdout}${result.stderr}`);
    template = packagedTemplate(service.dir);
  });

  afterAll(() => service?.cleanup());

  it('should pass the CloudFormation resource specification check', async () => {
    expect(await checkTemplate(template)).toEqual([]);
  });

  it('should schedule a whole-minute interval natively, one poll per event', () => {
    // Assess
    expect(definitionOf(template, 'EveryFiveSchedule').ScheduleExpression).toBe('rate(5 minutes)');
    const fn = definitionOf(template, 'EveryFiveLambdaFunction');
    expect(fn.Timeout).toBe(310);
    expect(fn.Environment.Variables).toMatchObject({ CONNECTOR_WINDOW_MS: '300000', CONNECTOR_WINDOW_ANCHOR: 'event' });
  });

  it('should schedule 90 s (legacy `interval: 90`) every minute with slot polling', () => {
    expect(definitionOf(template, 'ExistingTopicSchedule').ScheduleExpression).toBe('rate(1 minute)');
    expect(definitionOf(template, 'ExistingTopicLambdaFunction').Environment.Variables.CONNECTOR_WINDOW_ANCHOR).toBe('epoch');
  });

  it('should reference an existing topic\'s stream by name instead of creating it', () => {
    // Assess
    const names = Object.values(resourcesOfType(template, 'AWS::Kinesis::Stream')).map((s) => s.Properties?.Name);
    expect(names).not.toContain('connectors-prod-shared-events');
    const statements = JSON.stringify(definitionOf(template, 'ExistingTopicFunctionRole').Policies[0].PolicyDocument.Statement);
    expect(statements).toContain(':stream/connectors-prod-shared-events');
  });

  it('should resolve secrets at run time: names and IAM for their own parameters only, never values', () => {
    // Assess
    const fn = definitionOf(template, 'WithSecretLambdaFunction');
    expect(JSON.parse(fn.Environment.Variables.CONNECTOR_SECRETS)).toEqual({ API_TOKEN: '/connectors/prod/API_TOKEN' });
    expect(fn.Environment.Variables.CONNECTOR_SECRETS_SOURCE).toBe('ssm');
    const statements = JSON.stringify(definitionOf(template, 'WithSecretFunctionRole').Policies[0].PolicyDocument.Statement);
    expect(statements).toContain('parameter/connectors/prod/API_TOKEN');
    expect(JSON.stringify(definitionOf(template, 'EveryFiveFunctionRole'))).not.toContain('ssm:');
    expect(JSON.stringify(template)).not.toContain('hunter2');
  });

  it('should deploy a sink of an existing stream from its oldest record, its endpoint a secret resolved at run time', () => {
    // Assess
    expect(definitionOf(template, 'SinkSecretEventSourceMapping')).toMatchObject({
      StartingPosition: 'TRIM_HORIZON',
      EventSourceArn: { 'Fn::Sub': 'arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/connectors-prod-shared-events' },
    });
    const fn = definitionOf(template, 'SinkSecretLambdaFunction');
    expect(JSON.parse(fn.Environment.Variables.CONNECTOR_SECRETS)).toEqual({ HOOK_URL: '/connectors/prod/HOOK_URL' });
    expect(JSON.stringify(definitionOf(template, 'SinkSecretFunctionRole'))).toContain('parameter/connectors/prod/HOOK_URL');
  });

  it('should run an mqtt source with a secret URL as a Fargate task, the secret injected by ECS', () => {
    // Assess
    const container = definitionOf(template, 'MqttSecretTaskDefinition').ContainerDefinitions[0];
    expect(container.Secrets).toEqual([{ Name: 'MQTT_URL', ValueFrom: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/connectors/prod/MQTT_URL' } }]);
    expect(container.Command).toEqual(['run', '--config-env', 'CONNECTOR_CONFIG']);
  });

  it('should count the fixture stack\'s resources as the generator does', () => {
    // Prepare
    const inputs = loadConnectorInputs(service.dir, 'configs', defaultRegistry);

    // Act
    const fragments = generateService(inputs, parseDeploymentOptions({ service: 'connectors', stage: 'prod', region: 'us-east-1' }));

    // Assess
    expect(Object.keys(template.Resources)).toHaveLength(fragments.resourceCount);
  });

  it('should inject a streaming task\'s secrets from SSM through ECS, with the image and network from --param', () => {
    // Assess
    const container = definitionOf(template, 'StreamSecretTaskDefinition').ContainerDefinitions[0];
    expect(container.Image).toBe('123456789012.dkr.ecr.eu-west-1.amazonaws.com/connectors@sha256:abc');
    expect(container.Secrets).toEqual([{ Name: 'STREAM_URL', ValueFrom: { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/connectors/prod/STREAM_URL' } }]);
    expect(definitionOf(template, 'StreamSecretService').NetworkConfiguration.AwsvpcConfiguration).toEqual({ Subnets: ['subnet-1', 'subnet-2'], SecurityGroups: ['sg-1'], AssignPublicIp: 'ENABLED' });
    expect(JSON.stringify(definitionOf(template, 'StreamSecretExecutionRole'))).toContain('parameter/connectors/prod/STREAM_URL');
  });
});

describe('serverless package (osls, offline) with invalid input', () => {
  beforeAll(() => requireBuild());

  it('should fail with the located error of every invalid config', async () => {
    // Prepare
    const service = serviceDir({
      configs: {
        'good.yaml': periodic('good', '10s'),
        'bad-interval.yaml': periodic('bad-interval', 'soon'),
        'bad-field.yaml': periodic('bad-field', '10s').replace('interval: 10s', 'interval: 10s\n  output_typ: json'),
      },
    });
    try {
      // Act
      const result = await runServerless(service.dir, ['package']);

      // Assess
      const output = result.stdout + result.stderr;
      expect(result.code).not.toBe(0);
      expect(output).toMatch(/configs\/bad-interval\.yaml:9:13: http\.interval: .*"soon"/);
      expect(output).toMatch(/configs\/bad-field\.yaml:10:3: http\.output_typ: unknown field.*did you mean "output_type"/);
      expect(output.match(/bad-interval\.yaml:9:13/g)).toHaveLength(1);
      expect(output).toContain('2 config problem(s), printed above [CONFIG_UNKNOWN_FIELD]');
      expect(existsSync(join(service.dir, '.serverless/cloudformation-template-update-stack.json'))).toBe(false);
    } finally {
      service.cleanup();
    }
  });

  it('should refuse to deploy streaming sources without an image and subnets, before any AWS call', async () => {
    // Prepare: the repository's configs (two streaming sources), no credentials
    const service = serviceDir();
    try {
      // Act
      const result = await runServerless(service.dir, ['deploy']);

      // Assess
      const output = result.stdout + result.stderr;
      expect(result.code).not.toBe(0);
      expect(output).toContain('streaming sources (my-test-mqtt, quotes-stream, my-test-connector) run as Fargate tasks and need the container image (--param image=<uri>');
      expect(output).toContain('[DEPLOY_OPTIONS_INVALID]');
      expect(output).not.toMatch(/credentials/i);
    } finally {
      service.cleanup();
    }
  });

  it('should require --param group=N when the connectors are spread over several stacks, and package one stack with it', async () => {
    // Prepare
    const configs = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`c${i}.yaml`, periodic(`c${i}`, '1m')]));
    const service = serviceDir({ configs, editYml: (yml) => yml.replace('groups: 1', 'groups: 3') });
    try {
      // Act
      const missing = await runServerless(service.dir, ['package']);
      const one = await runServerless(service.dir, ['package', '--param', 'group=1']);

      // Assess
      expect(missing.code).not.toBe(0);
      expect(missing.stdout + missing.stderr).toContain('--param group=N (0 … 2)');
      expect(one.code).toBe(0);
      const state = JSON.parse(require('node:fs').readFileSync(join(service.dir, '.serverless/serverless-state.json'), 'utf8'));
      expect(state.service.provider.stackName).toBe('connectors-dev-g1');
    } finally {
      service.cleanup();
    }
  });
});
