import { createRegistry, defaultRegistry, testConnector } from '../../../lib/connectors';
import { parseConnectorConfig } from '../../../lib/config';
import { ErrorCode, TopicNotFoundError } from '../../../lib/core/errors';
import { silentLogger } from '../../../lib/core/log';
import { runConnector } from '../../../lib/runtime/runner';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import type { TopicBackend } from '../../../lib/core/topics';
import { tempDir } from '../../support/cli';
import { VirtualClock } from '../../support/virtual-clock';

const legacyTest = (extra = '', params = '  count: 3\n  timeout: 1s\n'): string =>
  `version: latest\nname: t\ntype: test-connector\ntopic: greetings\ndirection: source\n${extra}parameters:\n${params}`;

describe('runtime/runner', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  beforeEach(() => {
    tmp = tempDir();
    store = openLocalTopicStore({ dataDir: tmp.dir });
  });
  afterEach(async () => {
    await store.close();
    tmp.cleanup();
  });

  const values = async (topic: string): Promise<string[]> =>
    (await store.consumer(topic).fetch(0, 1000)).map((r) => r.value.toString());

  it('should run a finite source to completion, creating the topic, and produce exactly count records', async () => {
    const spec = parseConnectorConfig(legacyTest('create_topic: true\n'), { file: 'mem.yaml', registry: defaultRegistry });
    const clock = new VirtualClock();
    const result = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger, clock } });
    expect(result.reason).toBe('completed');
    expect(await values('greetings')).toEqual(['Hello, Fluvio! - 1', 'Hello, Fluvio! - 2', 'Hello, Fluvio! - 3']);
    expect(result.metrics).toMatchObject({ records: 3, bytes: 54 });
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('should pause a legacy test-connector integer timeout in milliseconds (500 is half a second, not 500 s)', async () => {
    const spec = parseConnectorConfig(legacyTest('create_topic: true\n', '  count: 3\n  timeout: 500\n'), { file: 'mem.yaml', registry: defaultRegistry });
    const clock = new VirtualClock();
    const result = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger, clock } });
    expect(result.metrics.records).toBe(3);
    expect(clock.sleeps).toEqual([500, 500]);
  });

  it('should refuse a legacy config whose topic is missing and not to be created', async () => {
    const spec = parseConnectorConfig(legacyTest(), { file: 'mem.yaml', registry: defaultRegistry });
    await expect(runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger } })).rejects.toBeInstanceOf(TopicNotFoundError);
    await store.createTopic('greetings');
    const result = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger, clock: new VirtualClock() } });
    expect(result.metrics.records).toBe(3);
  });

  it('should stop on abort after the in-flight record and report "stopped"', async () => {
    const spec = parseConnectorConfig(legacyTest('create_topic: true\n', '  timeout: 1ms\n'), { file: 'mem.yaml', registry: defaultRegistry });
    const controller = new AbortController();
    const run = runConnector({ spec, topics: store, signal: controller.signal, deps: { log: silentLogger } });
    for (let i = 0; i < 200 && (await store.consumer('greetings').endOffset().catch(() => 0)) < 5; i++) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const result = await run;
    expect(result.reason).toBe('stopped');
    const got = await values('greetings');
    expect(got.length).toBe(result.metrics.records);
    expect(got).toEqual(got.map((_, i) => `Hello, Fluvio! - ${i + 1}`));
  });

  it('should run a config\'s transforms between the source and the topic, or skip them when told (escape hatch)', async () => {
    // Prepare: a filter keeping records 1 and 3 of "Hello, Fluvio! - N"
    const text = `apiVersion: 0.2.0\nmeta:\n  name: t\n  type: test-connector\n  version: 0.1.0\n  topic: greetings\ntest:\n  count: 3\n  timeout: 1ms\ntransforms:\n  - uses: infinyon/regex-filter@0.2.0\n    with:\n      regex: "[13]$"\n`;
    const spec = parseConnectorConfig(text, { file: 'mem.yaml', registry: createRegistry(defaultRegistry.definitions) });

    // Act
    const result = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger } });
    const skipped = await runConnector({ spec, topics: store, signal: new AbortController().signal, deps: { log: silentLogger }, skipTransforms: true });

    // Assess
    expect(result.metrics).toMatchObject({ records: 2, filtered: 1, transformErrors: 0 });
    expect(skipped.metrics).toMatchObject({ records: 3, filtered: 0 });
    expect(await values('greetings')).toEqual(['Hello, Fluvio! - 1', 'Hello, Fluvio! - 3', 'Hello, Fluvio! - 1', 'Hello, Fluvio! - 2', 'Hello, Fluvio! - 3']);
  });

  it('should still write records emitted by a source that then fails, and rethrow its error', async () => {
    // A test-connector whose source emits without awaiting, then throws: an error path of a buggy source.
    const failing: typeof testConnector = { ...testConnector, load: async () => ({ createSource: () => ({
      kind: 'continuous' as const,
      async connect(ctx) {
        void ctx.emit([{ value: 'in flight' }]);
        throw new Error('source exploded');
      },
    }) }) };
    const spec = parseConnectorConfig(legacyTest('create_topic: true\n'), { file: 'mem.yaml', registry: createRegistry([failing]) });
    // The real store behind a producer whose writes take 20 ms, so the record is still in flight when the source fails.
    const slow: TopicBackend = {
      createTopic: (n) => store.createTopic(n),
      topicExists: (n) => store.topicExists(n),
      listTopics: () => store.listTopics(),
      deleteTopic: (n) => store.deleteTopic(n),
      close: async () => undefined,
      producer(topic) {
        const real = store.producer(topic);
        return { topic, close: () => real.close(), send: async (r) => (await new Promise((ok) => setTimeout(ok, 20)), real.send(r)) };
      },
    };
    await expect(runConnector({ spec, topics: slow, signal: new AbortController().signal, deps: { log: silentLogger } })).rejects.toThrow('source exploded');
    expect(await values('greetings')).toEqual(['in flight']);
  });
});
