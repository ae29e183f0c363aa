import { createMetrics, silentLogger } from '../../../lib/core';
import { TopicWriteError } from '../../../lib/core/errors';
import { createRecordPipeline } from '../../../lib/runtime/pipeline';
import { deferTopicBackend } from '../../../lib/topics';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { tempDir } from '../../support/cli';

describe('topics/deferred', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore | undefined;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(async () => {
    await store?.close();
    store = undefined;
    tmp.cleanup();
  });

  /** A deferred local store; `opens` counts the openings. */
  function deferredStore() {
    const state = { opens: 0, closes: 0 };
    const opened = deferTopicBackend(async () => {
      state.opens++;
      store = openLocalTopicStore({ dataDir: tmp.dir });
      await store.createTopic('quotes');
      const real = store;
      return { topics: real, close: async () => void state.closes++ };
    });
    return { opened, state };
  }

  it('should open nothing until a write or an admin call needs the backend, then open it once', async () => {
    // Prepare
    const { opened, state } = deferredStore();

    // Act: a producer is made without opening anything
    const producer = opened.topics.producer('quotes');
    const before = { opens: state.opens, started: opened.started };
    await producer.send([{ value: Buffer.from('a') }]);
    await producer.send([{ value: Buffer.from('b') }]);
    const exists = await opened.topics.topicExists('quotes');

    // Assess
    expect(before).toEqual({ opens: 0, started: false });
    expect(state.opens).toBe(1);
    expect(exists).toBe(true);
    expect((await store!.consumer('quotes').fetch(0, 10)).map((r) => r.value.toString())).toEqual(['a', 'b']);
  });

  it('should make a send wait for the backend being opened and keep the order of sends', async () => {
    // Prepare: the opening completes only when released
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const opened = deferTopicBackend(async () => {
      await gate;
      store = openLocalTopicStore({ dataDir: tmp.dir });
      await store.createTopic('quotes');
      return { topics: store, close: async () => undefined };
    });
    const producer = opened.topics.producer('quotes');

    // Act
    let settled = false;
    const first = producer.send([{ value: Buffer.from('1') }]).then(() => (settled = true));
    const second = producer.send([{ value: Buffer.from('2') }]);
    await new Promise((resolve) => setImmediate(resolve));
    const settledBeforeOpen = settled;
    release();
    await Promise.all([first, second]);

    // Assess
    expect(settledBeforeOpen).toBe(false);
    expect((await store!.consumer('quotes').fetch(0, 10)).map((r) => r.value.toString())).toEqual(['1', '2']);
  });

  it('should fail the write when the backend cannot be opened: the pipeline reports every record undelivered', async () => {
    // Prepare: an opening that fails as a missing SDK would
    const loadError = Object.assign(new Error("Cannot find module '@aws-sdk/client-kinesis'"), { code: 'MODULE_NOT_FOUND' });
    const opened = deferTopicBackend(() => Promise.reject(loadError));
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(opened.topics.producer('quotes'), { log: silentLogger, metrics });

    // Act: no retry (the opening is not retried), so this settles at once
    const error = await pipeline.emit([{ value: 'x' }, { value: 'y' }]).catch((err: unknown) => err);

    // Assess: an error naming the load failure, both records counted as undelivered, none written
    expect(error).toBeInstanceOf(TopicWriteError);
    expect(error).toMatchObject({ undelivered: 2 });
    expect(((error as Error).cause as Error).cause).toBe(loadError);
    expect((error as Error).message).toContain('@aws-sdk/client-kinesis');
    expect(metrics.records).toBe(0);
    await expect(opened.topics.topicExists('quotes')).rejects.toBe(loadError);
    await expect(opened.close()).resolves.toBeUndefined();
  });

  it('should close without opening a backend that was never used, and close an opened one', async () => {
    // Prepare
    const unused = deferredStore();
    const used = deferredStore();
    await used.opened.topics.producer('quotes').send([{ value: Buffer.from('a') }]);

    // Act
    await unused.opened.close();
    await used.opened.close();

    // Assess
    expect(unused.state).toEqual({ opens: 0, closes: 0 });
    expect(used.state).toEqual({ opens: 1, closes: 1 });
  });
});
