import { DescribeServicesCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { GetEventSourceMappingCommand, UpdateEventSourceMappingCommand } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, type GetScheduleCommandOutput, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { scheduleUpdate, setRunning } from '../../../lib/cloud/control';
import { ErrorCode } from '../../../lib/core/errors';
import { mockedCloudClients, poller, sink, task, rejectionOf } from '../../support/cloud';

/** A schedule as GetSchedule returns it, every optional field set, so a dropped field shows. */
function scheduleOf(state: 'ENABLED' | 'DISABLED'): Omit<GetScheduleCommandOutput, '$metadata'> {
  return {
    Arn: 'arn:aws:scheduler:us-east-1:123456789012:schedule/default/connectors-dev-p-Schedule-XYZ',
    Name: 'connectors-dev-p-Schedule-XYZ',
    GroupName: 'default',
    Description: 'p: every 2s, polled per slot inside each minute',
    ScheduleExpression: 'rate(1 minute)',
    ScheduleExpressionTimezone: 'UTC',
    StartDate: new Date('2026-01-01T00:00:00Z'),
    EndDate: new Date('2030-01-01T00:00:00Z'),
    State: state,
    KmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/k',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'NONE',
    CreationDate: new Date('2026-01-01T00:00:00Z'),
    LastModificationDate: new Date('2026-02-01T00:00:00Z'),
    Target: {
      Arn: 'arn:aws:lambda:us-east-1:123456789012:function:connectors-dev-p',
      RoleArn: 'arn:aws:iam::123456789012:role/scheduler',
      Input: '{"detail-type":"Scheduled Event","time":"<aws.scheduler.scheduled-time>"}',
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:123456789012:dlq' },
    },
  };
}

describe('Function: scheduleUpdate', () => {
  it('should send back every field of the schedule, only the state changed (UpdateSchedule replaces the whole schedule)', () => {
    // Prepare
    const current = { ...scheduleOf('ENABLED'), $metadata: {} };

    // Act
    const update = scheduleUpdate(current, 'DISABLED');

    // Assess
    const { Arn: _a, CreationDate: _c, LastModificationDate: _l, $metadata: _m, ...writable } = current;
    expect(update).toEqual({ ...writable, State: 'DISABLED' });
  });
});

describe('Function: setRunning', () => {
  it('should disable a poller\'s schedule with the schedule as it was, and leave an already disabled one alone', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.scheduler.on(GetScheduleCommand).resolvesOnce(scheduleOf('ENABLED')).resolvesOnce(scheduleOf('DISABLED'));
    mocks.scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: scheduleOf('DISABLED').Arn });
    const connector = poller('p', { schedule: 'connectors-dev-p-Schedule-XYZ' });

    // Act
    const first = await setRunning(clients, connector, false);
    const second = await setRunning(clients, connector, false);

    // Assess
    expect([first.changed, first.before, first.after]).toEqual([true, 'ENABLED', 'DISABLED']);
    expect([second.changed, second.after]).toEqual([false, 'DISABLED']);
    expect(mocks.scheduler.commandCalls(GetScheduleCommand)[0]?.args[0].input).toEqual({ Name: 'connectors-dev-p-Schedule-XYZ', GroupName: 'default' });
    const sent = mocks.scheduler.commandCalls(UpdateScheduleCommand);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.args[0].input).toMatchObject({ State: 'DISABLED', Target: scheduleOf('ENABLED').Target, ScheduleExpression: 'rate(1 minute)', FlexibleTimeWindow: { Mode: 'OFF' } });
  });

  it('should scale a task\'s service to 0 on shutdown and back to its deployed count on resume', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    const connector = task('s');
    const service = (desiredCount: number) => ({ services: [{ serviceName: 'connectors-dev-s-Service-XYZ', status: 'ACTIVE', desiredCount }] });
    mocks.ecs.on(DescribeServicesCommand).resolvesOnce(service(1)).resolvesOnce(service(0));
    mocks.ecs.on(UpdateServiceCommand).resolves({});

    // Act
    const down = await setRunning(clients, connector, false);
    const up = await setRunning(clients, connector, true);

    // Assess
    expect([down.before, down.after, up.before, up.after]).toEqual(['desired count 1', 'desired count 0', 'desired count 0', 'desired count 1']);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand).map((call) => call.args[0].input)).toEqual([
      { cluster: 'connectors-dev-Cluster-ABC', service: 'connectors-dev-s-Service-XYZ', desiredCount: 0 },
      { cluster: 'connectors-dev-Cluster-ABC', service: 'connectors-dev-s-Service-XYZ', desiredCount: 1 },
    ]);
  });

  it('should fail with CLOUD_NOT_DEPLOYED when the task\'s service no longer exists', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.ecs.on(DescribeServicesCommand).resolves({ services: [], failures: [{ arn: 'x', reason: 'MISSING' }] });

    // Act
    const error = await rejectionOf(setRunning(clients, task('s'), true));

    // Assess
    expect(error.code).toBe(ErrorCode.CLOUD_NOT_DEPLOYED);
    expect(mocks.ecs.commandCalls(UpdateServiceCommand)).toHaveLength(0);
  });

  it('should disable and enable a sink\'s event source mapping', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.lambda.on(GetEventSourceMappingCommand).resolvesOnce({ State: 'Enabled' }).resolvesOnce({ State: 'Disabled' });
    mocks.lambda.on(UpdateEventSourceMappingCommand).resolvesOnce({ State: 'Disabling' }).resolvesOnce({ State: 'Enabling' });

    // Act
    const down = await setRunning(clients, sink('k'), false);
    const up = await setRunning(clients, sink('k'), true);

    // Assess
    expect([down.after, up.after]).toEqual(['Disabling', 'Enabling']);
    expect(mocks.lambda.commandCalls(UpdateEventSourceMappingCommand).map((call) => call.args[0].input)).toEqual([{ UUID: 'uuid-k', Enabled: false }, { UUID: 'uuid-k', Enabled: true }]);
  });
});
