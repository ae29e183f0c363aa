import { DescribeStacksCommand, paginateListStacks, type Output, type StackStatus } from '@aws-sdk/client-cloudformation';
import { ConnectorError, ErrorCode, UsageError } from '../core';
import { type ConnectorDescriptor, ConnectorDescriptorSchema, DESCRIPTOR_OUTPUT_SUFFIX, DESCRIPTOR_VERSION } from '../deploy/descriptor';
import type { CloudClients } from './clients';
import { awsCall, mapLimit } from './request';
import type { CloudTarget } from './target';

/** A deployed connector: its descriptor and the stack it belongs to. */
export type DeployedConnector = ConnectorDescriptor & { stack: string };

/** One CloudFormation stack of the deployment. */
export interface DeployedStack {
  name: string;
  status: string;
  /** URL of the stack's SQS dead-letter queue (output `DeadLetterQueueUrl`), when present. */
  deadLetterQueueUrl?: string;
  connectors: DeployedConnector[];
}

/** What `connector cloud` found for a service and stage. */
export interface Deployment {
  target: CloudTarget;
  stacks: DeployedStack[];
  /** Every connector of every stack, sorted by name. */
  connectors: DeployedConnector[];
  /** Things worth telling the user (a stack mid-update, an output this version cannot read). */
  notes: string[];
}

/** Every stack status but `DELETE_COMPLETE` (ListStacks returns deleted stacks for 90 days). */
const LIVE_STATUSES: StackStatus[] = [
  'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'CREATE_COMPLETE', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_FAILED', 'ROLLBACK_COMPLETE',
  'DELETE_IN_PROGRESS', 'DELETE_FAILED', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE',
  'UPDATE_FAILED', 'UPDATE_ROLLBACK_IN_PROGRESS', 'UPDATE_ROLLBACK_FAILED', 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS',
  'UPDATE_ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS', 'IMPORT_IN_PROGRESS', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_IN_PROGRESS',
  'IMPORT_ROLLBACK_FAILED', 'IMPORT_ROLLBACK_COMPLETE',
];

/** DescribeStacks calls in flight at once (CloudFormation throttles describe calls per account). */
const DESCRIBE_CONCURRENCY = 4;

/**
 * Stack names of a deployment, as `lib/deploy` names them: `<service>-<stage>`, or
 * `<service>-<stage>-g<N>` with `custom.connectors.groups` > 1. Both forms match, so a deployment
 * in the middle of a `groups` change shows the connectors of its old and new stacks.
 */
export function stackNamePattern(target: Pick<CloudTarget, 'service' | 'stage'>): RegExp {
  const base = `${target.service}-${target.stage}`.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${base}(?:-g\\d+)?$`);
}

/**
 * The connector descriptors among a stack's outputs (`<Base>Connector`, JSON; see
 * `lib/deploy/descriptor.ts`). An output this version cannot read becomes a note, not an error.
 */
export function descriptorsOf(stack: string, outputs: readonly Output[]): { connectors: DeployedConnector[]; notes: string[] } {
  const connectors: DeployedConnector[] = [];
  const notes: string[] = [];
  for (const output of outputs) {
    const key = output.OutputKey ?? '';
    if (!key.endsWith(DESCRIPTOR_OUTPUT_SUFFIX) || !output.OutputValue?.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(output.OutputValue);
    } catch {
      notes.push(`stack ${stack}: output ${key} is not valid JSON; redeploy the stack`);
      continue;
    }
    const version = (value as { v?: unknown }).v;
    if (typeof version === 'number' && version > DESCRIPTOR_VERSION) {
      notes.push(`stack ${stack}: output ${key} was written by a newer version (descriptor v${version}); upgrade this CLI to manage it`);
      continue;
    }
    const parsed = ConnectorDescriptorSchema.safeParse(value);
    if (!parsed.success) {
      notes.push(`stack ${stack}: output ${key} is not a connector descriptor this CLI reads (${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')})`);
      continue;
    }
    connectors.push({ ...parsed.data, stack });
  }
  return { connectors, notes };
}

