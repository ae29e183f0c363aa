import { ConnectorError, ErrorCode } from '../core/errors';
import { connectorNames, fitName, logicalIdRegistry, MAX_STREAM_NAME, RESOURCE_SUFFIXES, streamLogicalId } from './naming';
import { type CfnOutput, type CfnResource, getAtt, ref, role, arn } from './cfn';
import { CLUSTER, clusterResource, streamingTask } from './container';
import { DEAD_LETTER_QUEUE, type FunctionDefinition, periodicFunction, SCHEDULER_ROLE } from './function';
import { type DeploymentOptions, streamPrefixOf } from './options';
import { assertUniqueNames, type ConnectorInput, groupOfTopic, type Placement, placementOf } from './plan';
import type { StreamRef } from './access';

/** CloudFormation's limit on resources per stack. */
export const MAX_RESOURCES_PER_STACK = 500;
/** Resources osls adds per function on top of ours: the function, its log group and its async invoke config. */
export const OSLS_RESOURCES_PER_FUNCTION = 3;
/** Resources osls adds per stack: the deployment bucket and its policy. */
export const OSLS_RESOURCES_PER_STACK = 2;

/** What the generator decided for one config. */
export interface ConnectorPlan {
  name: string;
  file: string;
  topic: string;
  stream: string;
  group: number;
  placement: Placement;
}

/** Service fragments for one stack: what serverless.yml takes from the generator. */
export interface ServiceFragments {
  /** CloudFormation stack name (`provider.stackName`): `<service>-<stage>`, or `<service>-<stage>-g<N>` with several groups. */
  stackName: string;
  /** `functions:` entries (one per periodic source of this stack). */
  functions: Record<string, FunctionDefinition>;
  /** `resources:`: schedules, roles, streams, ECS cluster/tasks/services, the dead-letter queue. */
  resources: { Resources: Record<string, CfnResource>; Outputs: Record<string, CfnOutput> };
  /** Every config's plan (all groups), for summaries. */
  connectors: ConnectorPlan[];
  /** Resources of this stack once osls has compiled it (ours + osls's per function and per stack). */
  resourceCount: number;
  /** The stack's group (0 … groups-1). */
  group: number;
}

/** Resource count of each group, as packaged by osls. */
export function resourceCounts(plans: readonly ConnectorPlan[], createdTopics: ReadonlySet<string>, groups: number): number[] {
  return Array.from({ length: groups }, (_, group) => {
    const mine = plans.filter((plan) => plan.group === group);
    const functions = mine.filter((plan) => plan.placement.kind === 'function').length;
    const tasks = mine.length - functions;
    const topics = new Set(mine.filter((plan) => createdTopics.has(plan.topic)).map((plan) => plan.topic)).size;
    return OSLS_RESOURCES_PER_STACK + 1 /* DLQ */ + (functions > 0 ? 1 : 0) /* scheduler role */ + (tasks > 0 ? 1 : 0) /* cluster */ +
      functions * (OSLS_RESOURCES_PER_FUNCTION + 2) /* + role, schedule */ + tasks * 5 /* log group, 2 roles, task definition, service */ + topics;
  });
}

/** Largest number of stacks `sls:groups` is meant for; see `groups` in the options. */
const MAX_GROUPS = 200;

/**
 * The error for a stack over 500 resources: the smallest `groups` value that fits, or, when one
 * topic alone is too big (a topic's connectors share the stack of its stream), that topic.
 */
