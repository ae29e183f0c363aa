import { GetMetricDataCommand, type MetricDataQuery, type MetricDataResult } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, DescribeTasksCommand, paginateListTasks, type Service, type Task } from '@aws-sdk/client-ecs';
import { type EventSourceMappingConfiguration, GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { paginateListSchedules } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { CloudClients } from './clients';
import { awsCall, mapLimit } from './request';
import type { DeployedConnector, Deployment } from './stacks';

/**
 * Status of a deployed connector (`connector cloud list`), like `fluvio connector list`'s STATUS:
 * - `Running`: its schedule is enabled (poller), its tasks run (task), its event source mapping is enabled (sink);
 * - `Stopped`: `connector cloud shutdown` (or the console) disabled it;
 * - `Failing`: enabled, but its latest invocation failed (Lambda `Errors`), its service has fewer
 *   tasks than desired after a task failed, or its event source mapping reports a problem;
 * - `Starting`: a task is being started and none has failed;
 * - `Unknown`: its schedule, service or mapping was not found (deleted outside the stack?).
 */
export type CloudStatus = 'Running' | 'Stopped' | 'Failing' | 'Starting' | 'Unknown';

/** One row of `connector cloud list`. */
export interface ConnectorStatus {
  connector: DeployedConnector;
  /** How it runs: `every 2s` (poller), `1/1 tasks` (running/desired), `stream NAME` (sink). */
  runs: string;
  status: CloudStatus;
  /** Time of its latest error within the look-back window (a failed invocation's minute, a failed task's stop). */
  lastError?: Date;
  /** Why, when the status or the last error needs explaining. */
  detail?: string;
}

/** A stack's dead-letter queue that holds failed invocations. */
export interface DeadLetters {
  stack: string;
  url: string;
  /** `ApproximateNumberOfMessages` of the queue. */
  messages: number;
}

/** What `connector cloud list` prints. */
export interface DeploymentStatus {
  connectors: ConnectorStatus[];
  /** Dead-letter queues with messages (scheduled invocations that failed or could not be delivered). */
  deadLetters: DeadLetters[];
}

/** Settings of {@link deploymentStatus}. */
export interface StatusOptions {
  /** Current time (default `Date.now()`). */
  now?: number;
  /** How far back errors count, ms (default one hour: ECS keeps stopped tasks visible about that long). */
  lookbackMs?: number;
}

/** Default look-back of errors, ms. */
export const DEFAULT_LOOKBACK_MS = 3_600_000;
/** GetMetricData accepts at most 500 queries per call (two per function: Errors and Invocations). */
const MAX_METRIC_QUERIES = 500;
/** DescribeServices takes at most 10 services per call, DescribeTasks 100 tasks. */
const SERVICES_PER_CALL = 10;
const TASKS_PER_CALL = 100;
/** Calls in flight at once for per-connector calls (GetEventSourceMapping, queue attributes). */
const CONCURRENCY = 4;

/** `items` in chunks of `size`. */
function chunks<T>(items: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, index) => items.slice(index * size, (index + 1) * size));
}

/** The longest common prefix of `names` (the `NamePrefix` that lists just these schedules). */
export function commonPrefix(names: readonly string[]): string {
  if (names.length === 0) return '';
  let prefix = names[0] as string;
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}

/** Lambda activity of one function over the look-back window, per one-minute period. */
export interface FunctionActivity {
  /** Latest minute with errors. */
  lastError?: Date;
  /** Latest minute with invocations. */
  lastInvocation?: Date;
  /** Whether the latest minute with invocations also had errors. */
  latestFailed: boolean;
}

/** Activity of one function from its `Errors` and `Invocations` series (pure; exported for tests). */
export function activityOf(errors: MetricDataResult | undefined, invocations: MetricDataResult | undefined): FunctionActivity {
  const points = (result: MetricDataResult | undefined): Array<[number, number]> =>
    (result?.Timestamps ?? []).map((time, index) => [new Date(time).getTime(), result?.Values?.[index] ?? 0] as [number, number]);
  const errorPoints = points(errors).filter(([, value]) => value > 0);
  const invocationPoints = points(invocations).filter(([, value]) => value > 0);
  const lastErrorMs = Math.max(-Infinity, ...errorPoints.map(([time]) => time));
  const lastInvocationMs = Math.max(-Infinity, ...invocationPoints.map(([time]) => time));
  return {
    ...(Number.isFinite(lastErrorMs) ? { lastError: new Date(lastErrorMs) } : {}),
    ...(Number.isFinite(lastInvocationMs) ? { lastInvocation: new Date(lastInvocationMs) } : {}),
    // An error counts in the minute the invocation started, so equal periods mean the latest one failed.
    latestFailed: Number.isFinite(lastErrorMs) && lastErrorMs >= lastInvocationMs,
  };
}

