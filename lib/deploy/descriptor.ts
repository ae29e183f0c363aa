import { z } from 'zod';
import type { CfnOutput, CfnValue } from './cfn';

/**
 * Connector descriptors: one stack output per deployed connector, which `connector cloud` reads
 * (CloudFormation `DescribeStacks`) to find what it manages: the connector's name and kind and the
 * physical names of its function, schedule, ECS service or event source mapping, and log group.
 *
 * The output's value is a JSON object. Physical names that only CloudFormation knows (a schedule's
 * generated name, an ECS service's name, an event source mapping's UUID) are `Ref`/`Fn::GetAtt`
 * pieces of an `Fn::Join`, so the deployed stack's output holds the resolved JSON. Outputs are not
 * resources: they cost nothing in the 500-resource budget (CloudFormation allows 200 per stack).
 */

/** Version of the descriptor format; a reader refuses descriptors of a newer major format. */
export const DESCRIPTOR_VERSION = 1;

/** Logical ID suffix of a connector's descriptor output: `<Base>Connector` (e.g. `QuotesPeriodicConnector`). */
export const DESCRIPTOR_OUTPUT_SUFFIX = 'Connector';

/** EventBridge Scheduler's default schedule group (the generated schedules set no `GroupName`). */
export const DEFAULT_SCHEDULE_GROUP = 'default';

/** CloudFormation's limit on outputs per stack (AWS docs, "CloudFormation quotas"). */
export const MAX_OUTPUTS_PER_STACK = 200;

const common = {
  v: z.literal(DESCRIPTOR_VERSION).describe('Descriptor format version.'),
  name: z.string().min(1).describe('Connector name (`meta.name`).'),
  type: z.string().min(1).describe('Connector type (`http-source`, …).'),
  config: z.string().describe('Config file, relative to the service directory.'),
  topic: z.string().describe('Topic name.'),
  stream: z.string().describe('Kinesis stream of the topic.'),
  logGroup: z.string().min(1).describe('CloudWatch Logs log group of the function or task.'),
};

/**
 * What a deployed connector's descriptor says, by kind:
 * - `poller` (periodic source): a Lambda function invoked by an EventBridge Scheduler schedule;
 * - `task` (streaming source): an ECS Fargate service keeping `tasks` tasks running;
 * - `sink`: a Lambda function fed by a Kinesis event source mapping.
 * Unknown extra fields are ignored (a newer generator may add some).
 */
export const ConnectorDescriptorSchema = z.discriminatedUnion('kind', [
  z.object({
    ...common,
    kind: z.literal('poller'),
    function: z.string().min(1).describe('Lambda function name.'),
    schedule: z.string().min(1).describe('EventBridge Scheduler schedule name.'),
    scheduleGroup: z.string().min(1).describe('Schedule group of the schedule.'),
    every: z.string().describe('The config\'s interval (humantime).'),
  }),
  z.object({
    ...common,
    kind: z.literal('task'),
    cluster: z.string().min(1).describe('ECS cluster name.'),
    service: z.string().min(1).describe('ECS service name.'),
    tasks: z.number().int().min(1).describe('Desired task count when running.'),
  }),
  z.object({
    ...common,
    kind: z.literal('sink'),
    function: z.string().min(1).describe('Lambda function name.'),
    eventSourceMapping: z.string().min(1).describe('UUID of the Kinesis event source mapping.'),
  }),
]);

/** A deployed connector's descriptor (as read back from a stack output). */
export type ConnectorDescriptor = z.output<typeof ConnectorDescriptorSchema>;
/** The kinds of deployed connectors (`connector cloud list` KIND column). */
export type DeployedKind = ConnectorDescriptor['kind'];

/**
 * A descriptor as the generator writes it, per kind: every field present, physical names that only
 * CloudFormation knows given as intrinsics (`Ref`, `Fn::GetAtt`); `v` is added by {@link descriptorOutput}.
 */
export type DescriptorTemplate = ConnectorDescriptor extends infer D
  ? D extends { kind: infer K; name: string }
    ? { [F in Exclude<keyof D, 'v' | 'kind' | 'name'>]: D[F] | CfnValue } & { kind: K; name: string }
    : never
  : never;

/** `{ Ref }` or `{ 'Fn::…' }`: a value CloudFormation resolves. */
function isIntrinsic(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::'));
}

/** Marker of an intrinsic's place in the JSON text: characters `JSON.stringify` keeps as they are. */
const MARKER = /@@cfn(\d+)@@/;

/**
 * JSON text of `value` as a CloudFormation value: a plain string when it holds no intrinsic, else
 * an `Fn::Join` of the literal JSON pieces and the intrinsics (each inside its JSON string quotes).
 * The intrinsics must resolve to strings needing no JSON escaping (names, ARNs, UUIDs).
 */
export function jsonWithIntrinsics(value: Record<string, unknown>): CfnValue {
  const intrinsics: unknown[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => (isIntrinsic(v) ? `@@cfn${intrinsics.push(v) - 1}@@` : v));
  if (intrinsics.length === 0) return text;
  const pieces = text.split(MARKER).map((piece, index) => (index % 2 === 1 ? intrinsics[Number(piece)] : piece));
  return { 'Fn::Join': ['', pieces.filter((piece) => piece !== '')] };
}

/** The logical ID of a connector's descriptor output (from its logical ID base). */
export function descriptorOutputId(base: string): string {
  return base + DESCRIPTOR_OUTPUT_SUFFIX;
}

/**
 * The stack output describing one deployed connector (see {@link ConnectorDescriptorSchema}).
 * @returns `[outputId, output]`.
 */
export function descriptorOutput(base: string, descriptor: DescriptorTemplate): [string, CfnOutput] {
  return [
    descriptorOutputId(base),
    { Description: `Connector ${descriptor.name} (${descriptor.kind}), read by \`connector cloud\``.slice(0, 1024), Value: jsonWithIntrinsics({ v: DESCRIPTOR_VERSION, ...descriptor }) },
  ];
}