function tooManyResources(plans: readonly ConnectorPlan[], createdTopics: ReadonlySet<string>, groups: number, counts: readonly number[]): ConnectorError {
  const worst = Math.max(...counts);
  const where = `stack ${counts.indexOf(worst)} of ${groups} would have ${worst} CloudFormation resources (limit ${MAX_RESOURCES_PER_STACK})`;
  const topics = [...new Set(plans.map((plan) => plan.topic))];
  for (const topic of topics) {
    const own = plans.filter((plan) => plan.topic === topic).map((plan) => ({ ...plan, group: 0 }));
    const [need] = resourceCounts(own, createdTopics, 1);
    if ((need as number) > MAX_RESOURCES_PER_STACK) {
      return new ConnectorError(`${where}: topic "${topic}" alone has ${own.length} connectors needing ${need} resources, and a topic's connectors share the stack of its stream; spread them over several topics`, ErrorCode.DEPLOY_UNSUPPORTED);
    }
  }
  for (let candidate = groups + 1; candidate <= MAX_GROUPS; candidate++) {
    const regrouped = plans.map((plan) => ({ ...plan, group: groupOfTopic(plan.topic, candidate) }));
    if (Math.max(...resourceCounts(regrouped, createdTopics, candidate)) <= MAX_RESOURCES_PER_STACK) {
      return new ConnectorError(`${where}: set custom.connectors.groups to ${candidate} (the smallest value for which every stack fits) and deploy each stack (npm run sls:groups -- deploy)`, ErrorCode.DEPLOY_UNSUPPORTED);
    }
  }
  return new ConnectorError(`${where}: no groups value up to ${MAX_GROUPS} fits; spread the connectors over more topics`, ErrorCode.DEPLOY_UNSUPPORTED);
}

/** Plans every config: placement, stream and group. Pure. */
export function planConnectors(inputs: readonly ConnectorInput[], options: DeploymentOptions): { plans: ConnectorPlan[]; createdTopics: Set<string> } {
  assertUniqueNames(inputs);
  const prefix = streamPrefixOf(options);
  const createdTopics = new Set(inputs.filter((input) => input.spec.topic.create).map((input) => input.spec.topic.name));
  const plans = inputs.map(({ spec, file }) => ({
    name: spec.name,
    file,
    topic: spec.topic.name,
    stream: fitName(prefix + spec.topic.name, MAX_STREAM_NAME),
    group: groupOfTopic(spec.topic.name, options.groups),
    placement: placementOf(spec),
  }));
  return { plans, createdTopics };
}

/**
 * The deployment generator: connector configs + deployment options → the functions and resources
 * of one CloudFormation stack. Pure: no I/O, same input same output.
 *
 * - Periodic sources → scheduled Lambda functions (see `periodicFunction`), streaming sources →
 *   ECS Fargate services (see `streamingTask`).
 * - Topics → Kinesis streams named `streamPrefix + topic`: created on demand (one per topic, in the
 *   stack of the topic's group) when any config of the topic sets `create-topic`/`create_topic`,
 *   referenced by name otherwise.
 * - Per stack: an SQS dead-letter queue, the Scheduler's role, an ECS cluster when needed.
 *
 * @throws ConnectorError DEPLOY_OPTIONS_INVALID when `groups` > 1 and `group` is missing or out of range.
 * @throws ConnectorError DEPLOY_UNSUPPORTED for duplicate connector names, sink connectors, a config
 *   too large for a Lambda environment, two resources with one logical ID, or a stack over 500
 *   resources (the message gives the counts and the `groups` value that fits).
 */