/**
 * `Errors` and `Invocations` (AWS/Lambda, Sum per minute) of each function over the window, in
 * GetMetricData calls of at most 500 queries.
 */
async function functionActivity(clients: Pick<CloudClients, 'cloudWatch'>, functions: readonly string[], startMs: number, endMs: number): Promise<Map<string, FunctionActivity>> {
  const activity = new Map<string, FunctionActivity>();
  for (const batch of chunks([...new Set(functions)], MAX_METRIC_QUERIES / 2)) {
    const query = (id: string, metric: string, name: string): MetricDataQuery => ({
      Id: id,
      MetricStat: { Metric: { Namespace: 'AWS/Lambda', MetricName: metric, Dimensions: [{ Name: 'FunctionName', Value: name }] }, Period: 60, Stat: 'Sum' },
      ReturnData: true,
    });
    const queries = batch.flatMap((name, index) => [query(`e${index}`, 'Errors', name), query(`n${index}`, 'Invocations', name)]);
    const results = new Map<string, MetricDataResult>();
    let token: string | undefined;
    do {
      const page = await awsCall('CloudWatch GetMetricData', () =>
        clients.cloudWatch.send(new GetMetricDataCommand({ MetricDataQueries: queries, StartTime: new Date(startMs), EndTime: new Date(endMs), ScanBy: 'TimestampDescending', NextToken: token })),
      );
      for (const result of page.MetricDataResults ?? []) {
        const seen = results.get(result.Id ?? '');
        results.set(result.Id ?? '', seen ? { ...seen, Timestamps: [...(seen.Timestamps ?? []), ...(result.Timestamps ?? [])], Values: [...(seen.Values ?? []), ...(result.Values ?? [])] } : result);
      }
      token = page.NextToken;
    } while (token);
    batch.forEach((name, index) => activity.set(name, activityOf(results.get(`e${index}`), results.get(`n${index}`))));
  }
  return activity;
}

/** State (`ENABLED`/`DISABLED`) of each poller's schedule, by group and name, listed with the pollers' common name prefix. */
async function scheduleStates(clients: Pick<CloudClients, 'scheduler'>, pollers: readonly DeployedConnector[]): Promise<Map<string, string>> {
  const states = new Map<string, string>();
  const groups = new Map<string, string[]>();
  for (const poller of pollers) {
    if (poller.kind !== 'poller') continue;
    groups.set(poller.scheduleGroup, [...(groups.get(poller.scheduleGroup) ?? []), poller.schedule]);
  }
  for (const [group, names] of groups) {
    const prefix = commonPrefix(names);
    await awsCall('EventBridge Scheduler ListSchedules', async () => {
      for await (const page of paginateListSchedules({ client: clients.scheduler }, { GroupName: group, ...(prefix ? { NamePrefix: prefix } : {}) })) {
        for (const schedule of page.Schedules ?? []) if (schedule.Name && schedule.State) states.set(`${group}/${schedule.Name}`, schedule.State);
      }
    });
  }
  return states;
}

/** Whether a stopped task failed (did not start, or an essential container exited non-zero). */
export function taskFailed(task: Task): boolean {
  if (task.stopCode === 'TaskFailedToStart') return true;
  return (task.containers ?? []).some((container) => container.exitCode !== undefined && container.exitCode !== 0);
}

/** Why a stopped task stopped, in one line. */
function stopReason(task: Task): string {
  const container = (task.containers ?? []).find((c) => c.exitCode !== undefined && c.exitCode !== 0);
  const exit = container ? ` (exit code ${container.exitCode}${container.reason ? `: ${container.reason}` : ''})` : '';
  return `${task.stoppedReason ?? task.stopCode ?? 'stopped'}${exit}`;
}

