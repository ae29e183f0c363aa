import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { invokeWindow, scheduledEvent } from '../../../lib/cloud/invoke';
import { followLogs, readLogs } from '../../../lib/cloud/logs';
import { ErrorCode } from '../../../lib/core/errors';
import { mockedCloudClients, poller, task, rejectionOf } from '../../support/cloud';
import { waitFor } from '../../support/wait-for';

const NOW = Date.UTC(2026, 11, 2, 10, 30, 12, 345);

describe('Function: invokeWindow', () => {
  it('should invoke the poller synchronously with a scheduled event of now and return its window report', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    const report = { connector: 'p', polls: 30, records: 30, errors: 0 };
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, Payload: Buffer.from(JSON.stringify(report)) as never, LogResult: Buffer.from('START RequestId: 1\nEND RequestId: 1\n').toString('base64') });

    // Act
    const result = await invokeWindow(clients, poller('p'), { region: 'eu-west-1', now: NOW });

    // Assess
    expect(result.report).toEqual(report);
    expect(result.logTail).toContain('END RequestId: 1');
    const input = mocks.lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'connectors-dev-p', InvocationType: 'RequestResponse', LogType: 'Tail' });
    const event = JSON.parse(Buffer.from(input?.Payload as Uint8Array).toString('utf8'));
    expect(event).toMatchObject({ 'detail-type': 'Scheduled Event', time: '2026-12-02T10:30:12Z', region: 'eu-west-1', source: 'connector.cli' });
  });

  it('should fail with CLOUD_INVOKE_FAILED giving the function\'s error and the end of its log', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    const error = { errorType: 'ConnectorError', errorMessage: 'p: every poll of the window failed (30 polls, 30 errors); see the log' };
    mocks.lambda.on(InvokeCommand).resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: Buffer.from(JSON.stringify(error)) as never, LogResult: Buffer.from('{"level":"error","msg":"poll failed"}\n').toString('base64') });

    // Act
    const thrown = await rejectionOf(invokeWindow(clients, poller('p'), { region: 'us-east-1', now: NOW }));

    // Assess
    expect(thrown.code).toBe(ErrorCode.CLOUD_INVOKE_FAILED);
    expect(thrown.message).toContain('p: the invocation of connectors-dev-p failed (Unhandled): ConnectorError: p: every poll of the window failed');
    expect(thrown.message).toContain('{"level":"error","msg":"poll failed"}');
  });

  it('should refuse a task with a usage error and call nothing', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();

    // Act
    const thrown = await rejectionOf(invokeWindow(clients, task('s'), { region: 'us-east-1' }));

    // Assess
    expect(thrown.code).toBe(ErrorCode.USAGE);
    expect(thrown.message).toContain('s is a streaming source running as an ECS task');
    expect(mocks.lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it('should cut the event time to the second, as scheduled times are', () => {
    // Assess
    expect(scheduledEvent(NOW, 'us-east-1').time).toBe('2026-12-02T10:30:12Z');
  });
});

describe('Function: readLogs / followLogs', () => {
  it('should read the connector\'s log group across pages, oldest first', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.logs
      .on(FilterLogEventsCommand)
      .resolvesOnce({ events: [{ eventId: '2', timestamp: 2000, logStreamName: 's', message: 'second\n' }], nextToken: 'n' })
      .resolvesOnce({ events: [{ eventId: '1', timestamp: 1000, logStreamName: 's', message: 'first' }] });

    // Act
    const lines = await readLogs(clients, poller('p'), { startMs: 500 });

    // Assess
    expect(lines.map((line) => line.message)).toEqual(['first', 'second']);
    expect(mocks.logs.commandCalls(FilterLogEventsCommand)[0]?.args[0].input).toMatchObject({ logGroupName: '/aws/lambda/connectors-dev-p', startTime: 500 });
  });

  it('should follow new events, each once, restarting at the latest timestamp seen, until aborted', async () => {
    // Prepare: poll 1 sees a and b (both at 2000); poll 2 sees b again and c; then nothing new
    const { clients, mocks } = mockedCloudClients();
    const a = { eventId: 'a', timestamp: 1000, logStreamName: 's', message: 'a' };
    const b = { eventId: 'b', timestamp: 2000, logStreamName: 's', message: 'b' };
    const c = { eventId: 'c', timestamp: 2000, logStreamName: 't', message: 'c' };
    mocks.logs.on(FilterLogEventsCommand).resolvesOnce({ events: [a, b] }).resolvesOnce({ events: [b, c] }).resolves({ events: [b, c] });
    const stop = new AbortController();
    const seen: string[] = [];

    // Act
    const done = (async () => {
      for await (const line of followLogs(clients, poller('p'), { startMs: 0, pollMs: 5, signal: stop.signal })) seen.push(line.message);
    })();
    await waitFor(() => mocks.logs.commandCalls(FilterLogEventsCommand).length >= 4);
    stop.abort();
    await done;

    // Assess
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(mocks.logs.commandCalls(FilterLogEventsCommand).slice(1).map((call) => call.args[0].input.startTime)).toEqual(expect.arrayContaining([2000]));
  });

  it('should say the log group does not exist instead of an AWS error name alone', async () => {
    // Prepare
    const { clients, mocks } = mockedCloudClients();
    mocks.logs.on(FilterLogEventsCommand).rejects(Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' }));

    // Act
    const error = await rejectionOf(readLogs(clients, task('s'), { startMs: 0 }));

    // Assess
    expect(error.code).toBe(ErrorCode.CLOUD_REQUEST_FAILED);
    expect(error.message).toBe('log group /ecs/connectors-dev-s does not exist (the stack creates it: is the deployment complete?)');
  });
});
