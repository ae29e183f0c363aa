import { ConnectorEnv, encodeRuntimeEnv } from '../core';
import { logStatement, secretArn, secretStatements, streamStatement } from './access';
import { arn, type CfnOutput, type CfnResource, getAtt, type IamStatement, ref, role } from './cfn';
import { descriptorOutput } from './descriptor';
import type { Fragment, PlacementContext, PlacementDefinition } from './fragment';
import { metricsEnvironment } from './monitoring';
import { RESOURCE_SUFFIXES as S } from './naming';
import { streamPrefixOf } from './options';
import type { ConnectorInput, Placement } from './plan';

/** Logical ID of the stack's ECS cluster (created when the stack has a streaming source). */
export const CLUSTER = 'ConnectorsCluster';
/** Name of the container in every task definition. */
export const CONTAINER_NAME = 'connector';
/** Value used where `container.image` / `container.subnets` are not set (fine for `serverless package`, refused by deploy). */
export const UNSET = 'UNSET';
/** How long ECS waits after SIGTERM before SIGKILL, seconds (Fargate maximum 120): time to flush. */
export const STOP_TIMEOUT_S = 30;

/** `ACCOUNT.dkr.ecr.REGION.amazonaws.com[.cn]/REPOSITORY[:tag|@digest]`. */
const ECR_IMAGE = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9._/-]+?)(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?$/;

/**
 * What the execution role needs to pull `image`: for an Amazon ECR image, a registry token and
 * read access to that one repository; nothing for other registries (public images).
 */
export function imagePullStatements(image: string | undefined): IamStatement[] {
  const match = image === undefined ? null : ECR_IMAGE.exec(image);
  if (!match) return [];
  const [, account, region, repository] = match;
  return [
    { Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: ['*'] }, // has no resource-level permissions
    {
      Effect: 'Allow',
      Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
      Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:ecr:${region}:${account}:repository/${repository}` }],
    },
  ];
}

/**
 * The `task` placement: one streaming source → an ECS Fargate service with one task running
 * `connector run` from the project image (which carries the SmartModule files of configs/), with its log group, task role (put to its own stream) and
 * execution role (pull the image from its ECR repository only, write its own log group, read its
 * own secrets, which ECS injects as environment variables); per stack, the ECS cluster. Output: the
 * connector's descriptor (kind `task`, cluster and service names) for `connector cloud`.
 *
 * The service keeps one task running and replaces it when it stops. Deployments start the new task
 * before stopping the old one (100 % / 200 %): a short overlap may duplicate records, but no
 * stream data is missed (at-least-once); the circuit breaker rolls back a task that cannot start.
 */
export const taskPlacement: PlacementDefinition<Extract<Placement, { kind: 'task' }>> = {
  kind: 'task',
  // Log group, task role, execution role, task definition, service.
  resourcesPerConnector: 5,
  sharedResources: 1,
  derivedSuffixes: [],
  connector: (input, _placement, context) => ({ functions: {}, resources: taskResources(input, context), outputs: Object.fromEntries([taskDescriptor(input, context)]) }),
  stack: (): Fragment => ({
    functions: {},
    resources: { [CLUSTER]: { Type: 'AWS::ECS::Cluster', Properties: { ClusterSettings: [{ Name: 'containerInsights', Value: 'disabled' }] } } },
    outputs: { ClusterName: { Description: 'ECS cluster of the streaming sources', Value: ref(CLUSTER) } },
  }),
};

/** Desired task count of a streaming source's service. */
export const DESIRED_TASKS = 1;

/** The descriptor output of one streaming source (kind `task`: cluster and service names) for `connector cloud`. */
function taskDescriptor(input: ConnectorInput, { names, stream }: PlacementContext): [string, CfnOutput] {
  return descriptorOutput(names.base, {
    kind: 'task',
    name: input.spec.name,
    type: input.spec.type,
    config: input.file,
    topic: input.spec.topic.name,
    stream: stream.name,
    logGroup: taskLogGroupName(names.physical),
    cluster: ref(CLUSTER),
    service: getAtt(names.base + S.SERVICE, 'Name'),
    tasks: DESIRED_TASKS,
  });
}

/** Log group of a task: `/ecs/<service>-<stage>-<connector>`. */
function taskLogGroupName(physical: string): string {
  return `/ecs/${physical}`;
}

/** The resources of one streaming source (see {@link taskPlacement}). */
function taskResources(input: ConnectorInput, { names, stream, options, deadLetterStream }: PlacementContext): Record<string, CfnResource> {
  const { spec } = input;
  const { container } = options;
  const logGroupId = names.base + S.TASK_LOG_GROUP;
  const taskRoleId = names.base + S.TASK_ROLE;
  const executionRoleId = names.base + S.EXECUTION_ROLE;
  const taskDefinitionId = names.base + S.TASK_DEFINITION;
  const logGroupName = taskLogGroupName(names.physical);

  const environment = Object.entries(
    encodeRuntimeEnv({
      [ConnectorEnv.CONFIG]: input.text,
      [ConnectorEnv.CONFIG_FILE]: input.file,
      [ConnectorEnv.TOPICS]: 'kinesis',
      [ConnectorEnv.STREAM_PREFIX]: streamPrefixOf(options),
      [ConnectorEnv.NO_CREATE_TOPIC]: '1',
      ...metricsEnvironment(options, { continuously: true }),
    }),
  ).map(([Name, Value]) => ({ Name, Value }));
  const secrets = spec.secrets.map((secret) => ({ Name: secret, ValueFrom: secretArn(secret, options, false) }));
  const executionStatements = [logStatement(arn('logs', `log-group:${logGroupName}:*`)), ...imagePullStatements(container.image), ...secretStatements(spec, options)];

  return {
    [logGroupId]: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: logGroupName, RetentionInDays: container.logRetentionInDays } },
    [taskRoleId]: role('ecs-tasks.amazonaws.com', 'connector', [streamStatement(stream), ...(deadLetterStream ? [streamStatement(deadLetterStream)] : [])], {
      Description: `Connector ${spec.name} task: put to stream ${stream.name}${deadLetterStream ? ` and its dead-letter stream` : ''} only`,
    }),
    [executionRoleId]: role('ecs-tasks.amazonaws.com', 'connector-execution', executionStatements, {
      Description: `Connector ${spec.name} task execution: pull its image, write its log group, read its secrets`,
    }),
    [taskDefinitionId]: {
      Type: 'AWS::ECS::TaskDefinition',
      Properties: {
        Family: names.physical,
        RequiresCompatibilities: ['FARGATE'],
        NetworkMode: 'awsvpc',
        Cpu: container.cpu,
        Memory: String(container.memory),
        RuntimePlatform: { OperatingSystemFamily: 'LINUX', CpuArchitecture: container.architecture },
        ExecutionRoleArn: getAtt(executionRoleId, 'Arn'),
        TaskRoleArn: getAtt(taskRoleId, 'Arn'),
        ContainerDefinitions: [
          {
            Name: CONTAINER_NAME,
            Image: container.image ?? UNSET,
            Essential: true,
            Command: ['run', '--config-env', ConnectorEnv.CONFIG],
            Environment: environment,
            ...(secrets.length > 0 ? { Secrets: secrets } : {}),
            StopTimeout: STOP_TIMEOUT_S,
            LogConfiguration: {
              LogDriver: 'awslogs',
              Options: { 'awslogs-group': ref(logGroupId), 'awslogs-region': ref('AWS::Region'), 'awslogs-stream-prefix': 'connector' },
            },
          },
        ],
      },
    },
    [names.base + S.SERVICE]: {
      Type: 'AWS::ECS::Service',
      Properties: {
        Cluster: ref(CLUSTER),
        TaskDefinition: ref(taskDefinitionId),
        DesiredCount: DESIRED_TASKS,
        LaunchType: 'FARGATE',
        NetworkConfiguration: {
          AwsvpcConfiguration: {
            Subnets: container.subnets.length > 0 ? container.subnets : [UNSET],
            SecurityGroups: container.securityGroups,
            AssignPublicIp: container.assignPublicIp ? 'ENABLED' : 'DISABLED',
          },
        },
        DeploymentConfiguration: { MinimumHealthyPercent: 100, MaximumPercent: 200, DeploymentCircuitBreaker: { Enable: true, Rollback: true } },
        PropagateTags: 'SERVICE',
        Tags: [{ Key: 'connector', Value: spec.name }, { Key: 'config', Value: input.file }],
      },
    },
  };
}
