import { spawn } from 'node:child_process';
import { CLI, requireBuild } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, type Kinesalite, startKinesalite } from '../../support/kinesalite';
import { packagedTemplate, runServerless, serviceDir, type ServiceDir } from '../../support/serverless';
import { waitFor } from '../../support/wait-for';

jest.setTimeout(120_000);

/** The generated functions and tasks, run as they would run in AWS: same handler/command, same environment. */
describe('generated functions and tasks, run locally against kinesalite', () => {
  let kinesis: Kinesalite;
  let server: TestHttpServer;
  let service: ServiceDir;
  let polls = 0;
  const stop = new AbortController();

  beforeAll(async () => {
    requireBuild();
    kinesis = await startKinesalite();
    server = await startHttpServer((req, res, recorded) => {
      if (req.url === '/sink') {
        res.writeHead(recorded.body === 'refused' ? 422 : 200).end();
        return;
      }
      if (req.url === '/poll') {
        polls++;
        res.end(JSON.stringify({ poll: polls }));
        return;
      }
      // any other path: one event every 100 ms, separated by a blank line, until the test ends
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let n = 0;
      const timer = setInterval(() => res.write(`data: event ${++n}\n\n`), 100);
      const end = (): void => clearInterval(timer);
      res.on('close', end);
      stop.signal.addEventListener('abort', () => { end(); res.end(); });
    });
    service = serviceDir({
      configs: {
        'local-poller.yaml': `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: local-poller\n  type: http-source\n  topic: polled\nhttp:\n  endpoint: ${server.url}/poll\n  interval: 1m\n`,
        'local-sink.yaml': `apiVersion: 0.2.0\nmeta:\n  version: 0.3.0\n  name: local-sink\n  type: http-sink\n  topic: polled\nhttp:\n  endpoint: ${server.url}/sink\n`,
        'local-stream.yaml': `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: local-stream\n  type: http-source\n  topic: streamed\n  secrets:\n    - name: STREAM_PATH\nhttp:\n  endpoint: "${server.url}/\${{ secrets.STREAM_PATH }}"\n  stream: true\n  delimiter: "\\n\\n"\n`,
      },
    });
    await kinesis.createStream('connectors-dev-polled', 1);
    await kinesis.createStream('connectors-dev-streamed', 1);
  });

  afterAll(async () => {
    stop.abort();
    await server?.close();
    await kinesis?.close();
    service?.cleanup();
  });

  it('should run a generated function with `serverless invoke local` and land its polls in the stream', async () => {
    // Prepare: a scheduled event for now. The 1m interval gives a native schedule: one slot, at the
    // event time, polled as soon as the invocation starts however long `invoke local` takes to start
    // (sub-minute windows are driven directly in poller.test.ts).
    const event = { version: '0', id: 'e1', 'detail-type': 'Scheduled Event', source: 'aws.scheduler', account: '123456789012', time: new Date(Math.floor(Date.now() / 1000) * 1000).toISOString(), region: 'us-east-1', resources: [], detail: {} };
    const env = { ...KINESALITE_ENV, CONNECTOR_KINESIS_ENDPOINT: kinesis.endpoint };
    const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', `${key}=${value}`]);

    // Act
    const result = await runServerless(service.dir, ['invoke', 'local', '-f', 'localPoller', '--data', JSON.stringify(event), ...envArgs]);

    // Assess
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(0);
    const records = await kinesis.readAll('connectors-dev-polled');
    expect(records.length).toBeGreaterThanOrEqual(1);
    expect(records.length).toBe(polls);
    expect(records.every((r) => r.partitionKey === 'local-poller')).toBe(true);
    expect(output).toMatch(new RegExp(`"polls": ${records.length}`));
  });

  it('should run a generated sink function with `serverless invoke local` on a Kinesis event, reporting the refused record', async () => {
    // Prepare: the event an event source mapping sends for three records of the stream
    const record = (n: number, value: string) => ({
      kinesis: { kinesisSchemaVersion: '1.0', partitionKey: 'local-poller', sequenceNumber: `4959${n}`, data: Buffer.from(value).toString('base64'), approximateArrivalTimestamp: 1764000000.5 },
      eventSource: 'aws:kinesis', eventVersion: '1.0', eventID: `shardId-000000000000:4959${n}`, eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/x', awsRegion: 'us-east-1', eventSourceARN: 'arn:aws:kinesis:us-east-1:123456789012:stream/connectors-dev-polled',
    });
    const event = { Records: [record(1, 'first'), record(2, 'refused'), record(3, 'third')] };

    // Act
    const result = await runServerless(service.dir, ['invoke', 'local', '-f', 'localSink', '--data', JSON.stringify(event)]);

    // Assess
    const output = result.stdout + result.stderr;
    expect(result.code).toBe(0);
    expect(output).toMatch(/"batchItemFailures": \[\s*\{\s*"itemIdentifier": "49592"\s*\}\s*\]/);
    expect(server.requests.filter((r) => r.path === '/sink').map((r) => r.body)).toEqual(['first', 'refused']);
  });

  it('should run a generated task\'s container command and environment: records land in the stream, SIGTERM exits 0', async () => {
    // Prepare: the container definition as packaged; ECS would inject the secret from SSM
    const packaged = await runServerless(service.dir, ['package']);
    expect(packaged.code).toBe(0);
    const task = packagedTemplate(service.dir).Resources.LocalStreamTaskDefinition?.Properties as { ContainerDefinitions: Array<{ Command: string[]; Environment: Array<{ Name: string; Value: string }>; Secrets: Array<{ Name: string }> }> };
    const container = task.ContainerDefinitions[0]!;
    expect(container.Secrets.map((s) => s.Name)).toEqual(['STREAM_PATH']);
    const env = { ...process.env, ...Object.fromEntries(container.Environment.map((e) => [e.Name, e.Value])), ...KINESALITE_ENV, CONNECTOR_KINESIS_ENDPOINT: kinesis.endpoint, STREAM_PATH: 'secret-path-7f3a' };

    // Act: the image's ENTRYPOINT is `node bin/connector.js`
    const child = spawn(process.execPath, [CLI, ...container.Command], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await waitFor(async () => (await kinesis.readAll('connectors-dev-streamed')).length >= 5, 20_000);
    child.kill('SIGTERM');

    // Assess
    expect(await exit).toBe(0);
    const records = await kinesis.readAll('connectors-dev-streamed');
    expect(records.slice(0, 3).map((r) => r.data.toString())).toEqual(['data: event 1', 'data: event 2', 'data: event 3']);
    expect(server.requests.some((r) => r.path === '/secret-path-7f3a')).toBe(true);
    expect(stderr).not.toContain('secret-path-7f3a');

    // And a task whose stream is missing fails clearly instead of trying to create it (its role cannot)
    // (spawned asynchronously: kinesalite runs in this process and must keep answering)
    const missing = spawn(process.execPath, [CLI, ...container.Command], { env: { ...env, CONNECTOR_STREAM_PREFIX: 'missing-' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let missingErr = '';
    missing.stderr.on('data', (d: Buffer) => (missingErr += d.toString()));
    expect(await new Promise((resolve) => missing.on('exit', resolve))).toBe(1);
    expect(missingErr).toContain('created by the deployment');
  });
});
