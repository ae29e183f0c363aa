import { defaultRegistry } from '../../../lib/connectors';
import { parseConnectorConfig } from '../../../lib/config';
import { createMetrics, ErrorCode, type Sink, type SinkContext, SinkWriteError, type TopicRecord, TransformError } from '../../../lib/core';
import { nodeHttpTransport } from '../../../lib/core/http';
import { silentLogger } from '../../../lib/core/log';
import { deliverTransformed, openTransformStage, runConnector, type TransformStage } from '../../../lib/runtime';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { tempDir } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';
import { waitFor } from '../../support/wait-for';

/** An http-sink config on topic `events` with these transforms (YAML lines under `transforms:`). */
const sinkConfig = (endpoint: string, transforms: string): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: webhook
  type: http-sink
  topic: events
  create-topic: true
  consumer:
    id: webhook
    offset:
      start: beginning
      strategy: auto
http:
  endpoint: ${endpoint}
  backoff_min: 10ms
  backoff_max: 20ms
  max_retries: 1
transforms:
${transforms}`;

// Fluvio's array-map-json: a JSON array record becomes one record per element; then a regex filter.
const SPLIT_THEN_FILTER = `  - uses: infinyon/array-map-json@0.1.0
  - uses: infinyon/regex-filter@0.2.0
    with:
      regex: "keep"
`;
const JOLT = (onError: string): string => `  - uses: infinyon/jolt@0.4.1
    on_error: ${onError}
    with:
      spec:
        - operation: shift
          spec:
            n: number
