import { DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createPollHandler, type PollResult } from '../../../functions/poller-full';
import { ConnectorEnv } from '../../../lib/core/env';
import { configDocumentOf } from '../../../lib/deploy/function';
import { ErrorCode, TopicWriteError } from '../../../lib/core/errors';
import { openKinesisTopics } from '../../../lib/topics/kinesis';
import { captureStdoutEmf, emfValues } from '../../support/emf';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, useKinesalite } from '../../support/kinesalite';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';

/** 2026-11-21T10:00:00Z, a whole minute. */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

const scheduledEvent = (time: number): Pick<ScheduledEvent, 'time'> => ({ time: new Date(time).toISOString() });
const lambdaContext = (): Context => ({ awsRequestId: 'req-metrics', getRemainingTimeInMillis: () => 70_000 }) as unknown as Context;

const config = (name: string, endpoint: string, extra = ''): string => `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: ${name}
  type: http-source
  topic: metrics
http:
  endpoint: ${endpoint}
  interval: 15s
${extra}`;

/** The poller's CloudWatch metrics: the EMF line a window prints (what CloudWatch Logs turns into metrics). */
describe('Lambda poller metrics (EMF on stdout) against a local HTTP server and kinesalite', () => {
  // The default Kinesis client (as deployed) reads its credentials and region from the environment.
  const kinesis = useKinesalite(['connectors-dev-metrics']);
  let server: TestHttpServer;

  beforeAll(async () => {
    server = await startHttpServer((_req, res) => res.end('{"quote":"q"}'));
  });

  afterAll(async () => {
    await server?.close();
  });

  function environment(name: string, text: string, metrics = true): NodeJS.ProcessEnv {
    return {
      ...KINESALITE_ENV,
      [ConnectorEnv.DOCUMENT]: configDocumentOf(text, `configs/${name}.yaml`),
      [ConnectorEnv.CONFIG_FILE]: `configs/${name}.yaml`,
      [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-',
      [ConnectorEnv.KINESIS_ENDPOINT]: kinesis().endpoint,
      ...(metrics ? { [ConnectorEnv.METRICS]: 'emf', [ConnectorEnv.METRICS_NAMESPACE]: 'Connectors', [ConnectorEnv.METRICS_SERVICE]: 'connectors-dev' } : {}),
    };
  }

  it('should print one EMF line per window with the counters of its result, dimensioned by service and connector', async () => {
    // Prepare: the invocation starts 20.25 s into its window: slot :00 passed (skipped), :15 is polled at once (5.25 s late)
    const poll = createPollHandler({ env: environment('late-start', config('late-start', `${server.url}/api/quote`)), clock: new VirtualClock(T0 + 20_250), log: new CapturingLogger() });

    // Act
    const { outcome, lines } = await captureStdoutEmf(() => poll(scheduledEvent(T0), lambdaContext()));

    // Assess
    expect(outcome).toHaveProperty('value');
    const result = (outcome as { value: PollResult }).value;
    expect(result).toMatchObject({ polls: 3, skipped: 1, records: 3 });
    expect(lines).toHaveLength(1);
    expect(lines[0]!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'Connectors', Dimensions: [['service', 'connector']] });
    expect(lines[0]).toMatchObject({ service: 'connectors-dev', connector: 'late-start' });
    expect(emfValues(lines[0]!)).toEqual({
      Records: result.records,
      Bytes: result.bytes,
      Errors: 0,
      Dropped: 0,
      Polls: result.polls,
      SkippedSlots: result.skipped,
      WindowLateness: result.maxDriftMs,
    });
    expect(result.maxDriftMs).toBe(5_250);
  });

  it('should print the window\'s errors when every poll failed, before the invocation fails (for the alarm)', async () => {
    // Prepare: nothing listens on port 9
    const text = config('down', 'http://127.0.0.1:9/x', '  max_retries: 0\n');
    const poll = createPollHandler({ env: environment('down', text), clock: new VirtualClock(T0), log: new CapturingLogger() });

    // Act
    const { outcome, lines } = await captureStdoutEmf(() => poll(scheduledEvent(T0), lambdaContext()));

    // Assess
    expect(outcome).toEqual({ error: expect.objectContaining({ code: ErrorCode.CONNECTOR_POLLS_FAILED }) });
    expect(emfValues(lines[0]!)).toMatchObject({ Records: 0, Errors: 4, Polls: 4 });
  });

  it('should print the records the stream refused as Undelivered when the window fails on a write (AWS mocked)', async () => {
    // Prepare: Kinesis denies every PutRecords (a permanent error: no retry)
    const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const kinesisMock = mockClient(client);
    kinesisMock.on(DescribeStreamSummaryCommand).resolves({ StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } as never });
    kinesisMock.on(PutRecordsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    const topics = (connector: string) => openKinesisTopics({ client, defaultPartitionKey: connector });
    const poll = createPollHandler({ env: environment('denied', config('denied', `${server.url}/api/quote`)), topics, clock: new VirtualClock(T0 + 50_000), log: new CapturingLogger() });

    // Act
    const { outcome, lines } = await captureStdoutEmf(() => poll(scheduledEvent(T0), lambdaContext()));

    // Assess
    expect(outcome).toEqual({ error: expect.any(TopicWriteError) });
    expect(emfValues(lines[0]!)).toMatchObject({ Records: 0, Undelivered: 1 });
    expect(emfValues(lines[0]!)).not.toHaveProperty('Polls');
    client.destroy();
  });

  it('should print no metric line unless the environment asks for it (CONNECTOR_METRICS)', async () => {
    // Prepare
    const poll = createPollHandler({ env: environment('quiet', config('quiet', `${server.url}/api/quote`), false), clock: new VirtualClock(T0 + 45_000), log: new CapturingLogger() });

    // Act
    const { outcome, lines } = await captureStdoutEmf(() => poll(scheduledEvent(T0), lambdaContext()));

    // Assess
    expect(outcome).toEqual({ value: expect.objectContaining({ polls: 1 }) });
    expect(lines).toEqual([]);
  });
});
