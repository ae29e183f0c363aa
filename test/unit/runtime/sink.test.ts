import { z } from 'zod';
import { createRegistry } from '../../../lib/connectors';
import { parseConnectorConfig } from '../../../lib/config';
import { type ConnectorDefinition, type Sink, type SinkContext, SinkWriteError, type TopicRecord } from '../../../lib/core';
import { createMetrics } from '../../../lib/core/metrics';
import { nodeHttpTransport } from '../../../lib/core/http';
import { deadLetterTopicOf, deliverRecords, runConnector, startOffsetOf } from '../../../lib/runtime';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { tempDir } from '../../support/cli';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';
import { waitFor } from '../../support/wait-for';

const record = (offset: number, value = `v${offset}`): TopicRecord => ({ offset, timestamp: 0, key: null, value: Buffer.from(value) });

/**
 * A sink standing for an external service: it accepts records one by one and refuses a record
 * while `refuse(record, attempt)` says so (the attempt counts from 1 for each record).
 */
class ServiceSink implements Sink {
  readonly received: string[] = [];
  readonly attempts = new Map<number, number>();
  constructor(
    readonly retry = { minMs: 100, maxMs: 1_000, maxRetries: 3 },
    private readonly refuse: (record: TopicRecord, attempt: number) => SinkWriteError | undefined = () => undefined,
  ) {}

  async write(records: readonly TopicRecord[], ctx: SinkContext): Promise<void> {
    for (let i = 0; i < records.length; i++) {
      if (ctx.signal.aborted) throw new SinkWriteError('stopped', { accepted: i, retryable: true });
      const r = records[i]!;
      const attempt = (this.attempts.get(r.offset) ?? 0) + 1;
      this.attempts.set(r.offset, attempt);
      const failure = this.refuse(r, attempt);
      if (failure) throw new SinkWriteError(failure.message, { accepted: i, retryable: failure.retryable, retryAfterMs: failure.retryAfterMs });
      this.received.push(r.value.toString());
    }
  }
}

function context(clock = new VirtualClock(), controller = new AbortController()): SinkContext & { log: CapturingLogger } {
  return { signal: controller.signal, clock, log: new CapturingLogger(), http: nodeHttpTransport, metrics: createMetrics() };
}

const http503 = (retryAfterMs?: number): SinkWriteError => new SinkWriteError('HTTP 503', { accepted: 0, retryable: true, ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) });
const http400 = (): SinkWriteError => new SinkWriteError('HTTP 400', { accepted: 0, retryable: false });

