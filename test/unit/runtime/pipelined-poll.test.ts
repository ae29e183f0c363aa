import { defaultRegistry } from '../../../lib/connectors';
import { HttpSourceConfigSchema } from '../../../lib/connectors/http-source/schema';
import { createHttpSource } from '../../../lib/connectors/http-source/source';
import { parseConnectorConfig } from '../../../lib/config';
import { type PeriodicSource, type ProducerRecord, type TopicBackend, type TopicProducer, nodeHttpTransport, silentLogger, systemClock } from '../../../lib/core';
import { TopicWriteError } from '../../../lib/core/errors';
import { createMetrics } from '../../../lib/core/metrics';
import { createRecordPipeline } from '../../../lib/runtime/pipeline';
import { runConnector } from '../../../lib/runtime/runner';
import { pollOnce, runPeriodic } from '../../../lib/runtime/schedule';
import { createRunContext, type RunContext } from '../../../lib/runtime/source-context';
import { runWindow } from '../../../lib/runtime/window';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { tempDir } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { waitFor } from '../../support/wait-for';

/**
 * The real store's producer, with each send first waiting for `gate(index)` (index of the send, from
 * 0) and noting when the commit starts and ends in `events`.
 */
class GatedProducer implements TopicProducer {
  private sends = 0;
  constructor(
    private readonly inner: TopicProducer,
    private readonly events: string[],
    private readonly gate: (index: number) => Promise<void> = async () => undefined,
  ) {}
  get topic(): string {
    return this.inner.topic;
  }
  async send(records: readonly ProducerRecord[]): Promise<number | undefined> {
    const index = this.sends++;
    await this.gate(index);
    this.events.push(`commit ${index + 1}`);
    return this.inner.send(records);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('runtime: a periodic source\'s commit overlaps its next request (pipelined emit)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  let server: TestHttpServer;
  let events: string[];
  beforeEach(async () => {
    tmp = tempDir();
    events = [];
    store = openLocalTopicStore({ dataDir: tmp.dir });
    await store.createTopic('quotes');
    server = await startHttpServer((_req, res) => {
      events.push(`request ${server.requests.length}`);
      res.setHeader('content-type', 'application/json');
      res.end(`{"quote":${server.requests.length}}`);
    });
  });
  afterEach(async () => {
    await server.close();
    await store.close();
    tmp.cleanup();
  });

  const source = (): PeriodicSource => createHttpSource(HttpSourceConfigSchema.parse({ endpoint: `${server.url}/quote`, interval: '10s' })) as PeriodicSource;
  /** What `runConnector` gives a periodic source, writing through `producer`. */
  const runtimeContext = (producer: TopicProducer, signal = new AbortController().signal): RunContext => {
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: { minMs: 1, maxMs: 5, stopGraceMs: 50 } });
    return createRunContext({ ports: { log: silentLogger, clock: systemClock, http: nodeHttpTransport }, signal, metrics, pipeline, pipelined: true });
  };
  const stored = async (): Promise<string[]> => (await store.consumer('quotes').fetch(0, 100)).map((r) => r.value.toString());

  it('should send poll N+1\'s request before poll N\'s commit, and commit every record in order', async () => {
    // Prepare: the commit of poll N waits (up to 1 s) until the server got request N+1, except the last one's.
    const polls = 3;
    const gate = (index: number) => (index + 1 < polls ? waitFor(() => server.requests.length >= index + 2, 1000).catch(() => undefined) : Promise.resolve());
    const ctx = runtimeContext(new GatedProducer(store.producer('quotes'), events, gate));

    // Act
    for (let i = 0; i < polls; i++) await pollOnce(source(), ctx);
    await ctx.committed!();

    // Assess
    expect(events).toEqual(['request 1', 'request 2', 'commit 1', 'request 3', 'commit 2', 'commit 3']);
    expect(await stored()).toEqual(['{"quote":1}', '{"quote":2}', '{"quote":3}']);
    expect(ctx.metrics.records).toBe(3);
  });

  it("should start poll N's commit once poll N+1's request is sent, keeping the request's own onSent", async () => {
    // Prepare: a transport that notes when each request is sent, around the real one.
    const metrics = createMetrics();
    const inner = store.producer('quotes');
    const producer: TopicProducer = {
      topic: 'quotes',
      send: (records) => {
        events.push('commit'); // when the write starts, synchronously
        return inner.send(records);
      },
      close: () => inner.close(),
    };
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics });
    const http: typeof nodeHttpTransport = (request) =>
      nodeHttpTransport({
        ...request,
        onSent: () => {
          events.push('sent');
          request.onSent?.();
          events.push('onSent returned');
        },
      });
    const ctx = createRunContext({ ports: { log: silentLogger, clock: systemClock, http }, signal: new AbortController().signal, metrics, pipeline, pipelined: true });
    const sentByCaller: string[] = [];

    // Act: poll 1, then a request of poll 2 with its own onSent
    await pollOnce(source(), ctx);
    const response = await ctx.http({ url: `${server.url}/quote`, method: 'GET', headers: [], signal: new AbortController().signal, onSent: () => sentByCaller.push('sent') });
    await response.body[Symbol.asyncIterator]().return?.();
    await ctx.committed!();

