import type { Context, KinesisStreamEvent } from 'aws-lambda';
import { createSinkHandler, topicRecordsOf } from '../../../functions/sink';
import { captureStdoutEmf, emfValues } from '../../support/emf';
import { ConnectorEnv } from '../../../lib/core/env';
import { ErrorCode } from '../../../lib/core/errors';
import { openKinesisTopics } from '../../../lib/topics/kinesis';
import { silentLogger } from '../../../lib/core/log';
import { startHttpServer, type TestHandler, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, type Kinesalite, type StreamRecord, startKinesalite } from '../../support/kinesalite';
import { CapturingLogger } from '../../support/source-context';

const STREAM = 'connectors-dev-events';

/** The parts of a Lambda context the handler uses. */
function lambdaContext(remainingMs = 60_000): Context {
  return { awsRequestId: 'req-1', getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

/**
 * The event a Kinesis event source mapping sends for these stream records (AWS Lambda developer
 * guide, "Using Lambda with Kinesis": sample event), with their real data, partition keys and
 * sequence numbers as kinesalite stored them.
 */
function kinesisEvent(records: readonly StreamRecord[]): KinesisStreamEvent {
  return {
    Records: records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: record.data.toString('base64'),
        approximateArrivalTimestamp: 1_764_000_000.123,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      eventID: `shardId-000000000000:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: 'arn:aws:iam::123456789012:role/connectors-dev-webhook',
      awsRegion: 'us-east-1',
      eventSourceARN: `arn:aws:kinesis:us-east-1:123456789012:stream/${STREAM}`,
    })),
  };
}

const sinkConfig = (endpoint: string, extra = ''): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: webhook
  type: http-sink
  topic: events
http:
  endpoint: ${endpoint}/ingest
  backoff_min: 10ms
  backoff_max: 20ms
  max_retries: 2
${extra}`;

describe('Lambda sink (functions/sink) with Kinesis events of real stream records, against a local HTTP server', () => {
  let kinesis: Kinesalite;
  let server: TestHttpServer | undefined;
  let stored: StreamRecord[];

  beforeAll(async () => {
    // Five records written by the connectors' Kinesis producer (as a deployed source writes them), read back
    kinesis = await startKinesalite();
    await kinesis.createStream(STREAM, 1);
    const topics = openKinesisTopics({ client: kinesis.client, streamName: (topic) => `connectors-dev-${topic}`, defaultPartitionKey: 'quotes-periodic', log: silentLogger });
    await topics.producer('events').send(['one', 'two', 'three', 'four', 'five'].map((value) => ({ value: Buffer.from(value) })));
    await topics.producer('events').send([{ key: Buffer.from('user-7'), value: Buffer.from([0, 255, 1]) }]);
    stored = await kinesis.readAll(STREAM);
  });

  afterAll(async () => {
    await kinesis?.close();
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function handle(handler: TestHandler, records: readonly StreamRecord[], options: { extra?: string; remainingMs?: number; log?: CapturingLogger } = {}) {
    server = await startHttpServer(handler);
    const env = { [ConnectorEnv.CONFIG]: sinkConfig(server.url, options.extra), [ConnectorEnv.CONFIG_FILE]: 'configs/webhook.yaml' };
    return createSinkHandler({ env, log: options.log ?? new CapturingLogger() })(kinesisEvent(records), lambdaContext(options.remainingMs));
  }

  it('should read the event\'s records as topic records: data decoded, partition key as key, arrival time in ms', () => {
    // Act
    const records = topicRecordsOf(kinesisEvent(stored));

    // Assess
    expect(records.map((r) => r.value.toString())).toEqual(['one', 'two', 'three', 'four', 'five', Buffer.from([0, 255, 1]).toString()]);
    expect(records[5]!.value).toEqual(Buffer.from([0, 255, 1]));
    expect(records.map((r) => r.key?.toString())).toEqual(['quotes-periodic', 'quotes-periodic', 'quotes-periodic', 'quotes-periodic', 'quotes-periodic', 'user-7']);
    expect(records[0]).toMatchObject({ offset: 0, timestamp: 1_764_000_000_123 });
  });

  it('should deliver every record of the batch in order and report no failure', async () => {
    // Act
    const result = await handle((_req, res) => res.end('ok'), stored);

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(server!.requests.map((r) => r.bodyBytes)).toEqual(stored.map((r) => r.data));
  });

  it('should return exactly the 3rd record as the batch item failure when the endpoint refuses it, and send nothing after it', async () => {
    // Prepare
    const log = new CapturingLogger();

    // Act
    const result = await handle((_req, res, recorded) => (recorded.body === 'three' ? res.writeHead(400).end('bad record') : res.end('ok')), stored.slice(0, 5), { log });

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: stored[2]!.sequenceNumber }] });
    expect(server!.requests.map((r) => r.body)).toEqual(['one', 'two', 'three']);
    expect(log.find('batch partly delivered')[0]?.fields).toMatchObject({ records: 5, delivered: 2, failedSequenceNumber: stored[2]!.sequenceNumber });
  });

  it('should print one EMF line per batch: records delivered, bytes, errors, and the records handed back undelivered', async () => {
    // Prepare: metrics on, as the generator sets them; the endpoint refuses the 3rd record
    server = await startHttpServer((_req, res, recorded) => (recorded.body === 'three' ? res.writeHead(400).end('bad record') : res.end('ok')));
    const env = {
      [ConnectorEnv.CONFIG]: sinkConfig(server.url),
      [ConnectorEnv.CONFIG_FILE]: 'configs/webhook.yaml',
      [ConnectorEnv.METRICS]: 'emf',
      [ConnectorEnv.METRICS_NAMESPACE]: 'Connectors',
      [ConnectorEnv.METRICS_SERVICE]: 'connectors-dev',
    };

    // Act
    const { outcome, lines } = await captureStdoutEmf(() => createSinkHandler({ env, log: silentLogger })(kinesisEvent(stored.slice(0, 5)), lambdaContext()));

    // Assess
    expect(outcome).toEqual({ value: { batchItemFailures: [{ itemIdentifier: stored[2]!.sequenceNumber }] } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ service: 'connectors-dev', connector: 'webhook' });
    expect(emfValues(lines[0]!)).toMatchObject({ Records: 2, Bytes: 6, Undelivered: 3 });
  });

  it('should retry a 503 with backoff within the invocation, then report the record when it still fails', async () => {
    // Act
    const result = await handle((_req, res, recorded) => (recorded.body === 'three' ? res.writeHead(503).end() : res.end('ok')), stored.slice(0, 5));

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: stored[2]!.sequenceNumber }] });
    expect(server!.requests.filter((r) => r.body === 'three')).toHaveLength(3); // 1 attempt + max_retries 2
  });

  it('should recover within the invocation when the endpoint comes back during the retries', async () => {
    // Prepare: the first two requests fail
    let n = 0;

    // Act
    const result = await handle((_req, res) => (++n <= 2 ? res.writeHead(500).end() : res.end('ok')), stored.slice(0, 5));

    // Assess
    expect(result).toEqual({ batchItemFailures: [] });
    expect(server!.requests.map((r) => r.body)).toEqual(['one', 'one', 'one', 'two', 'three', 'four', 'five']);
  });

  it('should stop before the function times out and report the first record not delivered', async () => {
    // Prepare: the endpoint answers 'one' and then hangs; 600 ms left, 500 ms margin
    const result = await handle((_req, res, recorded) => (recorded.body === 'one' ? res.end('ok') : undefined), stored.slice(0, 5), { remainingMs: 600, extra: '  http_request_timeout: 30s\n' });

    // Assess
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: stored[1]!.sequenceNumber }] });
  });

  it('should refuse to run a source config (a deployment error, retried by Lambda as a whole)', async () => {
    // Prepare
    const env = { [ConnectorEnv.CONFIG]: 'apiVersion: 0.2.0\nmeta: {version: 0.1.0, name: t, type: test-connector, topic: events}\ntest: {}\n' };

    // Act
    const run = createSinkHandler({ env, log: silentLogger })(kinesisEvent(stored), lambdaContext());

    // Assess
    await expect(run).rejects.toMatchObject({ code: ErrorCode.USAGE, message: expect.stringContaining('runs sinks only') });
  });
  describe('with transforms (the Filter and Shape stages run in the sink function)', () => {
    const jolt = (onError: string): string => `transforms:\n  - uses: infinyon/jolt@0.4.1\n    on_error: ${onError}\n    with:\n      spec:\n        - operation: shift\n          spec: {n: number}\n`;
    /** The stored records with JSON values, the 3rd one not JSON (same partition keys and sequence numbers). */
    const jsonRecords = (): StreamRecord[] => stored.slice(0, 4).map((record, index) => ({ ...record, data: Buffer.from(index === 2 ? 'not json' : `{"n":${index + 1}}`) }));

    it('should deliver only what the transforms let through, transformed, and report no failure', async () => {
      // Act
      const result = await handle((_req, res) => res.end('ok'), stored.slice(0, 5), { extra: 'transforms:\n  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: "^t"}\n' });

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(server!.requests.map((r) => r.body)).toEqual(['two', 'three']);
    });

    it('should report the record a step with on_error: fail fails on as the batch item failure, after delivering those before it', async () => {
      // Prepare
      const log = new CapturingLogger();
      const records = jsonRecords();

      // Act
      const result = await handle((_req, res) => res.end('ok'), records, { extra: jolt('fail'), log });

      // Assess
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: records[2]!.sequenceNumber }] });
      expect(server!.requests.map((r) => r.body)).toEqual(['{"number":1}', '{"number":2}']);
      expect(log.find('transform failed on a record (on_error: fail)').length).toBeGreaterThan(0);
    });

    it('should skip a record a step with on_error: skip fails on, and deliver the rest', async () => {
      // Act
      const result = await handle((_req, res) => res.end('ok'), jsonRecords(), { extra: jolt('skip') });

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(server!.requests.map((r) => r.body)).toEqual(['{"number":1}', '{"number":2}', '{"number":4}']);
    });

    it('should write a record a step with on_error: dead-letter fails on to the <topic>-dlq stream, and deliver the rest', async () => {
      // Prepare: the function environment the generator writes for a dead-letter sink; kinesalite as Kinesis
      await kinesis.createStream(`${STREAM}-dlq`, 1);
      server = await startHttpServer((_req, res) => res.end('ok'));
      const env = {
        ...KINESALITE_ENV,
        [ConnectorEnv.CONFIG]: sinkConfig(server.url, jolt('dead-letter')),
        [ConnectorEnv.CONFIG_FILE]: 'configs/webhook.yaml',
        [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-',
        [ConnectorEnv.KINESIS_ENDPOINT]: kinesis.endpoint,
      };
      const saved = Object.fromEntries(Object.keys(KINESALITE_ENV).map((key) => [key, process.env[key]]));
      Object.assign(process.env, KINESALITE_ENV);
      const records = jsonRecords();

      // Act
      let result;
      try {
        result = await createSinkHandler({ env, log: silentLogger })(kinesisEvent(records), lambdaContext());
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }

      // Assess
      expect(result).toEqual({ batchItemFailures: [] });
      expect(server.requests.map((r) => r.body)).toEqual(['{"number":1}', '{"number":2}', '{"number":4}']);
      const letters = await kinesis.readAll(`${STREAM}-dlq`);
      expect(letters).toHaveLength(1);
      expect(JSON.parse(letters[0]!.data.toString())).toMatchObject({ connector: 'webhook', topic: 'events', offset: 2, uses: 'infinyon/jolt@0.4.1', value: 'not json' });
    });
  });
});
