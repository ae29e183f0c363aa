import { DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeServicesCommand, ListTasksCommand, UpdateServiceCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, ListSchedulesCommand, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { createPollHandler } from '../../../functions/poller';
import { ConnectorEnv } from '../../../lib/core/env';
import { silentLogger } from '../../../lib/core/log';
import { fakePhysicalValues, resolveIntrinsics } from '../../support/cfn-resolve';
import { requireBuild } from '../../support/cli';
import { mockedCloudClients } from '../../support/cloud';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, type Kinesalite, setProcessEnv, startKinesalite } from '../../support/kinesalite';
import { packagedTemplate, resourcesOfType, runServerless, serviceDir, type ServiceDir, type Template } from '../../support/serverless';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(120_000);

// The CLI as built (dist/, which `npm test` builds first), run in this process with mocked AWS clients.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { main } = require('../../../dist/lib/cli/main') as typeof import('../../../lib/cli/main');

const STACK = 'connectors-dev';

/**
 * `connector cloud` against the stack `serverless package` writes, as CloudFormation would report
 * it once deployed: the packaged template's outputs resolved with generated physical names, and
 * each AWS service answering from the packaged resources (aws-sdk-client-mock: no AWS API runs
 * here). Checks that the CLI and the generator agree: every config is listed, shutdown sends back
 * the packaged schedule with only its state changed, invoke's event is accepted by the real
 * poller handler, logs reads the log group the stack creates.
 */
