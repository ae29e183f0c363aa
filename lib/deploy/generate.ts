import { ConnectorError, ErrorCode } from '../core';
import { streamNameOf } from '../topics/kinesis/stream-names';
import type { StreamRef } from './access';
import { type CfnOutput, type CfnResource, getAtt, ref } from './cfn';
import { CLUSTER, taskPlacement } from './container';
import { MAX_OUTPUTS_PER_STACK } from './descriptor';
import { emptyFragment, type Fragment, type FunctionDefinition, type PlacementDefinition } from './fragment';
import { DEAD_LETTER_QUEUE, functionPlacement, SCHEDULER_ROLE } from './function';
import { type AlarmedConnector, alarmCount, alarmResources, DEAD_LETTER_ALARM } from './monitoring';
import { connectorNames, logicalIdRegistry, RESOURCE_SUFFIXES, streamLogicalId } from './naming';
import { type DeploymentOptions, streamPrefixOf } from './options';
import { assertUniqueNames, type ConnectorInput, deadLetterTopic, groupOfTopic, type Placement, placementOf, smartModuleFiles } from './plan';
import { SINK_FAILURE_QUEUE, sinkPlacement } from './sink';

/** CloudFormation's limit on resources per stack. */
export const MAX_RESOURCES_PER_STACK = 500;
/** Resources osls adds per function on top of ours: the function, its log group and its async invoke config. */
export const OSLS_RESOURCES_PER_FUNCTION = 3;
/** Resources osls adds per stack: the deployment bucket and its policy. */
export const OSLS_RESOURCES_PER_STACK = 2;
/** Resources every stack of ours has: the osls bucket and its policy, and the dead-letter queue. */
const BASE_RESOURCES_PER_STACK = OSLS_RESOURCES_PER_STACK + 1;

/**
 * The placement registry: how each `Placement.kind` is deployed. A new way of running connectors
 * is one entry here.
 */
export const placements: { readonly [K in Placement['kind']]: PlacementDefinition<Extract<Placement, { kind: K }>> } = {
  function: functionPlacement,
  task: taskPlacement,
  sink: sinkPlacement,
};

/** The placement definition of a plan's placement (the registry typed by kind). */
function placementDefinition(kind: Placement['kind']): PlacementDefinition {
  return placements[kind] as unknown as PlacementDefinition;
}

/** What the generator decided for one config. */
export interface ConnectorPlan {
  name: string;
  file: string;
  topic: string;
  stream: string;
  group: number;
  placement: Placement;
  /** SmartModule `.wasm` files of its transforms (service-relative). */
  smartModules: string[];
  /** Its dead-letter topic and stream (a transform step says `on_error: dead-letter`); created in the stack of its topic. */
  deadLetter?: { topic: string; stream: string };
}