    // Assess: poll 1's commit started inside request 2's onSent, after the caller's own callback
    const client = events.filter((e) => !e.startsWith('request')); // the server's own notes interleave
    expect(client).toEqual(['sent', 'onSent returned', 'sent', 'commit', 'onSent returned']);
    expect(sentByCaller).toEqual(['sent']);
    expect(await stored()).toEqual(['{"quote":1}']);
  });

  it('should fail the next poll and the flush when a commit fails, counting both records as undelivered', async () => {
    // Prepare: the topic is deleted once poll 1 handed its record over, before its commit.
    const ctx = runtimeContext(new GatedProducer(store.producer('quotes'), events, async (index) => void (index === 0 && (await store.deleteTopic('quotes')))));
    await pollOnce(source(), ctx);

    // Act
    const next = await pollOnce(source(), ctx).catch((e: unknown) => e);
    const flushed = await ctx.committed!().catch((e: unknown) => e);

    // Assess
    expect(server.requests).toHaveLength(2);
    expect(next).toBeInstanceOf(TopicWriteError);
    expect((next as TopicWriteError).undelivered).toBe(2);
    expect(flushed).toBeInstanceOf(TopicWriteError);
    expect((flushed as TopicWriteError).undelivered).toBe(1);
    expect(ctx.metrics.records).toBe(0);
  });

  it('should end runPeriodic at once when a commit fails while it waits for the next slot', async () => {
    // Prepare: a 10 s interval; the topic is deleted before the first record's commit.
    const ctx = runtimeContext(new GatedProducer(store.producer('quotes'), events, async () => void (await store.deleteTopic('quotes'))));

    // Act
    const started = Date.now();
    const err = await runPeriodic(source(), ctx).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(TopicWriteError);
    expect((err as TopicWriteError).undelivered).toBe(1);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(server.requests).toHaveLength(1);
  });

  it('should end a window only once its records are committed (its report counts committed records)', async () => {
    // Prepare: one slot at the window's start; the commit takes 200 ms.
    const ctx = runtimeContext(new GatedProducer(store.producer('quotes'), events, () => systemClock.sleep(200)));
    const startMs = Date.now();

    // Act
    const report = await runWindow(source(), ctx, { startMs, endMs: startMs + 1000, anchorMs: startMs, marginMs: 500 });

    // Assess
    expect(report.polls).toBe(1);
    expect(ctx.metrics.records).toBe(1);
    expect(await stored()).toEqual(['{"quote":1}']);
  });

  it('should flush the pending commit when runPeriodic stops', async () => {
    // Prepare: the run stops as soon as the first record is handed over; its commit takes 200 ms.
    const stop = new AbortController();
    const ctx = runtimeContext(new GatedProducer(store.producer('quotes'), events, () => systemClock.sleep(200)), stop.signal);
    const emit = ctx.emit;
    ctx.emit = async (records) => {
      await emit(records);
      stop.abort();
    };

    // Act
    await runPeriodic(source(), ctx);

    // Assess
    expect(ctx.metrics.records).toBe(1);
    expect(await stored()).toEqual(['{"quote":1}']);
  });

  it('should flush the pending commit when runConnector is stopped', async () => {
    // Prepare: a backend whose commits take 200 ms; the run stops once the first request was answered.
    const topics: TopicBackend = {
      createTopic: (name) => store.createTopic(name),
      topicExists: (name) => store.topicExists(name),
      listTopics: () => store.listTopics(),
      deleteTopic: (name) => store.deleteTopic(name),
      producer: (topic) => new GatedProducer(store.producer(topic), events, () => systemClock.sleep(200)),
      close: async () => undefined,
    };
    const spec = parseConnectorConfig(`apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: quotes\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: ${server.url}/quote\n  interval: 10s\n`, {
      file: 'quotes.yaml',
      registry: defaultRegistry,
    });
    const stop = new AbortController();
    const metrics = createMetrics();
    const run = runConnector({ spec, topics, signal: stop.signal, metrics, deps: { log: silentLogger } });
    await waitFor(() => metrics.lastPollAt !== null && server.requests.length === 1);
    stop.abort();

    // Act
    const result = await run;

    // Assess
    expect(result.reason).toBe('stopped');
    expect(result.metrics.records).toBe(1);
    expect(await stored()).toEqual(['{"quote":1}']);
  });

  it('should keep a continuous source\'s emit resolving only once committed', async () => {
    // Prepare
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(new GatedProducer(store.producer('quotes'), events, () => systemClock.sleep(50)), { log: silentLogger, metrics });
    const ctx = createRunContext({ ports: { log: silentLogger, clock: systemClock, http: nodeHttpTransport }, signal: new AbortController().signal, metrics, pipeline, pipelined: false });

    // Act
    await ctx.emit([{ value: 'm' }]);

    // Assess
    expect(ctx.committed).toBeUndefined();
    expect(metrics.records).toBe(1);
    expect(await stored()).toEqual(['m']);
  });
});