/** The ECS services of the task connectors (by `cluster/service`), and the latest failed stopped task of each. */
async function taskStates(clients: Pick<CloudClients, 'ecs'>, tasks: readonly DeployedConnector[], sinceMs: number): Promise<{ services: Map<string, Service>; failures: Map<string, Task> }> {
  const services = new Map<string, Service>();
  const failures = new Map<string, Task>();
  const clusters = new Map<string, string[]>();
  for (const task of tasks) if (task.kind === 'task') clusters.set(task.cluster, [...(clusters.get(task.cluster) ?? []), task.service]);
  for (const [cluster, names] of clusters) {
    for (const batch of chunks(names, SERVICES_PER_CALL)) {
      const described = await awsCall('ECS DescribeServices', () => clients.ecs.send(new DescribeServicesCommand({ cluster, services: batch })));
      for (const service of described.services ?? []) if (service.serviceName) services.set(`${cluster}/${service.serviceName}`, service);
    }
    // Stopped tasks stay visible for about an hour: the recent failures of the cluster's services.
    const stopped: string[] = [];
    await awsCall('ECS ListTasks', async () => {
      for await (const page of paginateListTasks({ client: clients.ecs }, { cluster, desiredStatus: 'STOPPED' })) stopped.push(...(page.taskArns ?? []));
    });
    for (const batch of chunks(stopped, TASKS_PER_CALL)) {
      const described = await awsCall('ECS DescribeTasks', () => clients.ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })));
      for (const task of described.tasks ?? []) {
        const service = task.group?.startsWith('service:') ? task.group.slice('service:'.length) : undefined;
        const stoppedAt = task.stoppedAt ? new Date(task.stoppedAt).getTime() : undefined;
        if (!service || stoppedAt === undefined || stoppedAt < sinceMs || !taskFailed(task)) continue;
        const key = `${cluster}/${service}`;
        const seen = failures.get(key);
        if (!seen || new Date(seen.stoppedAt as Date).getTime() < stoppedAt) failures.set(key, task);
      }
    }
  }
  return { services, failures };
}

/** The status of a poller from its schedule state and function activity. */
function pollerStatus(connector: Extract<DeployedConnector, { kind: 'poller' }>, state: string | undefined, activity: FunctionActivity | undefined): ConnectorStatus {
  const runs = `every ${connector.every}`;
  const lastError = activity?.lastError ? { lastError: activity.lastError } : {};
  if (state === undefined) return { connector, runs, status: 'Unknown', ...lastError, detail: `schedule ${connector.scheduleGroup}/${connector.schedule} not found` };
  if (state === 'DISABLED') return { connector, runs, status: 'Stopped', ...lastError };
  if (activity?.latestFailed) return { connector, runs, status: 'Failing', ...lastError, detail: `its latest invocation failed (Lambda Errors of ${connector.function}); see \`connector cloud logs --name ${connector.name}\`` };
  return { connector, runs, status: 'Running', ...lastError };
}

/** The status of a task connector from its ECS service and its latest failed task. */
function taskStatus(connector: Extract<DeployedConnector, { kind: 'task' }>, service: Service | undefined, failure: Task | undefined): ConnectorStatus {
  const lastError = failure?.stoppedAt ? { lastError: new Date(failure.stoppedAt) } : {};
  const why = failure ? { detail: `task stopped: ${stopReason(failure)}` } : {};
  if (!service || service.status === 'INACTIVE') return { connector, runs: '-', status: 'Unknown', ...lastError, detail: `ECS service ${connector.service} not found in cluster ${connector.cluster}` };
  const desired = service.desiredCount ?? 0;
  const running = service.runningCount ?? 0;
  const runs = `${running}/${desired} tasks`;
  if (desired === 0) return { connector, runs, status: 'Stopped', ...lastError, ...(running > 0 ? { detail: `${running} task(s) still stopping` } : {}) };
  if (running >= desired) return { connector, runs, status: 'Running', ...lastError, ...why };
  if (failure) return { connector, runs, status: 'Failing', ...lastError, ...why };
  return { connector, runs, status: 'Starting', ...(service.pendingCount ? { detail: `${service.pendingCount} task(s) pending` } : {}) };
}

