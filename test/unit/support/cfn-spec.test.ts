import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { checkTemplate, loadCfnSpec, type TemplateProblem } from '../../support/cfn-spec';

/** Free-form template JSON: each case edits it in place. */
type Template = Record<string, any>;

const VALID: Template = JSON.parse(readFileSync(resolve(__dirname, '../../fixtures/cfn/valid-service.json'), 'utf8'));

/** The valid fixture after `mutate`, checked. */
async function problemsAfter(mutate: (t: Template) => void): Promise<TemplateProblem[]> {
  const template = structuredClone(VALID);
  mutate(template);
  return checkTemplate(template);
}

/** `n` extra SQS queues, named Queue0..Queue(n-1). */
function addQueues(t: Template, n: number): void {
  for (let i = 0; i < n; i++) t.Resources[`Queue${i}`] = { Type: 'AWS::SQS::Queue' };
}

describe('test/support/cfn-spec', () => {
  it('should find no problems in a valid template with Lambda, schedule, SQS, IAM, ECS and Kinesis resources', async () => {
    // Prepare: fixture uses numbers written as strings, maps, lists of property types, Fn::If, Fn::Sub with variables, Outputs.
    const template = structuredClone(VALID);

    // Act
    const problems = await checkTemplate(template);

    // Assess
    expect(problems).toEqual([]);
    expect(Object.keys(template.Resources)).toHaveLength(13);
  });

  it('should load the specification once and reuse it', async () => {
    const first = loadCfnSpec();
    const second = loadCfnSpec();
    expect(second).toBe(first);
    expect((await first).lookup('resource', 'cloudFormationType', 'equals', 'AWS::Scheduler::Schedule')).toHaveLength(1);
  });

  it.each<[string, (t: Template) => void, Partial<TemplateProblem> & { message: string }]>([
    ['unknown resource type', (t) => { t.Resources.Topic.Type = 'AWS::Kinesis::Streams'; },
      { logicalId: 'Topic', path: 'Type', message: 'Topic.Type: unknown resource type AWS::Kinesis::Streams (did you mean AWS::Kinesis::Stream?)' }],
    ['unknown top-level property', (t) => { const p = t.Resources.PollerFunction.Properties; p.Timeoutt = p.Timeout; delete p.Timeout; },
      { logicalId: 'PollerFunction', path: 'Properties.Timeoutt', message: 'PollerFunction.Properties.Timeoutt: unknown property of AWS::Lambda::Function (did you mean Timeout?), expected one of Architectures, ' }],
    ['unknown nested property', (t) => { t.Resources.PollerSchedule.Properties.Target.RetryPolicy.MaximumEventAgeInSecond = 60; },
      { logicalId: 'PollerSchedule', path: 'Properties.Target.RetryPolicy.MaximumEventAgeInSecond', message: 'unknown property of AWS::Scheduler::Schedule.RetryPolicy (did you mean MaximumEventAgeInSeconds?), expected one of MaximumEventAgeInSeconds, MaximumRetryAttempts' }],
    ['unknown property inside a list element', (t) => { t.Resources.StreamTaskDefinition.Properties.ContainerDefinitions[0].LogConfiguration.Option = {}; },
      { logicalId: 'StreamTaskDefinition', path: 'Properties.ContainerDefinitions[0].LogConfiguration.Option', message: 'unknown property of AWS::ECS::TaskDefinition.LogConfiguration (did you mean Options?)' }],
    ['unknown resource attribute', (t) => { t.Resources.Cluster.Propertes = {}; },
      { logicalId: 'Cluster', path: 'Propertes', message: 'Cluster.Propertes: unknown resource attribute (did you mean Properties?)' }],
    ['missing required property', (t) => { delete t.Resources.PollerFunction.Properties.Role; },
      { logicalId: 'PollerFunction', path: 'Properties.Role', message: 'PollerFunction.Properties.Role: missing required property Role of AWS::Lambda::Function' }],
    ['missing nested required property', (t) => { delete t.Resources.PollerSchedule.Properties.Target.Arn; },
      { logicalId: 'PollerSchedule', path: 'Properties.Target.Arn', message: 'missing required property Arn of AWS::Scheduler::Schedule.Target' }],
    ['missing required property of a tag', (t) => { t.Resources.PollerFunction.Properties.Tags.push({ Key: 'team' }); },
      { logicalId: 'PollerFunction', path: 'Properties.Tags[1].Value', message: 'missing required property Value of Tag' }],
    ['Ref to a missing resource', (t) => { t.Resources.StreamService.Properties.Cluster = { Ref: 'Clustr' }; },
      { logicalId: 'StreamService', path: 'Properties.Cluster.Ref', message: 'Ref "Clustr": expected another resource, a parameter or a pseudo parameter (did you mean Cluster?)' }],
    ['Ref to itself', (t) => { t.Resources.Topic.Properties.Name = { Ref: 'Topic' }; },
      { logicalId: 'Topic', path: 'Properties.Name.Ref', message: 'Ref "Topic": expected another resource' }],
    ['GetAtt with an unknown attribute', (t) => { t.Resources.PollerInvokeConfig.Properties.DestinationConfig.OnFailure.Destination = { 'Fn::GetAtt': ['DeadLetterQueue', 'Arnn'] }; },
      { logicalId: 'PollerInvokeConfig', path: 'Properties.DestinationConfig.OnFailure.Destination.Fn::GetAtt', message: 'Fn::GetAtt DeadLetterQueue.Arnn: AWS::SQS::Queue has no attribute Arnn (did you mean Arn?), expected one of Arn, QueueName, QueueUrl' }],
    ['GetAtt of a missing resource', (t) => { t.Resources.PollerFunction.Properties.Role = { 'Fn::GetAtt': 'PollerRol.Arn' }; },
      { logicalId: 'PollerFunction', path: 'Properties.Role.Fn::GetAtt', message: 'Fn::GetAtt PollerRol.Arn: expected another resource of this template (did you mean PollerRole?)' }],
    ['GetAtt of a parameter', (t) => { t.Resources.PollerFunction.Properties.Role = { 'Fn::GetAtt': ['Stage', 'Arn'] }; },
      { logicalId: 'PollerFunction', path: 'Properties.Role.Fn::GetAtt', message: 'Fn::GetAtt Stage.Arn: expected another resource of this template' }],
    ['Sub with an unknown reference', (t) => { t.Resources.Topic.Properties.Name = { 'Fn::Sub': '${AWS::StackName}-${Stag}-events' }; },
      { logicalId: 'Topic', path: 'Properties.Name.Fn::Sub', message: 'Topic.Properties.Name.Fn::Sub: Fn::Sub ${Stag}: expected another resource, a parameter or a pseudo parameter (did you mean Stage?)' }],
    ['Sub with an unknown attribute', (t) => { t.Resources.PollerSchedule.Properties.Target.Input['Fn::Sub'][0] = '${Name}/${DeadLetterQueue.QueueNam}'; },
      { logicalId: 'PollerSchedule', path: 'Properties.Target.Input.Fn::Sub', message: 'Fn::Sub ${DeadLetterQueue.QueueNam}: AWS::SQS::Queue has no attribute QueueNam (did you mean QueueName?)' }],
    ['Ref to a missing resource inside Sub variables', (t) => { t.Resources.PollerSchedule.Properties.Target.Input['Fn::Sub'][1].Name = { Ref: 'Topics' }; },
      { logicalId: 'PollerSchedule', path: 'Properties.Target.Input.Fn::Sub[1].Name.Ref', message: 'Ref "Topics"' }],
    ['wrong primitive kind (word for an Integer)', (t) => { t.Resources.PollerFunction.Properties.MemorySize = 'lots'; },
      { logicalId: 'PollerFunction', path: 'Properties.MemorySize', message: 'PollerFunction.Properties.MemorySize: expected a number (or a numeric string), got string "lots"' }],
    ['wrong primitive kind (list for an Integer)', (t) => { t.Resources.Topic.Properties.RetentionPeriodHours = [24]; },
      { logicalId: 'Topic', path: 'Properties.RetentionPeriodHours', message: 'expected a number (or a numeric string), got a list' }],
    ['wrong primitive kind (string for a list)', (t) => { t.Resources.PollerFunction.Properties.Architectures = 'arm64'; },
      { logicalId: 'PollerFunction', path: 'Properties.Architectures', message: 'expected a list, got string "arm64"' }],
    ['wrong primitive kind (object for a String)', (t) => { t.Resources.PollerFunction.Properties.Handler = { file: 'index' }; },
      { logicalId: 'PollerFunction', path: 'Properties.Handler', message: 'expected a string, got an object' }],
    ['wrong primitive kind (word for a Boolean)', (t) => { t.Resources.DeadLetterQueue.Properties.SqsManagedSseEnabled = 'yes'; },
      { logicalId: 'DeadLetterQueue', path: 'Properties.SqsManagedSseEnabled', message: 'expected a boolean (or "true"/"false"), got string "yes"' }],
    ['a null value', (t) => { t.Resources.Topic.Properties.RetentionPeriodHours = null; },
      { logicalId: 'Topic', path: 'Properties.RetentionPeriodHours', message: "'null' values are not allowed" }],
    ['DependsOn a missing resource', (t) => { t.Resources.PollerFunction.DependsOn = ['PollerLogGroups']; },
      { logicalId: 'PollerFunction', path: 'DependsOn[0]', message: 'DependsOn target "PollerLogGroups" must be another resource of this template (did you mean PollerLogGroup?)' }],
    ['Fn::If on an undefined condition', (t) => { t.Resources.PollerSchedule.Properties.State['Fn::If'][0] = 'IsProduction'; },
      { logicalId: 'PollerSchedule', path: 'Properties.State.Fn::If[0]', message: 'condition "IsProduction" is not defined in Conditions' }],
    ['output referencing a missing resource', (t) => { t.Outputs.TopicArn.Value = { 'Fn::GetAtt': ['Topik', 'Arn'] }; },
      { logicalId: 'TopicArn', path: 'Value.Fn::GetAtt', message: 'Outputs.TopicArn.Value.Fn::GetAtt: Fn::GetAtt Topik.Arn: expected another resource of this template (did you mean Topic?)' }],
    ['output without a Value', (t) => { delete t.Outputs.QueueUrl.Value; },
      { logicalId: 'QueueUrl', path: 'Value', message: 'an output needs a Value' }],
    ['condition referencing a resource', (t) => { t.Conditions.IsProd['Fn::Equals'][0] = { Ref: 'Topic' }; },
      { logicalId: 'IsProd', path: 'Fn::Equals[0].Ref', message: 'Ref "Topic": expected a parameter or pseudo parameter' }],
    ['501 resources', (t) => addQueues(t, 501 - 13),
      { logicalId: '', path: 'Resources', message: 'Resources: 501 resources, CloudFormation allows at most 500' }],
    ['201 outputs', (t) => { for (let i = 0; i < 199; i++) t.Outputs[`Out${i}`] = { Value: 'x' }; },
      { logicalId: '', path: 'Outputs', message: 'Outputs: 201 outputs, CloudFormation allows at most 200' }],
    ['201 parameters', (t) => { for (let i = 0; i < 199; i++) t.Parameters[`P${i}`] = { Type: 'String' }; },
      { logicalId: '', path: 'Parameters', message: 'Parameters: 201 parameters, CloudFormation allows at most 200' }],
  ])('should report %s', async (_name, mutate, expected) => {
    // Act
    const problems = await problemsAfter(mutate);

    // Assess: exactly the one expected problem, nothing else
    expect(problems).toEqual([{ logicalId: expected.logicalId, path: expected.path, message: expect.stringContaining(expected.message) }]);
  });

  it('should report every missing required property when Properties is absent', async () => {
    const problems = await problemsAfter((t) => { delete t.Resources.PollerInvokeConfig.Properties; });
    expect(problems.map((p) => p.message).sort()).toEqual([
      'PollerInvokeConfig.Properties.FunctionName: missing required property FunctionName of AWS::Lambda::EventInvokeConfig',
      'PollerInvokeConfig.Properties.Qualifier: missing required property Qualifier of AWS::Lambda::EventInvokeConfig',
    ]);
  });

  it.each<[string, (t: Template) => void]>([
    ['exactly 500 resources', (t) => addQueues(t, 500 - 13)],
    ['a custom resource with any properties and attributes', (t) => {
      t.Resources.Seed = { Type: 'Custom::TopicSeed', Properties: { ServiceToken: { 'Fn::GetAtt': ['PollerFunction', 'Arn'] }, Anything: [1, { deep: true }] } };
      t.Outputs.Seeded = { Value: { 'Fn::GetAtt': ['Seed', 'WhateverItReturns'] } };
    }],
    ['an intrinsic function in place of a nested object (not descended into)', (t) => {
      t.Resources.PollerSchedule.Properties.Target.RetryPolicy = { 'Fn::If': ['IsProd', { NotChecked: 1 }, { Ref: 'AWS::NoValue' }] };
    }],
    ['an escaped ${!Literal} and pseudo parameters in Fn::Sub', (t) => {
      t.Resources.Topic.Properties.Name = { 'Fn::Sub': '${!NotARef}-${AWS::Region}-${AWS::AccountId}-${AWS::URLSuffix}' };
    }],
    ['numbers and booleans written as strings', (t) => {
      Object.assign(t.Resources.DeadLetterQueue.Properties, { VisibilityTimeout: '30', FifoQueue: 'false', DelaySeconds: '0' });
    }],
    ['a nested stack output attribute', (t) => {
      t.Resources.Nested = { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://example.com/t.json' } };
      t.Outputs.FromNested = { Value: { 'Fn::GetAtt': ['Nested', 'Outputs.BucketName'] } };
    }],
  ])('should accept %s', async (_name, mutate) => {
    const problems = await problemsAfter(mutate);
    expect(problems).toEqual([]);
  });

  it('should check a value against each member of a union type (string or S3Location) and report the closest', async () => {
    // Prepare: AWS::Serverless::Function.CodeUri is one of the few spec properties typed as a union without `json`.
    const withCodeUri = (codeUri: unknown) => (t: Template) => {
      t.Resources.Fn = { Type: 'AWS::Serverless::Function', Properties: { CodeUri: codeUri, Handler: 'index.main', Runtime: 'nodejs20.x' } };
    };

    // Act
    const asString = await problemsAfter(withCodeUri('s3://bucket/key.zip'));
    const asObject = await problemsAfter(withCodeUri({ Bucket: 'bucket', Key: 'key.zip' }));
    const asList = await problemsAfter(withCodeUri(['s3://bucket/key.zip']));
    const misspelt = await problemsAfter(withCodeUri({ Bucket: 'bucket', Keys: 'key.zip' }));

    // Assess
    expect(asString).toEqual([]);
    expect(asObject).toEqual([]);
    expect(asList.map((p) => p.message)).toEqual([
      'Fn.Properties.CodeUri: expected a string or an object (AWS::Serverless::Function.S3Location), got a list',
    ]);
    expect(misspelt.map((p) => p.message)).toEqual([
      expect.stringContaining('Fn.Properties.CodeUri.Keys: unknown property of AWS::Serverless::Function.S3Location (did you mean Key?)'),
      'Fn.Properties.CodeUri.Key: missing required property Key of AWS::Serverless::Function.S3Location',
    ]);
  });

  it('should report a template that is not an object or has no resources', async () => {
    expect(await checkTemplate([])).toEqual([{ logicalId: '', path: '', message: 'a template must be a JSON object' }]);
    expect(await checkTemplate({ Resource: {} })).toEqual([
      { logicalId: '', path: 'Resource', message: 'Resource: unknown template section (did you mean Resources?), expected one of AWSTemplateFormatVersion, Description, Metadata, Parameters, Rules, Mappings, Conditions, Transform, Resources, Outputs, Hooks' },
      { logicalId: '', path: 'Resources', message: 'Resources: a template must have at least one resource' },
    ]);
  });

  describe('against real `serverless package` output (osls)', () => {
    const repo = resolve(__dirname, '../../..');
    let dir = '';
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('should find no problems in the template osls generates for a scheduled function and a Kinesis stream', async () => {
      // Prepare: a throwaway service, no plugins, no AWS credentials, HOME in the temp dir (no ~/.aws).
      dir = mkdtempSync(join(tmpdir(), 'cfn-spec-sls-'));
      writeFileSync(join(dir, 'handler.js'), 'exports.main = async () => ({ ok: true });\n');
      writeFileSync(join(dir, 'serverless.yml'), [
        'service: cfn-spec-check',
        'provider:',
        '  name: aws',
        '  runtime: nodejs20.x',
        '  region: us-east-1',
        'functions:',
        '  poll:',
        '    handler: handler.main',
        '    events:',
        '      - schedule: rate(5 minutes)',
        '      - schedule: { rate: rate(10 minutes), method: scheduler, input: { topic: events } }',
        'resources:',
        '  Resources:',
        '    Topic:',
        '      Type: AWS::Kinesis::Stream',
        '      Properties:',
        '        StreamModeDetails: { StreamMode: ON_DEMAND }',
        '',
      ].join('\n'));
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));

      // Act
      await promisify(execFile)(process.execPath, [join(repo, 'node_modules/osls/bin/serverless.js'), 'package'], {
        cwd: dir, env: { ...env, HOME: dir }, timeout: 60_000,
      });
      const template = JSON.parse(readFileSync(join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'));
      const problems = await checkTemplate(template);

      // Assess
      const types = Object.values(template.Resources as Record<string, { Type: string }>).map((r) => r.Type);
      expect(types).toEqual(expect.arrayContaining([
        'AWS::Lambda::Function', 'AWS::Events::Rule', 'AWS::Scheduler::Schedule', 'AWS::IAM::Role', 'AWS::Kinesis::Stream',
      ]));
      expect(problems).toEqual([]);
    });
  });
});
