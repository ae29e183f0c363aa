/**
 * The conformance suite every connector type runs (Redpanda Connect's `integration.StreamTests`
 * idea): start and stop on abort, N records in → the same N out, the external side drops then
 * recovers, and a bad config is refused with a located error. Each type plugs in through its
 * harness (./harnesses); a registered type without one fails here.
 */
import { ConfigError, parseConnectorConfig } from '../../lib/config';
import { defaultRegistry } from '../../lib/connectors';
import { createMetrics, silentLogger } from '../../lib/core';
import { runConnector, type RunResult } from '../../lib/runtime';
import { type LocalTopicStore, openLocalTopicStore } from '../../lib/topics/local';
import { tempDir } from '../support/cli';
import { waitFor } from '../support/wait-for';
import { CONFORMANCE_TOPIC, type SinkEndpoint, type SinkHarness, type SourceEndpoint, type SourceHarness } from './harness';
import { harnesses } from './harnesses';

describe('conformance: every registered connector type has a harness', () => {
  it('should find a harness for each type of the default registry, and no harness for an unknown type', () => {
    const registered = defaultRegistry.definitions.map((definition) => definition.type).sort();
    expect(harnesses.map((harness) => harness.type).sort()).toEqual(registered);
  });
});

/** A running connector against one endpoint, with its topic store. */
interface Running {
  endpoint: SourceEndpoint;
  store: LocalTopicStore;
  controller: AbortController;
  metrics: ReturnType<typeof createMetrics>;
  done: Promise<RunResult>;
  values(): Promise<string[]>;
  cleanup(): Promise<void>;
}

async function start(harness: SourceHarness, variant: number): Promise<Running> {
  const endpoint = await harness.variants[variant]!.start();
  const tmp = tempDir('conformance-');
  const store = openLocalTopicStore({ dataDir: tmp.dir });
  const spec = parseConnectorConfig(endpoint.config, { file: `${harness.type}.yaml`, registry: defaultRegistry });
  const controller = new AbortController();
  const metrics = createMetrics();
  const done = runConnector({ spec, topics: store, signal: controller.signal, metrics, deps: { log: silentLogger } });
  const values = async (): Promise<string[]> =>
    (await store.topicExists(CONFORMANCE_TOPIC)) ? (await store.consumer(CONFORMANCE_TOPIC).fetch(0, 100_000)).map((record) => record.value.toString('utf8')) : [];
  return {
    endpoint,
    store,
    controller,
    metrics,
    done,
    values,
    cleanup: async () => {
      controller.abort();
      await done.catch(() => undefined);
      await endpoint.close();
      await store.close();
      tmp.cleanup();
    },
  };
}

const sourceHarnesses = harnesses.filter((harness): harness is SourceHarness => harness.direction === 'source');
const variants = sourceHarnesses.flatMap((harness) => harness.variants.map((variant, index) => ({ name: `${harness.type} (${variant.name})`, harness, index })));

describe.each(variants)('conformance: $name', ({ harness, index }) => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('should start, produce, and stop promptly on abort with reason "stopped"', async () => {
    // Prepare
    running = await start(harness, index);
    await waitFor(async () => (await running!.values()).length >= 1, 10_000);

    // Act
    const abortedAt = Date.now();
    running.controller.abort();
    const result = await running.done;

    // Assess
    expect(result.reason).toBe('stopped');
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect(result.metrics.records).toBe((await running.values()).length);
  });

  it('should deliver N records in order, none lost or duplicated', async () => {
    // Prepare
    const n = 20;
    running = await start(harness, index);

    // Act
    await waitFor(async () => (await running!.values()).length >= n, 15_000);
    running.controller.abort();
    await running.done;

    // Assess
    const got = await running.values();
    expect(got).toEqual(running.endpoint.expected(got.length));
    expect(running.metrics.records).toBe(got.length);
  });
});

const droppable = variants.filter(({ harness, index }) => harness.variants[index]!.canDrop);

describe.each(droppable)('conformance: $name against an endpoint that drops, then recovers', ({ harness, index }) => {
  let running: Running | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('should count the failures, keep running, and produce again after the endpoint recovers', async () => {
    // Prepare
    running = await start(harness, index);
    const { endpoint } = running;
    if (!endpoint.drop || !endpoint.recover) throw new Error(`${harness.type}: the variant says canDrop but its endpoint has no drop/recover`);
    await waitFor(async () => (await running!.values()).length >= 3, 10_000);

    // Act
    await endpoint.drop();
    await waitFor(() => running!.metrics.errors > 0, 10_000);
    const duringDrop = (await running.values()).length;
    await endpoint.recover();
    await waitFor(async () => (await running!.values()).length >= duringDrop + 3, 15_000);

    // Assess
    expect(running.metrics.errors).toBeGreaterThan(0);
    running.controller.abort();
    expect((await running.done).reason).toBe('stopped');
  });
});