describe('runtime/sink: deliverRecords', () => {
  it('should deliver a whole batch in one write and count its records and bytes', async () => {
    // Prepare
    const sink = new ServiceSink();
    const ctx = context();
    const settled: number[] = [];

    // Act
    const result = await deliverRecords(sink, [record(0), record(1), record(2)], ctx, { settled: async (n) => void settled.push(n), failed: async () => 'continue' });

    // Assess
    expect(result).toEqual({ settled: 3 });
    expect(sink.received).toEqual(['v0', 'v1', 'v2']);
    expect(settled).toEqual([3]);
    expect(ctx.metrics).toMatchObject({ records: 3, bytes: 6, errors: 0 });
  });

  it('should retry a retryable refusal with backoff, keeping what was accepted before it', async () => {
    // Prepare: record 1 fails twice with 503, then goes through
    const sink = new ServiceSink(undefined, (r, attempt) => (r.offset === 1 && attempt <= 2 ? http503() : undefined));
    const clock = new VirtualClock();
    const ctx = context(clock);
    const settled: number[] = [];

    // Act
    const result = await deliverRecords(sink, [record(0), record(1), record(2)], ctx, { settled: async (n) => void settled.push(n), failed: async () => 'continue' });

    // Assess
    expect(result).toEqual({ settled: 3 });
    expect(sink.received).toEqual(['v0', 'v1', 'v2']);
    expect(settled).toEqual([1, 3]);
    expect(clock.sleeps).toHaveLength(2);
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(100);
    expect(clock.sleeps[0]).toBeLessThan(200);
    expect(clock.sleeps[1]).toBeGreaterThanOrEqual(200);
    expect(ctx.metrics).toMatchObject({ records: 3, errors: 2, deadLettered: 0 });
    expect(ctx.log.find('sink write failed, retrying')).toHaveLength(2);
  });

  it('should wait the Retry-After the service asked for, capped at the backoff maximum', async () => {
    // Prepare
    const sink = new ServiceSink(undefined, (r, attempt) => (attempt === 1 ? http503(r.offset === 0 ? 700 : 60_000) : undefined));
    const clock = new VirtualClock();

    // Act
    await deliverRecords(sink, [record(0), record(1)], context(clock), { failed: async () => 'continue' });

    // Assess
    expect(clock.sleeps).toEqual([700, 1_000]);
  });

  it('should hand a record the service refuses for good to `failed` at once, then deliver the rest', async () => {
    // Prepare
    const sink = new ServiceSink(undefined, (r) => (r.offset === 1 ? http400() : undefined));
    const clock = new VirtualClock();
    const ctx = context(clock);
    const failed: Array<[number, string]> = [];

    // Act
    const result = await deliverRecords(sink, [record(0), record(1), record(2)], ctx, {
      failed: async (r, index, error) => {
        failed.push([index, (error as Error).message]);
        return 'continue';
      },
    });

    // Assess
    expect(result).toEqual({ settled: 3 });
    expect(failed).toEqual([[1, 'HTTP 400']]);
    expect(sink.received).toEqual(['v0', 'v2']);
    expect(clock.sleeps).toEqual([]);
    expect(ctx.metrics).toMatchObject({ records: 2, errors: 1 });
  });

  it('should give up on a record after maxRetries retries and stop the batch there when asked to', async () => {
    // Prepare
    const sink = new ServiceSink({ minMs: 10, maxMs: 10, maxRetries: 2 }, (r) => (r.offset === 2 ? http503() : undefined));
    const clock = new VirtualClock();

    // Act
    const result = await deliverRecords(sink, [record(0), record(1), record(2), record(3)], context(clock), { failed: async () => 'stop' });

    // Assess
    expect(result).toEqual({ settled: 2, stopped: 'failed' });
    expect(sink.attempts.get(2)).toBe(3);
    expect(sink.received).toEqual(['v0', 'v1']);
    expect(clock.sleeps).toEqual([10, 10]);
  });

  it('should stop without retrying or putting anything aside when the connector stops mid-write', async () => {
    // Prepare
    const controller = new AbortController();
    const sink = new ServiceSink(undefined, (r) => {
      if (r.offset === 1) controller.abort();
      return undefined;
    });
    const failed = jest.fn();

    // Act
    const result = await deliverRecords(sink, [record(0), record(1), record(2)], context(new VirtualClock(), controller), { failed });

    // Assess
    expect(result).toEqual({ settled: 2, stopped: 'aborted' });
    expect(failed).not.toHaveBeenCalled();
  });
});

describe('runtime/sink: startOffsetOf (Fluvio consumer offset.start)', () => {
  it.each([
    [undefined, 7],
    ['end' as const, 7],
    ['beginning' as const, 0],
    [{ absolute: 3 }, 3],
    [{ absolute: 30 }, 7],
    [{ 'from-beginning': 2 }, 2],
    [{ 'from-end': 2 }, 5],
    [{ 'from-end': 20 }, 0],
  ])('should start %j at %d in a topic of 7 records', (start, expected) => {
    expect(startOffsetOf(start, 7)).toBe(expected);
  });

  it('should name the dead-letter topic <topic>-dlq within Fluvio\'s 63 characters', () => {
    expect(deadLetterTopicOf('quotes')).toBe('quotes-dlq');
    const long = deadLetterTopicOf('a'.repeat(63));
    expect(long).toHaveLength(63);
    expect(long).toMatch(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/);
  });
});

/** A sink type whose service is a {@link ServiceSink} the test holds. */
function registryWith(sink: ServiceSink) {
  const definition: ConnectorDefinition = {
    type: 'service-sink',
    direction: 'sink',
    section: 'service',
    schema: z.strictObject({}),
    summary: 'test double of an external service',
    needs: [],
    load: async () => ({ createSink: () => sink }),
  } as unknown as ConnectorDefinition;
  return createRegistry([definition]);
}

const sinkConfig = (consumer = '  consumer: {id: reader, offset: {start: beginning, strategy: auto}}\n'): string =>
  `apiVersion: 0.2.0\nmeta:\n  name: my-sink\n  type: service-sink\n  version: 0.1.0\n  topic: events\n${consumer}service: {}\n`;

