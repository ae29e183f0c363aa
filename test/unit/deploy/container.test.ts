import { CLUSTER, CONTAINER_NAME, STOP_TIMEOUT_S, UNSET } from '../../../lib/deploy/container';
import { ConnectorEnv } from '../../../lib/core/env';
import { generateService } from '../../../lib/deploy/generate';
import type { DeploymentOptionsInput } from '../../../lib/deploy/options';
import { assertDeployable } from '../../../lib/deploy/serverless';
import { ErrorCode } from '../../../lib/core/errors';
import { idsOfType, inputOf, legacyYaml, optionsOf, periodicYaml, resourceOf, statementsOf, streamingYaml, subArn, thrown } from './support';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/connectors@sha256:abc';
const SECRET_META = '  secrets:\n    - name: STREAM_URL\n';

function generateStream(text: string, options: Partial<DeploymentOptionsInput> = {}) {
  return generateService([inputOf(text, 'configs/s.yaml')], optionsOf(options));
}

describe('Function: generateService (streaming source → Fargate service)', () => {
  it('should define a Fargate task running `connector run` with the config in its environment', () => {
    // Prepare
    const text = streamingYaml('s');

    // Act
    const { resources } = generateStream(text);

    // Assess
    expect(resourceOf(resources.Resources, 'STaskDefinition')).toEqual({
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        Family: 'connectors-dev-s',
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: '256',
        Memory: '512',
        RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: 'X86_64' },
        ExecutionRoleArn: { 'Fn::GetAtt': ['SExecutionRole', 'Arn'] },
        TaskRoleArn: { 'Fn::GetAtt': ['STaskRole', 'Arn'] },
        ContainerDefinitions: [
          {
            Name: CONTAINER_NAME,
            Image: UNSET,
            Essential: true,
            Command: ['run', '--config-env', ConnectorEnv.CONFIG],
            Environment: [
              { Name: ConnectorEnv.CONFIG, Value: text },
              { Name: ConnectorEnv.CONFIG_FILE, Value: 'configs/s.yaml' },
              { Name: ConnectorEnv.TOPICS, Value: 'kinesis' },
              { Name: ConnectorEnv.STREAM_PREFIX, Value: 'connectors-dev-' },
              { Name: ConnectorEnv.NO_CREATE_TOPIC, Value: '1' },
              { Name: ConnectorEnv.METRICS, Value: 'emf' },
              { Name: ConnectorEnv.METRICS_NAMESPACE, Value: 'Connectors' },
              { Name: ConnectorEnv.METRICS_SERVICE, Value: 'connectors-dev' },
              { Name: ConnectorEnv.METRICS_PERIOD_MS, Value: '60000' },
            ],
            StopTimeout: STOP_TIMEOUT_S,
            LogConfiguration: {
              LogDriver: 'awslogs',
              Options: { 'awslogs-group': { Ref: 'SLogGroup' }, 'awslogs-region': { Ref: 'AWS::Region' }, 'awslogs-stream-prefix': 'connector' },
            },
          },
        ],
      },
    });
    expect(resourceOf(resources.Resources, 'SLogGroup')).toEqual({ Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: '/ecs/connectors-dev-s', RetentionInDays: 14 } });
  });

  it('should take the image, CPU, memory, architecture and log retention from the container options', () => {
    // Prepare
    const container = { image: IMAGE, cpu: '1024', memory: 2048, architecture: 'ARM64', logRetentionInDays: 7 } as const;

    // Act
    const { resources } = generateStream(streamingYaml('s'), { container });

    // Assess
    const task = resourceOf(resources.Resources, 'STaskDefinition').Properties;
    expect([task.Cpu, task.Memory, task.RuntimePlatform.CpuArchitecture, task.ContainerDefinitions[0].Image]).toEqual(['1024', '2048', 'ARM64', IMAGE]);
    expect(resourceOf(resources.Resources, 'SLogGroup').Properties.RetentionInDays).toBe(7);
  });

  it('should inject declared secrets from SSM parameters through ECS `Secrets`', () => {
    // Prepare
    const text = streamingYaml('s', { meta: SECRET_META, endpoint: '${{ secrets.STREAM_URL }}' });

    // Act
    const { resources } = generateStream(text);

    // Assess
    const container = resourceOf(resources.Resources, 'STaskDefinition').Properties.ContainerDefinitions[0];
    expect(container.Secrets).toEqual([{ Name: 'STREAM_URL', ValueFrom: subArn('ssm', 'parameter/connectors/dev/STREAM_URL') }]);
    expect(statementsOf(resources.Resources, 'SExecutionRole')[1]).toEqual({
      Effect: 'Allow',
      Action: ['ssm:GetParameters', 'ssm:GetParameter'],
      Resource: [subArn('ssm', 'parameter/connectors/dev/STREAM_URL')],
    });
  });

  it('should inject declared secrets from Secrets Manager by partial ARN, and allow the ARN with its random suffix', () => {
    // Prepare
    const text = streamingYaml('s', { meta: SECRET_META, endpoint: '${{ secrets.STREAM_URL }}' });

    // Act
    const { resources } = generateStream(text, { secrets: { source: 'secrets-manager' } });

    // Assess
    const container = resourceOf(resources.Resources, 'STaskDefinition').Properties.ContainerDefinitions[0];
    expect(container.Secrets).toEqual([{ Name: 'STREAM_URL', ValueFrom: subArn('secretsmanager', 'secret:connectors/dev/STREAM_URL') }]);
    expect(statementsOf(resources.Resources, 'SExecutionRole')[1]).toEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [subArn('secretsmanager', 'secret:connectors/dev/STREAM_URL-??????')],
    });
  });

  it('should give a task without secrets no `Secrets` and no secret statements', () => {
    // Act
    const { resources } = generateStream(streamingYaml('s'));

    // Assess
    expect(resourceOf(resources.Resources, 'STaskDefinition').Properties.ContainerDefinitions[0]).not.toHaveProperty('Secrets');
    expect(statementsOf(resources.Resources, 'SExecutionRole')).toHaveLength(1);
  });

  it('should scope the task role to its own stream and the execution role to its own log group', () => {
    // Act
    const { resources } = generateStream(streamingYaml('s'));

    // Assess
    expect(statementsOf(resources.Resources, 'STaskRole')).toEqual([
      { Effect: 'Allow', Action: ['kinesis:PutRecords', 'kinesis:PutRecord', 'kinesis:DescribeStreamSummary'], Resource: [{ 'Fn::GetAtt': ['TopicSTopicStream', 'Arn'] }] },
    ]);
    expect(statementsOf(resources.Resources, 'SExecutionRole')).toEqual([
      { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [subArn('logs', 'log-group:/ecs/connectors-dev-s:*')] },
    ]);
    const roles = ['STaskRole', 'SExecutionRole'].map((id) => resourceOf(resources.Resources, id).Properties.AssumeRolePolicyDocument.Statement[0].Principal);
    expect(roles).toEqual([{ Service: ['ecs-tasks.amazonaws.com'] }, { Service: ['ecs-tasks.amazonaws.com'] }]);
    expect(resourceOf(resources.Resources, 'SExecutionRole').Properties).not.toHaveProperty('ManagedPolicyArns');
  });

  it.each([
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com/connectors@sha256:abc123', 'eu-west-1:123456789012:repository/connectors'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com/team/connectors:v1', 'us-east-1:123456789012:repository/team/connectors'],
  ])('should let the execution role pull %s from its ECR repository only', (image, repository) => {
    // Act
    const { resources } = generateStream(streamingYaml('s'), { container: { image } });

    // Assess
    expect(statementsOf(resources.Resources, 'SExecutionRole').slice(1, 3)).toEqual([
      { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] },
      { Effect: 'Allow', Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'], Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:ecr:${repository}` }] },
    ]);
  });

  it('should give the execution role no ECR access for an image from another registry', () => {
    // Act
    const { resources } = generateStream(streamingYaml('s'), { container: { image: 'ghcr.io/acme/connectors:1.0' } });

    // Assess
    expect(JSON.stringify(statementsOf(resources.Resources, 'SExecutionRole'))).not.toContain('ecr:');
  });

  it('should scope the task role to an existing stream by name when the config does not create its topic', () => {
    // Prepare: a legacy test-connector config without create_topic
    const text = 'version: latest\nname: t\ntype: test-connector\ntopic: existing\ndirection: source\n';

    // Act
    const { resources } = generateStream(text, { streamPrefix: '' });

    // Assess
    expect(statementsOf(resources.Resources, 'TTaskRole')[0]?.Resource).toEqual([subArn('kinesis', 'stream/existing')]);
    expect(idsOfType(resources.Resources, 'AWS::Kinesis::Stream')).toEqual([]);
  });

  it('should run one task per service in the stack\'s cluster, with the subnets, security groups and a public IP from the options', () => {
    // Prepare
    const container = { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'] };

    // Act
    const { resources } = generateStream(streamingYaml('s'), { container });

    // Assess
    expect(resourceOf(resources.Resources, 'SService')).toEqual({
      Type: 'AWS::ECS::Service',
      Properties: {
        Cluster: { Ref: CLUSTER },
        TaskDefinition: { Ref: 'STaskDefinition' },
        DesiredCount: 1,
        LaunchType: 'FARGATE',
        NetworkConfiguration: { AwsvpcConfiguration: { Subnets: ['subnet-a', 'subnet-b'], SecurityGroups: ['sg-1'], AssignPublicIp: 'ENABLED' } },
        DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
        PropagateTags: 'SERVICE',
        Tags: [{ Key: 'connector', Value: 's' }, { Key: 'config', Value: 'configs/s.yaml' }],
      },
    });
    expect(resourceOf(resources.Resources, CLUSTER).Type).toBe('AWS::ECS::Cluster');
    expect(resources.Outputs.ClusterName?.Value).toEqual({ Ref: CLUSTER });
  });

  it('should disable the public IP with `assignPublicIp: false` and write UNSET for missing subnets', () => {
    // Act
    const { resources } = generateStream(streamingYaml('s'), { container: { assignPublicIp: false } });

    // Assess
    expect(resourceOf(resources.Resources, 'SService').Properties.NetworkConfiguration.AwsvpcConfiguration).toEqual({ Subnets: [UNSET], SecurityGroups: [], AssignPublicIp: 'DISABLED' });
  });

  it('should add no cluster and no scheduler role where they are not needed', () => {
    // Act
    const tasksOnly = generateStream(streamingYaml('s'));
    const functionsOnly = generateStream(periodicYaml('p', '10s'));

    // Assess
    expect(Object.keys(tasksOnly.resources.Resources)).not.toContain('ConnectorsSchedulerRole');
    expect(Object.keys(functionsOnly.resources.Resources)).not.toContain(CLUSTER);
    expect(functionsOnly.resources.Outputs).not.toHaveProperty('ClusterName');
  });
});

