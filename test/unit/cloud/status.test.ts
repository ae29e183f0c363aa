import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { GetEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { ListSchedulesCommand } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { activityOf, commonPrefix, deploymentStatus } from '../../../lib/cloud/status';
import { deploymentOf, mockedCloudClients, poller, sink, task } from '../../support/cloud';

const NOW = Date.UTC(2026, 11, 2, 10, 30, 0);
const minute = (m: number): Date => new Date(NOW - m * 60_000);

describe('Function: activityOf', () => {
  it('should say the latest invocation failed when the latest minute with invocations had errors', () => {
    // Act
    const failing = activityOf({ Id: 'e0', Timestamps: [minute(1), minute(5)], Values: [1, 0] }, { Id: 'n0', Timestamps: [minute(1), minute(5)], Values: [1, 1] });
    const recovered = activityOf({ Id: 'e0', Timestamps: [minute(1), minute(5)], Values: [0, 2] }, { Id: 'n0', Timestamps: [minute(1), minute(5)], Values: [1, 2] });
    const quiet = activityOf(undefined, undefined);

    // Assess
    expect(failing).toEqual({ lastError: minute(1), lastInvocation: minute(1), latestFailed: true });
    expect(recovered).toEqual({ lastError: minute(5), lastInvocation: minute(1), latestFailed: false });
    expect(quiet).toEqual({ latestFailed: false });
  });
});

describe('Function: commonPrefix', () => {
  it('should give the longest prefix the names share', () => {
    // Assess
    expect(commonPrefix(['connectors-dev-ASchedule-1', 'connectors-dev-BSchedule-2'])).toBe('connectors-dev-');
    expect(commonPrefix(['only'])).toBe('only');
    expect(commonPrefix(['a', 'b'])).toBe('');
  });
});

describe('Function: deploymentStatus', () => {
  it('should tell Running, Stopped and Failing pollers apart from their schedule state and Lambda errors', async () => {
    // Prepare: three pollers; `failing`'s latest minute had an error, `stopped`'s schedule is disabled
    const { clients, mocks } = mockedCloudClients();
    const connectors = [poller('healthy'), poller('failing'), poller('stopped')];
    mocks.scheduler.on(ListSchedulesCommand).resolves({
      Schedules: connectors.map((c) => ({ Name: (c as { schedule: string }).schedule, GroupName: 'default', State: c.name === 'stopped' ? 'DISABLED' : 'ENABLED' })),
    });
    mocks.cloudWatch.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: Array<{ Id: string; MetricStat: { Metric: { MetricName: string; Dimensions: Array<{ Value: string }> } } }> }) => ({
      MetricDataResults: input.MetricDataQueries.map((query) => {
        const fn = query.MetricStat.Metric.Dimensions[0]!.Value;
        const errors = query.MetricStat.Metric.MetricName === 'Errors';
        const value = errors ? (fn.endsWith('failing') ? [1, 0] : fn.endsWith('stopped') ? [0, 3] : [0, 0]) : [1, 1];
        return { Id: query.Id, Timestamps: [minute(2), minute(20)], Values: value, StatusCode: 'Complete' };
      }),
    }));

    // Act
    const status = await deploymentStatus(clients, deploymentOf(connectors), { now: NOW });

    // Assess
    expect(status.connectors.map((row) => [row.connector.name, row.runs, row.status, row.lastError])).toEqual([
      ['healthy', 'every 2s', 'Running', undefined],
      ['failing', 'every 2s', 'Failing', minute(2)],
      ['stopped', 'every 2s', 'Stopped', minute(20)],
    ]);
    expect(status.connectors[1]?.detail).toContain('connector cloud logs --name failing');
    const listed = mocks.scheduler.commandCalls(ListSchedulesCommand)[0]?.args[0].input;
    expect(listed).toEqual({ GroupName: 'default', NamePrefix: 'connectors-dev-' });
    const metrics = mocks.cloudWatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(metrics?.StartTime).toEqual(new Date(NOW - 3_600_000));
    expect(metrics?.MetricDataQueries).toHaveLength(6);
  });

  it('should show a poller whose schedule is gone as Unknown', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
    mocks.cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    // Act
    const status = await deploymentStatus(clients, deploymentOf([poller('gone')]), { now: NOW });

    // Assess
    expect(status.connectors[0]).toMatchObject({ status: 'Unknown', detail: 'schedule default/connectors-dev-gone-Schedule-XYZ not found' });
  });

  it('should tell Running, Stopped, Failing and Starting tasks apart from their ECS service and its stopped tasks', async () => {
    // Prepare: `crashing` had a task exit 1 ten minutes ago and runs none; `restarted` crashed but runs again
    const { clients, mocks } = mockedCloudClients();
    const connectors = [task('running'), task('stopped'), task('crashing'), task('starting'), task('restarted')];
    const service = (name: string, desired: number, running: number, pending = 0) => ({ serviceName: `connectors-dev-${name}-Service-XYZ`, status: 'ACTIVE', desiredCount: desired, runningCount: running, pendingCount: pending });
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [service('running', 1, 1), service('stopped', 0, 0), service('crashing', 1, 0, 1), service('starting', 1, 0, 1), service('restarted', 1, 1)] });
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: ['t1', 't2', 't3', 't4'] });
    mocks.ecs.on(DescribeTasksCommand).resolves({
      tasks: [
        { taskArn: 't1', group: 'service:connectors-dev-crashing-Service-XYZ', stoppedAt: minute(10), stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', containers: [{ exitCode: 1 }] },
        { taskArn: 't2', group: 'service:connectors-dev-restarted-Service-XYZ', stoppedAt: minute(30), stopCode: 'TaskFailedToStart', stoppedReason: 'CannotPullContainerError: pull image manifest has been retried 1 time(s)' },
        // a deployment's replaced task (SIGTERM, exit 0) and a failure older than the look-back are no errors
        { taskArn: 't3', group: 'service:connectors-dev-running-Service-XYZ', stoppedAt: minute(5), stopCode: 'ServiceSchedulerInitiated', containers: [{ exitCode: 0 }] },
        { taskArn: 't4', group: 'service:connectors-dev-starting-Service-XYZ', stoppedAt: minute(90), stopCode: 'EssentialContainerExited', containers: [{ exitCode: 1 }] },
      ],
    });

    // Act
    const status = await deploymentStatus(clients, deploymentOf(connectors), { now: NOW });

    // Assess
    expect(status.connectors.map((row) => [row.connector.name, row.runs, row.status, row.lastError])).toEqual([
      ['running', '1/1 tasks', 'Running', undefined],
      ['stopped', '0/0 tasks', 'Stopped', undefined],
      ['crashing', '0/1 tasks', 'Failing', minute(10)],
      ['starting', '0/1 tasks', 'Starting', undefined],
      ['restarted', '1/1 tasks', 'Running', minute(30)],
    ]);
    expect(status.connectors[2]?.detail).toBe('task stopped: Essential container in task exited (exit code 1)');
    expect(status.connectors[4]?.detail).toContain('CannotPullContainerError');
    expect(mocks.ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({ cluster: 'connectors-dev-Cluster-ABC', desiredStatus: 'STOPPED' });
  });

  it('should show sinks by their event source mapping: Running, Stopped, Failing with the mapping\'s problem', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-ok' }).resolves({ UUID: 'uuid-ok', State: 'Enabled', LastProcessingResult: 'OK' });
    mocks.lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-off' }).resolves({ UUID: 'uuid-off', State: 'Disabled' });
    mocks.lambda.on(GetEventSourceMappingCommand, { UUID: 'uuid-bad' }).resolves({ UUID: 'uuid-bad', State: 'Enabled', LastProcessingResult: 'PROBLEM: Function call failed' });
    mocks.cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });

    // Act
    const status = await deploymentStatus(clients, deploymentOf([sink('ok'), sink('off'), sink('bad')]), { now: NOW });

    // Assess
    expect(status.connectors.map((row) => [row.connector.name, row.runs, row.status, row.detail])).toEqual([
      ['ok', 'stream connectors-dev-quotes', 'Running', undefined],
      ['off', 'stream connectors-dev-quotes', 'Stopped', undefined],
      ['bad', 'stream connectors-dev-quotes', 'Failing', 'PROBLEM: Function call failed'],
    ]);
  });

  it('should report the dead-letter queues that hold failed invocations, and not the empty ones', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    const deployment = deploymentOf([], 'https://sqs.us-east-1.amazonaws.com/1/dlq');
    deployment.stacks.push({ name: 'connectors-dev-g1', status: 'CREATE_COMPLETE', deadLetterQueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/dlq-1', connectors: [] });
    mocks.sqs.on(GetQueueAttributesCommand, { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/dlq' }).resolves({ Attributes: { ApproximateNumberOfMessages: '3' } });
    mocks.sqs.on(GetQueueAttributesCommand, { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/1/dlq-1' }).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });

    // Act
    const status = await deploymentStatus(clients, deployment, { now: NOW });

    // Assess
    expect(status.deadLetters).toEqual([{ stack: 'connectors-dev', url: 'https://sqs.us-east-1.amazonaws.com/1/dlq', messages: 3 }]);
  });
});