export function generateService(inputs: readonly ConnectorInput[], options: DeploymentOptions): ServiceFragments {
  const group = options.group ?? 0;
  if (options.groups > 1 && options.group === undefined) {
    throw new ConnectorError(`custom.connectors.groups is ${options.groups}: package or deploy one stack at a time with --param group=N (0 … ${options.groups - 1}), or every stack with \`npm run sls:groups -- deploy\``, ErrorCode.DEPLOY_OPTIONS_INVALID);
  }
  if (group >= options.groups) throw new ConnectorError(`--param group=${group} is out of range: custom.connectors.groups is ${options.groups} (0 … ${options.groups - 1})`, ErrorCode.DEPLOY_OPTIONS_INVALID);

  const { plans, createdTopics } = planConnectors(inputs, options);
  const counts = resourceCounts(plans, createdTopics, options.groups);
  const worst = Math.max(...counts);
  if (worst > MAX_RESOURCES_PER_STACK) throw tooManyResources(plans, createdTopics, options.groups, counts);

  const service = options.service;
  const byName = new Map(inputs.map((input) => [input.spec.name, input]));
  const mine = plans.filter((plan) => plan.group === group);
  const claim = logicalIdRegistry();
  for (const id of [DEAD_LETTER_QUEUE, SCHEDULER_ROLE, CLUSTER, 'ServerlessDeploymentBucket', 'ServerlessDeploymentBucketPolicy']) claim(id, 'the stack');
  const topics = [...new Set(mine.map((plan) => plan.topic))].sort();
  const streamIds = new Map(topics.map((topic) => [topic, claim(streamLogicalId(topic), `topic ${topic}`)]));

  const resources: Record<string, CfnResource> = {};
  const outputs: Record<string, CfnOutput> = {};
  const functions: Record<string, FunctionDefinition> = {};

  for (const topic of topics) {
    if (!createdTopics.has(topic)) continue;
    const id = streamIds.get(topic) as string;
    const stream = mine.find((plan) => plan.topic === topic)?.stream as string;
    const retain = options.retainStreams ? ({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } as const) : {};
    resources[id] = {
      Type: 'AWS::Kinesis::Stream',
      ...retain,
      Properties: {
        Name: stream,
        StreamModeDetails: { StreamMode: 'ON_DEMAND' },
        RetentionPeriodHours: 24,
        StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
        Tags: [{ Key: 'topic', Value: topic }],
      },
    };
    outputs[`${id}Arn`] = { Description: `Kinesis stream of topic ${topic}`, Value: getAtt(id, 'Arn') };
  }

  let hasFunctions = false;
  let hasTasks = false;
  for (const plan of [...mine].sort((a, b) => a.name.localeCompare(b.name))) {
    const input = byName.get(plan.name) as ConnectorInput;
    const connector = connectorNames(plan.name, service, options.stage);
    const stream: StreamRef = createdTopics.has(plan.topic) ? { name: plan.stream, logicalId: streamIds.get(plan.topic) as string } : { name: plan.stream };
    if (plan.placement.kind === 'function') {
      hasFunctions = true;
      const fragment = periodicFunction(input, plan.placement, connector, stream, options);
      // osls derives these from the function key.
      for (const suffix of [RESOURCE_SUFFIXES.FUNCTION, RESOURCE_SUFFIXES.FUNCTION_LOG_GROUP, RESOURCE_SUFFIXES.EVENT_INVOKE_CONFIG]) claim(connector.base + suffix, plan.file);
      for (const id of Object.keys(fragment.resources)) claim(id, plan.file);
      functions[fragment.functionKey] = fragment.definition;
      Object.assign(resources, fragment.resources);
    } else {
      hasTasks = true;
      const fragment = streamingTask(input, connector, stream, options);
      for (const id of Object.keys(fragment)) claim(id, plan.file);
      Object.assign(resources, fragment);
    }
  }

  resources[DEAD_LETTER_QUEUE] = {
    Type: 'AWS::SQS::Queue',
    Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true },
  };
  outputs.DeadLetterQueueUrl = { Description: 'Failed scheduled invocations (EventBridge Scheduler and Lambda on-failure destination)', Value: ref(DEAD_LETTER_QUEUE) };
  if (hasFunctions) {
    resources[SCHEDULER_ROLE] = role(
      'scheduler.amazonaws.com',
      'invoke-pollers',
      [
        { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn('lambda', `function:${service}-${options.stage}-*`)] },
        { Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [getAtt(DEAD_LETTER_QUEUE, 'Arn')] },
      ],
      { Description: 'EventBridge Scheduler: invoke this stage\'s connector functions, send failed events to the DLQ' },
      { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
    );
  }
  if (hasTasks) {
    resources[CLUSTER] = clusterResource();
    outputs.ClusterName = { Description: 'ECS cluster of the streaming sources', Value: ref(CLUSTER) };
  }

  return {
    stackName: options.groups > 1 ? `${service}-${options.stage}-g${group}` : `${service}-${options.stage}`,
    functions,
    resources: { Resources: resources, Outputs: outputs },
    connectors: plans,
    resourceCount: counts[group] as number,
    group,
  };
}