/** A running sink against one endpoint, with its topic store (records are produced into the topic by the test). */
interface RunningSink {
  endpoint: SinkEndpoint;
  store: LocalTopicStore;
  controller: AbortController;
  metrics: ReturnType<typeof createMetrics>;
  done: Promise<RunResult>;
  /** Produces `values` into the sink's topic. */
  produce(values: readonly string[]): Promise<void>;
  cleanup(): Promise<void>;
}

async function startSink(harness: SinkHarness, variant: number): Promise<RunningSink> {
  const endpoint = await harness.variants[variant]!.start();
  const tmp = tempDir('conformance-sink-');
  const store = openLocalTopicStore({ dataDir: tmp.dir });
  await store.createTopic(CONFORMANCE_TOPIC);
  const spec = parseConnectorConfig(endpoint.config, { file: `${harness.type}.yaml`, registry: defaultRegistry });
  const controller = new AbortController();
  const metrics = createMetrics();
  const done = runConnector({ spec, topics: store, signal: controller.signal, metrics, deps: { log: silentLogger } });
  return {
    endpoint,
    store,
    controller,
    metrics,
    done,
    produce: async (values) => {
      await store.producer(CONFORMANCE_TOPIC).send(values.map((value) => ({ value: Buffer.from(value) })));
    },
    cleanup: async () => {
      controller.abort();
      await done.catch(() => undefined);
      await endpoint.close();
      await store.close();
      tmp.cleanup();
    },
  };
}

const sinkHarnesses = harnesses.filter((harness): harness is SinkHarness => harness.direction === 'sink');
const sinkVariants = sinkHarnesses.flatMap((harness) => harness.variants.map((variant, index) => ({ name: `${harness.type} (${variant.name})`, harness, index })));
const values = (from: number, to: number): string[] => Array.from({ length: to - from + 1 }, (_, i) => `record-${from + i}`);

describe.each(sinkVariants)('conformance: $name (sink)', ({ harness, index }) => {
  let running: RunningSink | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('should start, deliver, and stop promptly on abort with reason "stopped"', async () => {
    // Prepare
    running = await startSink(harness, index);
    await running.produce(['first']);
    await waitFor(() => running!.endpoint.received().length >= 1, 10_000);

    // Act
    const abortedAt = Date.now();
    running.controller.abort();
    const result = await running.done;

    // Assess
    expect(result.reason).toBe('stopped');
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    expect(result.metrics.records).toBe(1);
  });

  it('should deliver the N records produced into the topic to the endpoint, in order, none lost or duplicated', async () => {
    // Prepare
    running = await startSink(harness, index);

    // Act
    await running.produce(values(1, 10));
    await running.produce(values(11, 20));
    // Delivered = the sink saw the endpoint accept it (a request the endpoint got but whose answer an
    // abort cut off is delivered again on the next start: at-least-once).
    await waitFor(() => running!.metrics.records >= 20, 15_000);
    running.controller.abort();
    await running.done;

    // Assess
    expect(running.endpoint.received()).toEqual(values(1, 20));
    expect(running.metrics).toMatchObject({ records: 20, deadLettered: 0 });
  });
});

const droppableSinks = sinkVariants.filter(({ harness, index }) => harness.variants[index]!.canDrop);

describe.each(droppableSinks)('conformance: $name (sink) against an endpoint that drops, then recovers', ({ harness, index }) => {
  let running: RunningSink | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('should count the failures, keep the records, and deliver every one after the endpoint recovers', async () => {
    // Prepare
    running = await startSink(harness, index);
    const { endpoint } = running;
    if (!endpoint.drop || !endpoint.recover) throw new Error(`${harness.type}: the variant says canDrop but its endpoint has no drop/recover`);
    await running.produce(values(1, 3));
    await waitFor(() => endpoint.received().length >= 3, 10_000);

    // Act
    await endpoint.drop();
    await running.produce(values(4, 8));
    await waitFor(() => running!.metrics.errors > 0, 10_000);
    await endpoint.recover();
    await waitFor(() => endpoint.received().length >= 8, 15_000);

    // Assess
    expect(endpoint.received()).toEqual(values(1, 8));
    expect(running.metrics.deadLettered).toBe(0);
    running.controller.abort();
    expect((await running.done).reason).toBe('stopped');
  });
});

describe.each(harnesses)('conformance: $type with a bad config', (harness) => {
  it('should refuse it with a located error naming the field', () => {
    // Act
    let error: unknown;
    try {
      parseConnectorConfig(harness.badConfig.text, { file: 'bad.yaml', registry: defaultRegistry });
    } catch (err) {
      error = err;
    }

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const [issue] = (error as ConfigError).issues;
    expect(issue).toMatchObject({ code: harness.badConfig.code, path: harness.badConfig.path, line: harness.badConfig.line, file: 'bad.yaml' });
    expect(issue!.message).toMatch(/^bad\.yaml:\d+:\d+: /);
  });
});