/** Service fragments for one stack: what serverless.yml takes from the generator. */
export interface ServiceFragments {
  /** CloudFormation stack name (`provider.stackName`): `<service>-<stage>`, or `<service>-<stage>-g<N>` with several groups. */
  stackName: string;
  /** `functions:` entries (one per periodic source and per sink of this stack). */
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

/** Resource count of each group, as packaged by osls: from each placement's budget, plus the alarms (`alarmCount`). */
export function resourceCounts(plans: readonly ConnectorPlan[], createdTopics: ReadonlySet<string>, groups: number, options: DeploymentOptions): number[] {
  return Array.from({ length: groups }, (_, group) => {
    const mine = plans.filter((plan) => plan.group === group);
    const kinds = new Set(mine.map((plan) => plan.placement.kind));
    const shared = [...kinds].reduce((total, kind) => total + placementDefinition(kind).sharedResources, 0);
    const perConnector = mine.reduce((total, plan) => total + placementDefinition(plan.placement.kind).resourcesPerConnector, 0);
    const topics = new Set(mine.filter((plan) => createdTopics.has(plan.topic)).map((plan) => plan.topic)).size;
    const deadLetters = new Set(mine.flatMap((plan) => (plan.deadLetter ? [plan.deadLetter.topic] : []))).size;
    return BASE_RESOURCES_PER_STACK + shared + perConnector + topics + deadLetters + alarmCount(mine.length, options);
  });
}

/** Largest number of stacks `sls:groups` is meant for; see `groups` in the options. */
const MAX_GROUPS = 200;

/**
 * The error for a stack over 500 resources: the smallest `groups` value that fits, or, when one
 * topic alone is too big (a topic's connectors share the stack of its stream), that topic.
 */
function tooManyResources(plans: readonly ConnectorPlan[], createdTopics: ReadonlySet<string>, options: DeploymentOptions, counts: readonly number[]): ConnectorError {
  const { groups } = options;
  const worst = Math.max(...counts);
  const where = `stack ${counts.indexOf(worst)} of ${groups} would have ${worst} CloudFormation resources (limit ${MAX_RESOURCES_PER_STACK})`;
  const topics = [...new Set(plans.map((plan) => plan.topic))];
  for (const topic of topics) {
    const own = plans.filter((plan) => plan.topic === topic).map((plan) => ({ ...plan, group: 0 }));
    const [need] = resourceCounts(own, createdTopics, 1, options);
    if ((need as number) > MAX_RESOURCES_PER_STACK) {
      return new ConnectorError(`${where}: topic "${topic}" alone has ${own.length} connectors needing ${need} resources, and a topic's connectors share the stack of its stream; spread them over several topics`, ErrorCode.DEPLOY_TOPIC_TOO_LARGE);
    }
  }
  for (let candidate = groups + 1; candidate <= MAX_GROUPS; candidate++) {
    const regrouped = plans.map((plan) => ({ ...plan, group: groupOfTopic(plan.topic, candidate) }));
    if (Math.max(...resourceCounts(regrouped, createdTopics, candidate, options)) <= MAX_RESOURCES_PER_STACK) {
      return new ConnectorError(`${where}: set custom.connectors.groups to ${candidate} (the smallest value for which every stack fits) and deploy each stack (npm run sls:groups -- deploy)`, ErrorCode.DEPLOY_STACK_TOO_LARGE);
    }
  }
  return new ConnectorError(`${where}: no groups value up to ${MAX_GROUPS} fits; spread the connectors over more topics`, ErrorCode.DEPLOY_STACK_TOO_LARGE);
}

/** Step 1: which stack to generate. @throws ConnectorError DEPLOY_OPTIONS_INVALID when `group` is missing or out of range. */
export function selectedGroup(options: DeploymentOptions): number {
  if (options.groups > 1 && options.group === undefined) {
    throw new ConnectorError(`custom.connectors.groups is ${options.groups}: package or deploy one stack at a time with --param group=N (0 … ${options.groups - 1}), or every stack with \`npm run sls:groups -- deploy\``, ErrorCode.DEPLOY_OPTIONS_INVALID);
  }
  const group = options.group ?? 0;
  if (group >= options.groups) throw new ConnectorError(`--param group=${group} is out of range: custom.connectors.groups is ${options.groups} (0 … ${options.groups - 1})`, ErrorCode.DEPLOY_OPTIONS_INVALID);
  return group;
}

/**
 * Step 2: plans every config (placement, stream, group, SmartModule files, dead-letter stream). Pure.
 * @throws see {@link placementOf}, {@link assertUniqueNames}, {@link smartModuleFiles}.
 * @throws ConnectorError DEPLOY_DEAD_LETTER_CONFLICT when a dead-letter topic is another config's topic.
 */
export function planConnectors(inputs: readonly ConnectorInput[], options: DeploymentOptions): { plans: ConnectorPlan[]; createdTopics: Set<string> } {
  assertUniqueNames(inputs);
  const prefix = streamPrefixOf(options);
  const createdTopics = new Set(inputs.filter((input) => input.spec.topic.create).map((input) => input.spec.topic.name));
  const plans = inputs.map((input): ConnectorPlan => {
    const { spec, file } = input;
    const dlq = deadLetterTopic(spec);
    return {
      name: spec.name,
      file,
      topic: spec.topic.name,
      stream: streamNameOf(prefix, spec.topic.name),
      group: groupOfTopic(spec.topic.name, options.groups),
      placement: placementOf(spec),
      smartModules: smartModuleFiles(input, options.configs),
      ...(dlq ? { deadLetter: { topic: dlq, stream: streamNameOf(prefix, dlq) } } : {}),
    };
  });
  const topics = new Map(plans.map((plan) => [plan.topic, plan.file]));
  for (const plan of plans) {
    const other = plan.deadLetter && topics.get(plan.deadLetter.topic);
    if (plan.deadLetter && other !== undefined) {
      throw new ConnectorError(`${plan.file}: its dead-letter topic "${plan.deadLetter.topic}" is the topic of ${other}; rename one of the topics`, ErrorCode.DEPLOY_DEAD_LETTER_CONFLICT);
    }
  }
  return { plans, createdTopics };
}

/** Step 3: the resource budget. @throws ConnectorError DEPLOY_STACK_TOO_LARGE / DEPLOY_TOPIC_TOO_LARGE. */
export function checkResourceBudget(plans: readonly ConnectorPlan[], createdTopics: ReadonlySet<string>, options: DeploymentOptions): number[] {
  const counts = resourceCounts(plans, createdTopics, options.groups, options);
  if (Math.max(...counts) > MAX_RESOURCES_PER_STACK) throw tooManyResources(plans, createdTopics, options, counts);
  return counts;
}

/** Outputs osls adds to every stack (`ServerlessDeploymentBucketName`). */
export const OSLS_OUTPUTS_PER_STACK = 1;

/**
 * The outputs budget: CloudFormation allows 200 outputs per stack. Ours are one connector
 * descriptor per connector, one ARN per created stream and a few per stack, so a stack within 500
 * resources has at most about 170; this guards the sum when more outputs are added.
 * @throws ConnectorError DEPLOY_STACK_TOO_LARGE when the stack would have more than 200 outputs.
 */
export function checkOutputBudget(outputs: Readonly<Record<string, unknown>>): void {
  const count = Object.keys(outputs).length + OSLS_OUTPUTS_PER_STACK;
  if (count > MAX_OUTPUTS_PER_STACK) {
    throw new ConnectorError(`the stack would have ${count} CloudFormation outputs (limit ${MAX_OUTPUTS_PER_STACK}): set custom.connectors.groups higher to spread the connectors over more stacks`, ErrorCode.DEPLOY_STACK_TOO_LARGE);
  }
}

/**
 * Step 4: the stream of each topic this stack creates (and of each dead-letter topic of its
 * connectors): on-demand, KMS-encrypted, retained on removal unless `retainStreams: false`.
 */
export function streamResources(mine: readonly ConnectorPlan[], createdTopics: ReadonlySet<string>, streamIds: ReadonlyMap<string, string>, options: DeploymentOptions): Fragment {
  const fragment = emptyFragment();
  const deadLetters = new Set(mine.flatMap((plan) => (plan.deadLetter ? [plan.deadLetter.topic] : [])));
  for (const [topic, id] of streamIds) {
    if (!createdTopics.has(topic) && !deadLetters.has(topic)) continue;
    const stream = streamNameOf(streamPrefixOf(options), topic);
    const retain = options.retainStreams ? ({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' } as const) : {};
    fragment.resources[id] = {
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
    fragment.outputs[`${id}Arn`] = { Description: `Kinesis stream of topic ${topic}`, Value: getAtt(id, 'Arn') };
  }
  return fragment;
}

/** Step 5: the stack-wide resources: the dead-letter queue, and each present placement's shared resources. */
export function stackResources(kinds: ReadonlySet<Placement['kind']>, options: DeploymentOptions): Fragment {
  const fragment = emptyFragment();
  fragment.resources[DEAD_LETTER_QUEUE] = { Type: 'AWS::SQS::Queue', Properties: { MessageRetentionPeriod: 1_209_600, SqsManagedSseEnabled: true } };
  fragment.outputs.DeadLetterQueueUrl = { Description: 'Failed scheduled invocations (EventBridge Scheduler and Lambda on-failure destination)', Value: ref(DEAD_LETTER_QUEUE) };
  for (const kind of Object.keys(placements) as Array<Placement['kind']>) {
    if (kinds.has(kind)) merge(fragment, placementDefinition(kind).stack(options));
  }
  return fragment;
}

/** Adds `more` into `into`. */
function merge(into: Fragment, more: Fragment): void {
  Object.assign(into.functions, more.functions);
  Object.assign(into.resources, more.resources);
  Object.assign(into.outputs, more.outputs);
}

/** Steps 2 and 3 of a set of configs and options. */
interface Planned {
  plans: readonly ConnectorPlan[];
  createdTopics: ReadonlySet<string>;
  counts: readonly number[];
}

/**
 * Steps 2 and 3 ({@link planConnectors}, {@link checkResourceBudget}) depend on the configs and every option but
 * `group`, not on the stack generated: kept per configs array (by identity) and options, so that the stacks of one
 * `npm run sls:groups -- package` process (one array of configs, read once by serverless/connectors.js) plan
 * every config once, not once per stack. A failing step is not kept (it throws again).
 */
const planned = new WeakMap<readonly ConnectorInput[], Map<string, Planned>>();

function plannedOnce(inputs: readonly ConnectorInput[], options: DeploymentOptions): Planned {
  const key = JSON.stringify({ ...options, group: undefined });
  const kept = planned.get(inputs)?.get(key);
  if (kept !== undefined) return kept;
  const { plans, createdTopics } = planConnectors(inputs, options);
  const counts = checkResourceBudget(plans, createdTopics, options);
  const result = { plans, createdTopics, counts };
  if (!planned.has(inputs)) planned.set(inputs, new Map());
  planned.get(inputs)!.set(key, result);
  return result;
}

/**
 * The deployment generator: connector configs + deployment options → the functions and resources
 * of one CloudFormation stack. Pure: no I/O, same input same output. Steps: {@link selectedGroup},
 * {@link planConnectors}, {@link checkResourceBudget}, {@link streamResources}, one fragment per
 * connector from its placement (the {@link placements} registry), {@link stackResources}; every
 * logical ID is claimed once (a collision is an error, never a silent overwrite).
 *
 * - Periodic sources → scheduled Lambda functions, streaming sources → ECS Fargate services, sinks →
 *   Lambda functions fed by a Kinesis event source mapping on their topic's stream.
 * - Topics → Kinesis streams named `streamNameOf(streamPrefix, topic)`: created (one per topic, in
 *   the stack of the topic's group) when any config of the topic sets `create-topic`/`create_topic`,
 *   referenced by name otherwise.
 *
 * @throws ConnectorError DEPLOY_OPTIONS_INVALID when `groups` > 1 and `group` is missing or out of range.
 * - A config whose transforms use SmartModule files gets them in its function's package (the
 *   container image carries the configs directory); one with `on_error: dead-letter` gets a
 *   `<topic>-dlq` stream in its topic's stack and may put to it.
 *
 * @throws ConnectorError DEPLOY_DUPLICATE_NAME, DEPLOY_CONSUMER_OFFSET_UNSUPPORTED, DEPLOY_SMARTMODULE_PATH,
 *   DEPLOY_DEAD_LETTER_CONFLICT, DEPLOY_ENVIRONMENT_TOO_LARGE, DEPLOY_LOGICAL_ID_COLLISION, DEPLOY_STACK_TOO_LARGE (the message
 *   gives the counts and the `groups` value that fits) or DEPLOY_TOPIC_TOO_LARGE.
 */
export function generateService(inputs: readonly ConnectorInput[], options: DeploymentOptions): ServiceFragments {
  const group = selectedGroup(options);
  const { plans, createdTopics, counts } = plannedOnce(inputs, options);
  const stackName = options.groups > 1 ? `${options.service}-${options.stage}-g${group}` : `${options.service}-${options.stage}`;

  const byName = new Map(inputs.map((input) => [input.spec.name, input]));
  const mine = plans.filter((plan) => plan.group === group);
  const claim = logicalIdRegistry();
  for (const id of [DEAD_LETTER_QUEUE, DEAD_LETTER_ALARM, SCHEDULER_ROLE, CLUSTER, SINK_FAILURE_QUEUE, 'ServerlessDeploymentBucket', 'ServerlessDeploymentBucketPolicy']) claim(id, 'the stack');
  const topics = [...new Set(mine.map((plan) => plan.topic))].sort();
  const deadLetterTopics = [...new Set(mine.flatMap((plan) => (plan.deadLetter ? [plan.deadLetter.topic] : [])))].sort();
  const streamIds = new Map([...topics, ...deadLetterTopics].map((topic) => [topic, claim(streamLogicalId(topic), `topic ${topic}`)]));

  const service = streamResources(mine, createdTopics, streamIds, options);
  const alarmed: AlarmedConnector[] = [];
  for (const plan of [...mine].sort((a, b) => a.name.localeCompare(b.name))) {
    const input = byName.get(plan.name) as ConnectorInput;
    const names = connectorNames(plan.name, options.service, options.stage);
    alarmed.push({ name: plan.name, file: plan.file, names });
    const stream: StreamRef = createdTopics.has(plan.topic) ? { name: plan.stream, logicalId: streamIds.get(plan.topic) as string } : { name: plan.stream };
    const placement = placementDefinition(plan.placement.kind);
    const deadLetterStream: StreamRef | undefined = plan.deadLetter ? { name: plan.deadLetter.stream, logicalId: streamIds.get(plan.deadLetter.topic) as string } : undefined;
    const fragment = placement.connector(input, plan.placement, { names, stream, options, smartModules: plan.smartModules, ...(deadLetterStream ? { deadLetterStream } : {}) });
    for (const key of Object.keys(fragment.functions)) for (const suffix of placement.derivedSuffixes) claim(logicalPrefixOf(key) + suffix, plan.file);
    for (const id of [...Object.keys(fragment.resources), ...Object.keys(fragment.outputs)]) claim(id, plan.file);
    merge(service, fragment);
  }
  merge(service, stackResources(new Set(mine.map((plan) => plan.placement.kind)), options));
  const alarms = alarmResources(alarmed, DEAD_LETTER_QUEUE, stackName, options);
  const alarmOwners = new Map(alarmed.map((connector) => [connector.names.base + RESOURCE_SUFFIXES.ALARM, connector.file]));
  for (const id of Object.keys(alarms.resources)) claim(id, alarmOwners.get(id) ?? 'the stack');
  merge(service, alarms);
  checkOutputBudget(service.outputs);

  return {
    stackName,
    functions: service.functions,
    resources: { Resources: service.resources, Outputs: service.outputs },
    connectors: [...plans],
    resourceCount: counts[group] as number,
    group,
  };
}

/** The logical-ID prefix osls derives from a function key (`quotesPeriodic` → `QuotesPeriodic`). */
function logicalPrefixOf(functionKey: string): string {
  return functionKey[0]!.toUpperCase() + functionKey.slice(1);
}