/** The status of a sink from its event source mapping and function activity. */
function sinkStatus(connector: Extract<DeployedConnector, { kind: 'sink' }>, mapping: EventSourceMappingConfiguration | undefined, activity: FunctionActivity | undefined): ConnectorStatus {
  const runs = `stream ${connector.stream}`;
  const lastError = activity?.lastError ? { lastError: activity.lastError } : {};
  if (!mapping) return { connector, runs, status: 'Unknown', ...lastError, detail: `event source mapping ${connector.eventSourceMapping} not found` };
  if (mapping.State === 'Disabled' || mapping.State === 'Disabling') return { connector, runs, status: 'Stopped', ...lastError };
  const problem = mapping.LastProcessingResult?.startsWith('PROBLEM') ? mapping.LastProcessingResult : undefined;
  if (problem || activity?.latestFailed) return { connector, runs, status: 'Failing', ...lastError, detail: problem ?? `its latest invocation failed (Lambda Errors of ${connector.function})` };
  if (mapping.State === 'Creating' || mapping.State === 'Enabling') return { connector, runs, status: 'Starting', ...lastError };
  return { connector, runs, status: 'Running', ...lastError };
}

/**
 * The status of every connector of `deployment` and the dead-letter queues holding failed
 * invocations. Calls, batched: Scheduler ListSchedules (per schedule group), CloudWatch
 * GetMetricData (250 functions per call), ECS DescribeServices (10 per call), ListTasks and
 * DescribeTasks (stopped tasks of each cluster), Lambda GetEventSourceMapping (per sink), SQS
 * GetQueueAttributes (per stack).
 * @throws CloudRequestError (CLOUD_REQUEST_FAILED) when a call fails.
 */
export async function deploymentStatus(clients: CloudClients, deployment: Deployment, options: StatusOptions = {}): Promise<DeploymentStatus> {
  const now = options.now ?? Date.now();
  const since = now - (options.lookbackMs ?? DEFAULT_LOOKBACK_MS);
  const { connectors } = deployment;
  const pollers = connectors.filter((c) => c.kind === 'poller');
  const tasks = connectors.filter((c) => c.kind === 'task');
  const sinks = connectors.filter((c) => c.kind === 'sink');
  const functions = connectors.flatMap((c) => (c.kind === 'poller' || c.kind === 'sink' ? [c.function] : []));

  const [states, activity, ecs, mappings, deadLetters] = await Promise.all([
    pollers.length > 0 ? scheduleStates(clients, pollers) : new Map<string, string>(),
    functions.length > 0 ? functionActivity(clients, functions, since, now) : new Map<string, FunctionActivity>(),
    tasks.length > 0 ? taskStates(clients, tasks, since) : { services: new Map<string, Service>(), failures: new Map<string, Task>() },
    mapLimit(sinks, CONCURRENCY, async (sink) => {
      if (sink.kind !== 'sink') return undefined;
      try {
        return await awsCall(`Lambda GetEventSourceMapping ${sink.eventSourceMapping}`, () => clients.lambda.send(new GetEventSourceMappingCommand({ UUID: sink.eventSourceMapping })));
      } catch (error) {
        if ((error as { awsName?: string }).awsName === 'ResourceNotFoundException') return undefined;
        throw error;
      }
    }),
    mapLimit(deployment.stacks.filter((stack) => stack.deadLetterQueueUrl), CONCURRENCY, async (stack): Promise<DeadLetters> => {
      const url = stack.deadLetterQueueUrl as string;
      const attributes = await awsCall(`SQS GetQueueAttributes ${url}`, () => clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] })));
      return { stack: stack.name, url, messages: Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) };
    }),
  ]);
  const mappingOf = new Map(sinks.map((sink, index) => [sink, mappings[index]]));

  return {
    connectors: connectors.map((connector): ConnectorStatus => {
      switch (connector.kind) {
        case 'poller':
          return pollerStatus(connector, states.get(`${connector.scheduleGroup}/${connector.schedule}`), activity.get(connector.function));
        case 'task':
          return taskStatus(connector, ecs.services.get(`${connector.cluster}/${connector.service}`), ecs.failures.get(`${connector.cluster}/${connector.service}`));
        case 'sink':
          return sinkStatus(connector, mappingOf.get(connector), activity.get(connector.function));
      }
    }),
    deadLetters: deadLetters.filter((queue) => queue.messages > 0),
  };
}