describe('runtime/sink: runConnector with a sink and the local store', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  beforeEach(async () => {
    tmp = tempDir('sink-runtime-');
    store = openLocalTopicStore({ dataDir: tmp.dir });
    await store.createTopic('events');
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const produce = (...values: string[]) => store.producer('events').send(values.map((v) => ({ value: Buffer.from(v) })));

  async function runUntil(sink: ServiceSink, config: string, until: () => boolean | Promise<boolean>, log = new CapturingLogger()) {
    const spec = parseConnectorConfig(config, { file: 'sink.yaml', registry: registryWith(sink) });
    const controller = new AbortController();
    const run = runConnector({ spec, topics: store, signal: controller.signal, deps: { log } });
    await waitFor(until, 5_000);
    controller.abort();
    return run;
  }

  it('should deliver the topic from the beginning, commit it, and resume after a restart without redelivering', async () => {
    // Prepare
    await produce('a', 'b', 'c');
    const first = new ServiceSink();
    await runUntil(first, sinkConfig(), () => first.received.length === 3);
    await produce('d', 'e');

    // Act
    const second = new ServiceSink();
    const result = await runUntil(second, sinkConfig(), () => second.received.length === 2);

    // Assess
    expect(first.received).toEqual(['a', 'b', 'c']);
    expect(second.received).toEqual(['d', 'e']);
    expect(result).toMatchObject({ reason: 'stopped', metrics: { records: 2 } });
    expect(await store.consumer('events').committed('reader')).toMatchObject({ offset: 5, pendingEnd: null });
  });

  it('should start at the end by default (Fluvio), with the connector name as consumer id', async () => {
    // Prepare
    await produce('old-1', 'old-2');
    const sink = new ServiceSink();

    // Act
    const log = new CapturingLogger();
    const run = runUntil(sink, sinkConfig(''), async () => (await store.consumer('events').committed('my-sink')) !== undefined, log);
    await run;
    await produce('new-1');
    const again = new ServiceSink();
    await runUntil(again, sinkConfig(''), () => again.received.length === 1);

    // Assess
    expect(sink.received).toEqual([]);
    expect(again.received).toEqual(['new-1']);
    expect(log.find('connector started')[0]?.fields).toMatchObject({ consumer: 'my-sink', commits: true, offset: 2 });
  });

  it('should write a record the service refuses to the dead-letter topic, unchanged, and count it', async () => {
    // Prepare
    await produce('ok-1', 'poison', 'ok-2');
    const sink = new ServiceSink(undefined, (r) => (r.value.toString() === 'poison' ? http400() : undefined));

    // Act
    const result = await runUntil(sink, sinkConfig(), () => sink.received.length === 2);

    // Assess
    expect(sink.received).toEqual(['ok-1', 'ok-2']);
    const dead = await store.consumer(deadLetterTopicOf('events')).fetch(0, 10);
    expect(dead.map((r) => r.value.toString())).toEqual(['poison']);
    expect(result.metrics).toMatchObject({ records: 2, deadLettered: 1, errors: 1 });
    expect(await store.consumer('events').committed('reader')).toMatchObject({ offset: 3 });
  });

  it('should never commit with offset strategy none, and start from offset.start every time', async () => {
    // Prepare
    await produce('a', 'b');
    const config = sinkConfig('  consumer: {offset: {start: beginning, strategy: none}}\n');
    const first = new ServiceSink();
    await runUntil(first, config, () => first.received.length === 2);

    // Act
    const second = new ServiceSink();
    await runUntil(second, config, () => second.received.length === 2);

    // Assess
    expect(second.received).toEqual(['a', 'b']);
    expect(await store.listConsumerOffsets()).toEqual([]);
  });

  it('should refuse a topic backend it cannot consume (Kinesis: deployed sinks are Lambda functions) with a usage error', async () => {
    // Prepare: the store without consumers, as the Kinesis backend is
    const spec = parseConnectorConfig(sinkConfig(), { file: 'sink.yaml', registry: registryWith(new ServiceSink()) });
    const producerOnly = { ...store, consumer: undefined, createTopic: (n: string) => store.createTopic(n), topicExists: (n: string) => store.topicExists(n), producer: (t: string) => store.producer(t) };

    // Act
    const run = runConnector({ spec, topics: producerOnly as unknown as LocalTopicStore, signal: new AbortController().signal, deps: { log: new CapturingLogger() } });

    // Assess
    await expect(run).rejects.toMatchObject({ code: 'USAGE', message: expect.stringContaining('deployed sinks run as Lambda functions fed by the stream') });
  });

  it('should log how many records of a batch in flight at a crash may be delivered twice', async () => {
    // Prepare: a previous run marked offsets 0-2 as in flight and died
    await produce('a', 'b', 'c');
    await store.consumer('events').commit('reader', 0, 3);
    const sink = new ServiceSink();
    const log = new CapturingLogger();

    // Act
    await runUntil(sink, sinkConfig(), () => sink.received.length === 3, log);

    // Assess
    expect(log.find('resuming a batch that was in flight')[0]?.fields).toMatchObject({ redelivered: 3, offset: 0 });
  });
});