/**
 * Finds the deployed connectors of `target`: the stacks named after its service and stage
 * (CloudFormation `ListStacks`), and the connector descriptors among their outputs
 * (`DescribeStacks`). Calls: ListStacks (one per 100 stacks of the region), then one
 * DescribeStacks per stack of the deployment.
 * @throws ConnectorError CLOUD_NOT_DEPLOYED when the region has no stack of the service and stage.
 * @throws CloudRequestError (CLOUD_REQUEST_FAILED) when a call fails.
 */
export async function findDeployment(clients: Pick<CloudClients, 'cloudFormation'>, target: CloudTarget): Promise<Deployment> {
  const pattern = stackNamePattern(target);
  const names: string[] = [];
  await awsCall('CloudFormation ListStacks', async () => {
    for await (const page of paginateListStacks({ client: clients.cloudFormation }, { StackStatusFilter: LIVE_STATUSES })) {
      for (const summary of page.StackSummaries ?? []) if (summary.StackName && pattern.test(summary.StackName)) names.push(summary.StackName);
    }
  });
  if (names.length === 0) {
    throw new ConnectorError(
      `no stack ${target.service}-${target.stage} (or ${target.service}-${target.stage}-g<N>) in ${target.region}: deploy with \`npx serverless deploy --stage ${target.stage} --region ${target.region}\`, or pass the --service/--stage/--region it was deployed with`,
      ErrorCode.CLOUD_NOT_DEPLOYED,
    );
  }
  names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const notes: string[] = [];
  const stacks = await mapLimit(names, DESCRIBE_CONCURRENCY, async (name): Promise<DeployedStack> => {
    const described = await awsCall(`CloudFormation DescribeStacks ${name}`, () => clients.cloudFormation.send(new DescribeStacksCommand({ StackName: name })));
    const stack = described.Stacks?.[0];
    const status = stack?.StackStatus ?? 'UNKNOWN';
    const outputs = stack?.Outputs ?? [];
    const found = descriptorsOf(name, outputs);
    notes.push(...found.notes);
    if (!/_COMPLETE$/.test(status) || status === 'ROLLBACK_COMPLETE') notes.push(`stack ${name} is ${status}`);
    else if (found.connectors.length === 0 && found.notes.length === 0) notes.push(`stack ${name} has no connector outputs (deployed before \`connector cloud\` existed? redeploy it)`);
    const deadLetterQueueUrl = outputs.find((output) => output.OutputKey === 'DeadLetterQueueUrl')?.OutputValue;
    return { name, status, ...(deadLetterQueueUrl ? { deadLetterQueueUrl } : {}), connectors: found.connectors };
  });
  const connectors = stacks.flatMap((stack) => stack.connectors).sort((a, b) => a.name.localeCompare(b.name) || a.stack.localeCompare(b.stack));
  return { target, stacks, connectors, notes };
}

/**
 * The deployed connector named `name` (`--name`); `stack` (`--stack`) chooses between two stacks
 * holding the same name (a `groups` change in progress).
 * @throws ConnectorError CONNECTOR_NOT_FOUND naming the connectors that exist.
 * @throws UsageError when the name is in several stacks and `stack` is not given.
 */
export function connectorNamed(deployment: Deployment, name: string, stack?: string): DeployedConnector {
  const matches = deployment.connectors.filter((connector) => connector.name === name && (stack === undefined || connector.stack === stack));
  if (matches.length === 1) return matches[0] as DeployedConnector;
  if (matches.length > 1) {
    throw new UsageError(`connector ${name} is deployed in stacks ${matches.map((m) => m.stack).join(' and ')} (a change of custom.connectors.groups in progress?): choose one with --stack NAME, or remove the old stack`);
  }
  const known = deployment.connectors.map((connector) => connector.name);
  const where = `${deployment.target.service}-${deployment.target.stage} in ${deployment.target.region}${stack ? ` (stack ${stack})` : ''}`;
  throw new ConnectorError(`Connector not found: ${name} (deployed connectors of ${where}: ${known.length > 0 ? known.join(', ') : 'none'})`, ErrorCode.CONNECTOR_NOT_FOUND);
}