describe('connector cloud on the packaged stack (AWS answers mocked from the template)', () => {
  let service: ServiceDir;
  let template: Template;
  let physical: Record<string, string>;
  let server: TestHttpServer;
  let kinesis: Kinesalite;
  let restoreEnv: () => void = () => undefined;
  const mocked = mockedCloudClients();
  const { clients, mocks } = mocked;
  const scheduleStates = new Map<string, 'ENABLED' | 'DISABLED'>();
  const desiredCounts = new Map<string, number>();

  /** Runs `connector <args>` in this process with the mocked clients; returns its output and exit code. */
  /** What the invoked function printed (its log, in AWS). */
  const functionLog: string[] = [];

  async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    return cliWith({}, ...args);
  }

  /** {@link cli} with more `connector cloud` dependencies (the `--follow` signal and poll interval). */
  async function cliWith(deps: { followSignal?: () => AbortSignal; followPollMs?: number }, ...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    let stdout = '';
    let stderr = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += chunk.toString()), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += chunk.toString()), true));
    try {
      await main(['node', 'connector', 'cloud', ...args, '--serverless-config', `${service.dir}/serverless.yml`], { cloud: { clients: () => clients, ...deps } });
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { stdout, stderr, code };
  }

  /** A packaged resource's properties, with intrinsics resolved as the deployed stack has them. */
  function deployedProperties(logicalId: string): Record<string, any> {
    return resolveIntrinsics(template.Resources[logicalId]?.Properties, physical) as Record<string, any>;
  }

  beforeAll(async () => {
    requireBuild();
    restoreEnv = setProcessEnv(KINESALITE_ENV);
    kinesis = await startKinesalite();
    await kinesis.createStream(`${STACK}-quotes`, 1);
    server = await startHttpServer((_req, res) => res.end(JSON.stringify({ quote: 'q' })));
    service = serviceDir({
      configs: {
        'quotes-periodic.yaml': `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: quotes-periodic\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: ${server.url}/api/quote\n  interval: 2s\n`,
        'hourly.yaml': `version: 0.1.0\nname: hourly\ntype: http\ntopic: quotes\ndirection: source\nparameters:\n  endpoint: ${server.url}/hourly\n  interval: 3600\n`,
        'quotes-stream.yaml': `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: quotes-stream\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: ${server.url}/stream\n  stream: true\n`,
      },
    });
    const packaged = await runServerless(service.dir, ['package']);
    if (packaged.code !== 0) throw new Error(`serverless package failed:\n${packaged.stdout}${packaged.stderr}`);
    template = packagedTemplate(service.dir);
    physical = fakePhysicalValues(STACK, template.Resources);

    // CloudFormation: the one stack, its outputs resolved
    mocks.cloudFormation.on(ListStacksCommand).resolves({ StackSummaries: [{ StackName: STACK, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date() }] });
    const outputs = Object.entries(template.Outputs ?? {}).map(([key, output]) => ({ OutputKey: key, OutputValue: String(resolveIntrinsics(output.Value, physical)) }));
    mocks.cloudFormation.on(DescribeStacksCommand, { StackName: STACK }).resolves({ Stacks: [{ StackName: STACK, StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs }] });

    // Scheduler: the packaged schedules, by their generated names
    const schedules = new Map(Object.keys(resourcesOfType(template, 'AWS::Scheduler::Schedule')).map((id) => [physical[id] as string, id]));
    for (const name of schedules.keys()) scheduleStates.set(name, 'ENABLED');
    mocks.scheduler.on(ListSchedulesCommand).callsFake((input: { NamePrefix?: string }) => ({
      Schedules: [...scheduleStates].filter(([name]) => name.startsWith(input.NamePrefix ?? '')).map(([Name, State]) => ({ Name, GroupName: 'default', State })),
    }));
    mocks.scheduler.on(GetScheduleCommand).callsFake((input: { Name: string; GroupName: string }) => {
      const id = schedules.get(input.Name);
      if (!id || input.GroupName !== 'default') throw Object.assign(new Error(`Schedule ${input.Name} does not exist.`), { name: 'ResourceNotFoundException' });
      return { ...deployedProperties(id), Name: input.Name, GroupName: 'default', State: scheduleStates.get(input.Name), Arn: `arn:aws:scheduler:us-east-1:123456789012:schedule/default/${input.Name}`, CreationDate: new Date() };
    });
    mocks.scheduler.on(UpdateScheduleCommand).callsFake((input: { Name: string; State: 'ENABLED' | 'DISABLED' }) => {
      scheduleStates.set(input.Name, input.State);
      return { ScheduleArn: `arn:aws:scheduler:us-east-1:123456789012:schedule/default/${input.Name}` };
    });

    // ECS: the packaged services, one task each
    for (const id of Object.keys(resourcesOfType(template, 'AWS::ECS::Service'))) desiredCounts.set(physical[`${id}.Name`] as string, 1);
    mocks.ecs.on(DescribeServicesCommand).callsFake((input: { services: string[] }) => ({
      services: input.services.filter((name) => desiredCounts.has(name)).map((name) => ({ serviceName: name, status: 'ACTIVE', desiredCount: desiredCounts.get(name), runningCount: desiredCounts.get(name), pendingCount: 0 })),
    }));
    mocks.ecs.on(UpdateServiceCommand).callsFake((input: { service: string; desiredCount: number }) => {
      desiredCounts.set(input.service, input.desiredCount);
      return {};
    });
    mocks.ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    mocks.cloudWatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    mocks.sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '0' } });

    // Lambda: Invoke runs the real poller handler with the packaged function's environment (a 3 s window)
    const functions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).map((resource) => resource.Properties as { FunctionName: string; Timeout: number; Environment: { Variables: Record<string, string> } });
    functionLog.length = 0;
    mocks.lambda.on(InvokeCommand).callsFake(async (input: { FunctionName: string; Payload: Uint8Array }) => {
      const fn = functions.find((f) => f.FunctionName === input.FunctionName);
      if (!fn) throw Object.assign(new Error(`Function not found: ${input.FunctionName}`), { name: 'ResourceNotFoundException' });
      const env = { ...fn.Environment.Variables, [ConnectorEnv.KINESIS_ENDPOINT]: kinesis.endpoint, [ConnectorEnv.WINDOW_MS]: '3000' };
      const context = { awsRequestId: 'r1', getRemainingTimeInMillis: () => fn.Timeout * 1000 } as unknown as Context;
      // The function's own stdout (its EMF metric lines) goes to its log group, not to the invoker.
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string | Uint8Array) => (functionLog.push(chunk.toString()), true)) as typeof process.stdout.write;
      try {
        const report = await createPollHandler({ env, log: silentLogger })(JSON.parse(Buffer.from(input.Payload).toString('utf8')), context);
        return { StatusCode: 200, Payload: Buffer.from(JSON.stringify(report)) };
      } finally {
        process.stdout.write = write;
      }
    });

    // CloudWatch Logs: the log groups the stack creates
    const logGroups = new Set(Object.values(resourcesOfType(template, 'AWS::Logs::LogGroup')).map((resource) => resource.Properties?.LogGroupName as string));
    const eventTime = Date.now() - 1000;
    mocks.logs.on(FilterLogEventsCommand).callsFake((input: { logGroupName: string }) => {
      if (!logGroups.has(input.logGroupName)) throw Object.assign(new Error('The specified log group does not exist.'), { name: 'ResourceNotFoundException' });
      return { events: [{ eventId: '1', timestamp: eventTime, logStreamName: 's', message: `{"msg":"from ${input.logGroupName}"}\n` }] };
    });
  });

  afterAll(async () => {
    await server?.close();
    await kinesis?.close();
    service?.cleanup();
    restoreEnv();
  });

  it('should list every packaged config with its kind, schedule or tasks, and status', async () => {
    // Act
    const { stdout, code } = await cli('list');

    // Assess
    expect(code).toBe(0);
    expect(stdout.split('\n').map((line) => line.trim().split(/\s{2,}/))).toEqual([
      ['NAME', 'KIND', 'SCHEDULE/TASKS', 'STATUS', 'LAST ERROR'],
      ['hourly', 'poller', 'every 1h', 'Running', '-'],
      ['quotes-periodic', 'poller', 'every 2s', 'Running', '-'],
      ['quotes-stream', 'task', '1/1 tasks', 'Running', '-'],
      [''],
    ]);
  });

  it('should shut a poller down by sending its packaged schedule back with only the state changed, then resume it', async () => {
    // Prepare
    const scheduleId = 'QuotesPeriodicSchedule';
    const name = physical[scheduleId] as string;

    // Act
    const down = await cli('shutdown', '--name', 'quotes-periodic');
    const listed = await cli('list');
    const up = await cli('resume', '--name', 'quotes-periodic');

    // Assess
    expect(down.code).toBe(0);
    expect(down.stdout).toBe(`Shutting down connector: quotes-periodic\nschedule default/${name}: ENABLED -> DISABLED\n`);
    expect(listed.stdout).toMatch(/quotes-periodic\s+poller\s+every 2s\s+Stopped/);
    expect(up.stdout).toBe(`Resuming connector: quotes-periodic\nschedule default/${name}: DISABLED -> ENABLED\n`);
    const updates = mocks.scheduler.commandCalls(UpdateScheduleCommand).map((call) => call.args[0].input);
    const packaged = deployedProperties(scheduleId);
    expect(updates).toEqual([
      { ...packaged, Name: name, GroupName: 'default', State: 'DISABLED' },
      { ...packaged, Name: name, GroupName: 'default', State: 'ENABLED' },
    ]);
  });

  it('should scale a task\'s service to 0 and back', async () => {
    // Act
    const down = await cli('shutdown', '--name', 'quotes-stream');
    const listed = await cli('list');
    const up = await cli('resume', '--name', 'quotes-stream');

    // Assess
    expect(down.stdout).toContain(`ECS service ${physical.ConnectorsCluster}/${physical['QuotesStreamService.Name']}: desired count 1 -> desired count 0`);
    expect(listed.stdout).toMatch(/quotes-stream\s+task\s+0\/0 tasks\s+Stopped/);
    expect(up.stdout).toContain('desired count 0 -> desired count 1');
  });

  it('should invoke one window through the real poller handler and print its report', async () => {
    // Act
    const { stdout, stderr, code } = await cli('invoke', '--name', 'quotes-periodic');

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('Invoking connectors-dev-quotes-periodic for one window');
    const report = JSON.parse(stdout) as { connector: string; polls: number; records: number; errors: number };
    expect(functionLog.join('')).toContain('"CloudWatchMetrics"');
    expect(report).toMatchObject({ connector: 'quotes-periodic', topic: 'quotes', errors: 0 });
    expect(report.polls).toBeGreaterThanOrEqual(1);
    const records = (await kinesis.readAll(`${STACK}-quotes`)).filter((record) => record.partitionKey === 'quotes-periodic');
    expect(records.length).toBe(report.records);
  });

  it('should read the log group the stack creates for a function and for a task', async () => {
    // Act
    const poller = await cli('logs', '--name', 'hourly', '--since', '1h');
    const task = await cli('logs', '--name', 'quotes-stream');

    // Assess
    expect(poller.stdout).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \{"msg":"from \/aws\/lambda\/connectors-dev-hourly"\}\n$/);
    expect(task.stdout).toContain('{"msg":"from /ecs/connectors-dev-quotes-stream"}');
  });

  it('should follow a task\'s log group until stopped', async () => {
    // Prepare
    const stop = new AbortController();
    const calls = mocks.logs.commandCalls(FilterLogEventsCommand).length;

    // Act: stop once the CLI has polled three times
    const following = cliWith({ followSignal: () => stop.signal, followPollMs: 5 }, 'logs', '--name', 'quotes-stream', '--follow');
    await waitFor(() => mocks.logs.commandCalls(FilterLogEventsCommand).length >= calls + 3);
    stop.abort();
    const { stdout, code } = await following;

    // Assess: the one event, printed once however often it was polled
    expect(code).toBe(0);
    expect(stdout.match(/from \/ecs\/connectors-dev-quotes-stream/g)).toHaveLength(1);
  });

  it('should fail a name that is not deployed with exit 1 and the deployed names', async () => {
    // Act
    const { stderr, code } = await cli('shutdown', '--name', 'nope');

    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe('Error: Connector not found: nope (deployed connectors of connectors-dev in us-east-1: hourly, quotes-periodic, quotes-stream)\n');
  });
});