`;

const record = (offset: number, value: string): TopicRecord => ({ offset, timestamp: 1_000 + offset, key: null, value: Buffer.from(value) });

/** A sink that keeps what it is given; it refuses, for good, a value listed in `refuse`. */
class RecordingSink implements Sink {
  readonly received: TopicRecord[] = [];
  readonly retry = { minMs: 1, maxMs: 1, maxRetries: 0 };
  constructor(private readonly refuse: ReadonlySet<string> = new Set()) {}
  async write(records: readonly TopicRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i++) {
      const value = records[i]!.value.toString();
      if (this.refuse.has(value)) throw new SinkWriteError(`refused ${value}`, { accepted: i, retryable: false });
      this.received.push(records[i]!);
    }
  }
}

describe('runtime/sink: transforms between the topic and the sink (deliverTransformed)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  let stage: TransformStage | undefined;
  beforeEach(() => {
    tmp = tempDir();
    store = openLocalTopicStore({ dataDir: tmp.dir });
  });
  afterEach(async () => {
    await stage?.close();
    stage = undefined;
    await store.close();
    tmp.cleanup();
  });

  async function open(transforms: string) {
    const spec = parseConnectorConfig(sinkConfig('http://127.0.0.1:9/hook', transforms), { file: 'webhook.yaml', registry: defaultRegistry });
    const metrics = createMetrics();
    const log = new CapturingLogger();
    stage = await openTransformStage({ spec, topics: store, log, metrics, clock: new VirtualClock(), createTopic: true });
    const ctx: SinkContext = { signal: new AbortController().signal, clock: new VirtualClock(), log, http: nodeHttpTransport, metrics };
    return { ctx, metrics, log };
  }

  it('should deliver what the chain makes of each topic record, with that record\'s offset, and settle every topic record', async () => {
    // Prepare: offsets 10…12; 11 becomes nothing (no element matches), 12 becomes two records
    const { ctx, metrics } = await open(SPLIT_THEN_FILTER);
    const sink = new RecordingSink();
    const settled: number[] = [];
    const batch = [record(10, '["keep-a","drop-b"]'), record(11, '["drop-c"]'), record(12, '["keep-d","keep-e"]')];

    // Act
    const result = await deliverTransformed(stage, sink, batch, ctx, { settled: async (n) => void settled.push(n), failed: async () => 'stop' });

    // Assess
    expect(result).toEqual({ settled: 3 });
    expect(sink.received.map((r) => [r.offset, r.timestamp, r.value.toString()])).toEqual([
      [10, 1_010, '"keep-a"'],
      [12, 1_012, '"keep-d"'],
      [12, 1_012, '"keep-e"'],
    ]);
    expect(settled.at(-1)).toBe(3);
    expect(metrics).toMatchObject({ records: 3, filtered: 1 }); // topic record 11 came out as nothing
  });

  it('should settle only the topic records before the first output the sink handed back (an array-map record counts once all its outputs went)', async () => {
    // Prepare: record 12's second output is refused for good and the hook stops the batch (a Lambda function)
    const { ctx } = await open(SPLIT_THEN_FILTER);
    const sink = new RecordingSink(new Set(['"keep-e"']));
    const failed: Array<[number, string]> = [];

    // Act
    const result = await deliverTransformed(stage, sink, [record(10, '["keep-a"]'), record(11, '["x"]'), record(12, '["keep-d","keep-e"]'), record(13, '["keep-f"]')], ctx, {
      failed: async (r, index) => (failed.push([index, r.value.toString()]), 'stop'),
    });

    // Assess: 10 and 11 settled; 12 is not (its "keep-e" was not delivered), so a retry starts at it
    expect(result).toEqual({ settled: 2, stopped: 'failed' });
    expect(failed).toEqual([[2, '"keep-e"']]);
    expect(sink.received.map((r) => r.value.toString())).toEqual(['"keep-a"', '"keep-d"']);
  });

  it('should settle up to a record a step with on_error: fail fails on, deliver what came before it, and throw TransformError with its topic offset', async () => {
    // Prepare
    const { ctx } = await open(JOLT('fail'));
    const sink = new RecordingSink();
    const settled: number[] = [];

    // Act
    const err = await deliverTransformed(stage, sink, [record(5, '{"n":1}'), record(6, '{"n":2}'), record(7, 'not json'), record(8, '{"n":4}')], ctx, {
      settled: async (n) => void settled.push(n),
      failed: async () => 'stop',
    }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(TransformError);
    expect(err).toMatchObject({ offset: 7, unwritten: 2 });
    expect((err as Error).message).toContain('failed on record 7 of the topic');
    expect(sink.received.map((r) => r.value.toString())).toEqual(['{"number":1}', '{"number":2}']);
    expect(settled.at(-1)).toBe(2);
  });

  it('should skip a failing record (on_error: skip), counted and logged with its topic offset, and settle the whole batch', async () => {
    // Prepare
    const { ctx, metrics, log } = await open(JOLT('skip'));
    const sink = new RecordingSink();

    // Act
    const result = await deliverTransformed(stage, sink, [record(0, '{"n":1}'), record(1, 'not json'), record(2, '{"n":3}')], ctx, { failed: async () => 'stop' });

    // Assess
    expect(result).toEqual({ settled: 3 });
    expect(sink.received.map((r) => r.value.toString())).toEqual(['{"number":1}', '{"number":3}']);
    expect(metrics).toMatchObject({ transformErrors: 1, transformSkipped: 1 });
    expect(log.find('record skipped (on_error: skip)')[0]?.fields).toMatchObject({ offset: 1 });
  });
});

describe('runtime: a sink config with transforms, run by runConnector against a local HTTP server', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  let server: TestHttpServer;
  beforeEach(async () => {
    tmp = tempDir();
    store = openLocalTopicStore({ dataDir: tmp.dir });
    server = await startHttpServer((_req, res) => res.end('ok'));
  });
  afterEach(async () => {
    await server.close();
    await store.close();
    tmp.cleanup();
  });

  const produce = async (values: string[]): Promise<void> => {
    if (!(await store.topicExists('events'))) await store.createTopic('events');
    const producer = store.producer('events');
    await producer.send(values.map((value) => ({ value: Buffer.from(value) })));
    await producer.close();
  };

  /** Runs the sink until its consumer committed `offset`, then stops it. */
  const runUntilCommitted = async (spec: ReturnType<typeof parseConnectorConfig>, offset: number) => {
    const controller = new AbortController();
    const run = runConnector({ spec, topics: store, signal: controller.signal, deps: { log: silentLogger } });
    await waitFor(async () => (await store.consumer('events').committed!('webhook'))?.offset === offset);
    controller.abort();
    return run;
  };

  it('should POST the transformed records and commit the topic records behind them', async () => {
    // Prepare
    await produce(['["keep-1","drop-2"]', '["drop-3"]', '["keep-4"]']);
    const spec = parseConnectorConfig(sinkConfig(`${server.url}/hook`, SPLIT_THEN_FILTER), { file: 'webhook.yaml', registry: defaultRegistry });

    // Act
    const result = await runUntilCommitted(spec, 3);

    // Assess
    expect(server.requests.map((r) => r.body)).toEqual(['"keep-1"', '"keep-4"']);
    expect(result.metrics).toMatchObject({ records: 2 });
    expect(await store.consumer('events').committed!('webhook')).toMatchObject({ offset: 3, pendingEnd: null });
  });

  it('should stop at a record its transform fails on (on_error: fail), commit the records before it, and meet it again on restart', async () => {
    // Prepare
    await produce(['{"n":1}', 'not json', '{"n":3}']);
    const spec = parseConnectorConfig(sinkConfig(`${server.url}/hook`, JOLT('fail')), { file: 'webhook.yaml', registry: defaultRegistry });

    // Act
    const first = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger } }).catch((e: unknown) => e);
    const second = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger } }).catch((e: unknown) => e);

    // Assess: record 0 delivered once; both runs stop at offset 1
    expect(first).toMatchObject({ code: ErrorCode.TRANSFORM_FAILED, offset: 1 });
    expect(second).toMatchObject({ code: ErrorCode.TRANSFORM_FAILED, offset: 1 });
    expect(server.requests.map((r) => r.body)).toEqual(['{"number":1}']);
    expect((await store.consumer('events').committed!('webhook'))?.offset).toBe(1);
  });

  it('should write a record its transform fails on to events-dlq (on_error: dead-letter) and deliver the others', async () => {
    // Prepare
    await produce(['{"n":1}', 'not json', '{"n":3}']);
    const spec = parseConnectorConfig(sinkConfig(`${server.url}/hook`, JOLT('dead-letter')), { file: 'webhook.yaml', registry: defaultRegistry });

    // Act
    const result = await runUntilCommitted(spec, 3);

    // Assess
    expect(server.requests.map((r) => r.body)).toEqual(['{"number":1}', '{"number":3}']);
    const letters = await store.consumer('events-dlq').fetch(0, 10);
    expect(letters).toHaveLength(1);
    expect(JSON.parse(letters[0]!.value.toString())).toMatchObject({ connector: 'webhook', topic: 'events', offset: 1, uses: 'infinyon/jolt@0.4.1', value: 'not json' });
    expect(result.metrics).toMatchObject({ records: 2, deadLettered: 1, transformErrors: 1 });
  });
});
