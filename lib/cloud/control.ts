import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetEventSourceMappingCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, type GetScheduleCommandOutput, type ScheduleState, UpdateScheduleCommand, type UpdateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { ConnectorError, ErrorCode } from '../core';
import type { CloudClients } from './clients';
import { awsCall } from './request';
import type { DeployedConnector } from './stacks';

/** What `connector cloud shutdown|resume` did. */
export interface ControlResult {
  connector: DeployedConnector;
  /** What was changed, as the user recognises it (`schedule connectors-dev-QuotesPeriodicSchedule-AB12`). */
  resource: string;
  /** State before and after (`ENABLED`/`DISABLED`, desired count `1`/`0`, `Enabled`/`Disabled`). */
  before: string;
  after: string;
  /** False when it already was in the wanted state (nothing was sent). */
  changed: boolean;
}

/**
 * The `UpdateSchedule` request that changes only the state of `current`. `UpdateSchedule`
 * replaces the whole schedule (fields left out are reset to their defaults), so every field
 * `GetSchedule` returned is sent back as it was; only the read-only ones (ARN, creation and
 * modification dates, response metadata) are dropped.
 */
export function scheduleUpdate(current: GetScheduleCommandOutput, state: ScheduleState): UpdateScheduleCommandInput {
  const { Arn: _arn, CreationDate: _created, LastModificationDate: _modified, $metadata: _metadata, State: _state, Name, ScheduleExpression, FlexibleTimeWindow, Target, ...rest } = current;
  if (!Name || !ScheduleExpression || !FlexibleTimeWindow || !Target) {
    throw new Error(`GetSchedule returned an incomplete schedule (${JSON.stringify({ Name, ScheduleExpression, FlexibleTimeWindow, Target })})`);
  }
  return { ...rest, Name, ScheduleExpression, FlexibleTimeWindow, Target, State: state };
}

/** Enables or disables a poller's schedule (Scheduler `GetSchedule` then `UpdateSchedule`). */
async function setSchedule(clients: Pick<CloudClients, 'scheduler'>, connector: Extract<DeployedConnector, { kind: 'poller' }>, running: boolean): Promise<ControlResult> {
  const wanted: ScheduleState = running ? 'ENABLED' : 'DISABLED';
  const resource = `schedule ${connector.scheduleGroup}/${connector.schedule}`;
  const current = await awsCall(`EventBridge Scheduler GetSchedule ${connector.schedule}`, () => clients.scheduler.send(new GetScheduleCommand({ Name: connector.schedule, GroupName: connector.scheduleGroup })));
  const before = current.State ?? 'ENABLED';
  if (before === wanted) return { connector, resource, before, after: before, changed: false };
  await awsCall(`EventBridge Scheduler UpdateSchedule ${connector.schedule}`, () => clients.scheduler.send(new UpdateScheduleCommand(scheduleUpdate(current, wanted))));
  return { connector, resource, before, after: wanted, changed: true };
}

/** Scales a task connector's ECS service to 0 or to its descriptor's task count (`UpdateService` desiredCount). */
async function setService(clients: Pick<CloudClients, 'ecs'>, connector: Extract<DeployedConnector, { kind: 'task' }>, running: boolean): Promise<ControlResult> {
  const wanted = running ? connector.tasks : 0;
  const resource = `ECS service ${connector.cluster}/${connector.service}`;
  const described = await awsCall(`ECS DescribeServices ${connector.service}`, () => clients.ecs.send(new DescribeServicesCommand({ cluster: connector.cluster, services: [connector.service] })));
  const service = described.services?.find((s) => s.serviceName === connector.service && s.status !== 'INACTIVE');
  if (!service) throw new ConnectorError(`${resource} not found (deleted outside the stack?): redeploy the stack`, ErrorCode.CLOUD_NOT_DEPLOYED);
  const before = service.desiredCount ?? 0;
  if (before === wanted) return { connector, resource, before: `desired count ${before}`, after: `desired count ${before}`, changed: false };
  await awsCall(`ECS UpdateService ${connector.service}`, () => clients.ecs.send(new UpdateServiceCommand({ cluster: connector.cluster, service: connector.service, desiredCount: wanted })));
  return { connector, resource, before: `desired count ${before}`, after: `desired count ${wanted}`, changed: true };
}

/** Enables or disables a sink's Kinesis event source mapping (`UpdateEventSourceMapping` Enabled). */
async function setMapping(clients: Pick<CloudClients, 'lambda'>, connector: Extract<DeployedConnector, { kind: 'sink' }>, running: boolean): Promise<ControlResult> {
  const resource = `event source mapping ${connector.eventSourceMapping}`;
  const current = await awsCall(`Lambda GetEventSourceMapping ${connector.eventSourceMapping}`, () => clients.lambda.send(new GetEventSourceMappingCommand({ UUID: connector.eventSourceMapping })));
  const before = current.State ?? 'Enabled';
  const enabled = before === 'Enabled' || before === 'Enabling' || before === 'Creating';
  if (enabled === running) return { connector, resource, before, after: before, changed: false };
  const updated = await awsCall(`Lambda UpdateEventSourceMapping ${connector.eventSourceMapping}`, () => clients.lambda.send(new UpdateEventSourceMappingCommand({ UUID: connector.eventSourceMapping, Enabled: running })));
  return { connector, resource, before, after: updated.State ?? (running ? 'Enabling' : 'Disabling'), changed: true };
}

/**
 * `connector cloud shutdown` (`running: false`) and `resume` (`running: true`):
 * - poller: its EventBridge Scheduler schedule `DISABLED`/`ENABLED` (no invocation starts; one
 *   already running finishes its window);
 * - task: its ECS service's desired count 0 / the deployed count (ECS sends SIGTERM; the task
 *   flushes and exits within the 30 s stop timeout);
 * - sink: its event source mapping disabled/enabled (records wait in the stream, up to its retention).
 * Idempotent: a connector already in the wanted state is left alone (`changed: false`).
 * A later `serverless deploy` that updates the schedule or service resets it to the template's state.
 * @throws CloudRequestError (CLOUD_REQUEST_FAILED) when a call fails.
 */
export function setRunning(clients: CloudClients, connector: DeployedConnector, running: boolean): Promise<ControlResult> {
  switch (connector.kind) {
    case 'poller':
      return setSchedule(clients, connector, running);
    case 'task':
      return setService(clients, connector, running);
    case 'sink':
      return setMapping(clients, connector, running);
  }
}