describe('Function: assertDeployable', () => {
  it('should refuse tasks without an image and subnets with DEPLOY_OPTIONS_INVALID naming both and the streaming sources', () => {
    // Prepare
    const fragments = generateService([inputOf(streamingYaml('s'), 'configs/s.yaml'), inputOf(periodicYaml('p', '10s'), 'configs/p.yaml')], optionsOf());

    // Act
    const error = thrown(() => assertDeployable(fragments));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toBe(
      'streaming sources (s) run as Fargate tasks and need the container image (--param image=<uri>, built from the Dockerfile: see README) and subnets for the tasks (--param subnets=subnet-a,subnet-b or custom.connectors.container.subnets)',
    );
  });

  it('should refuse tasks with an image but without subnets, naming only the subnets', () => {
    // Prepare
    const fragments = generateStream(streamingYaml('s'), { container: { image: IMAGE } });

    // Act
    const error = thrown(() => assertDeployable(fragments));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toContain('need subnets for the tasks');
    expect(error.message).not.toContain('container image');
  });

  it('should refuse tasks with subnets but without an image, naming only the image', () => {
    // Prepare
    const fragments = generateStream(streamingYaml('s'), { container: { subnets: ['subnet-a'] } });

    // Act
    const error = thrown(() => assertDeployable(fragments));

    // Assess
    expect(error.code).toBe(ErrorCode.DEPLOY_OPTIONS_INVALID);
    expect(error.message).toContain('need the container image');
    expect(error.message).not.toContain('subnets for the tasks');
  });

  it('should accept tasks with an image and subnets', () => {
    // Prepare
    const fragments = generateStream(streamingYaml('s'), { container: { image: IMAGE, subnets: ['subnet-a'] } });

    // Act + Assess
    expect(() => assertDeployable(fragments)).not.toThrow();
  });

  it('should accept a stack without tasks, whatever the container options', () => {
    // Prepare
    const fragments = generateService([inputOf(legacyYaml('cat-facts', '10'), 'configs/cat-facts.yaml')], optionsOf());

    // Act + Assess
    expect(idsOfType(fragments.resources.Resources, 'AWS::ECS::TaskDefinition')).toEqual([]);
    expect(() => assertDeployable(fragments)).not.toThrow();
  });
});
