import { type ProducerRecord, type TopicBackend, type TopicInfo, type TopicProducer, TopicWriteError } from '../core';
import type { OpenedTopics } from './index';

/** A topic backend opened on first use; see {@link deferTopicBackend}. */
export interface DeferredTopics extends OpenedTopics {
  /** Opens the backend now (once; later calls return the same promise). Rejects as the opening does. */
  load(): Promise<TopicBackend>;
  /** Whether the backend has been opened, or its opening started. */
  readonly started: boolean;
}

/**
 * A {@link TopicBackend} whose implementation is opened by `open` only when it is first needed:
 * the first admin call (`topicExists`, `createTopic`, …), the first `send` of a producer, or
 * {@link DeferredTopics.load}. The Lambda poller uses it so that the Kinesis client and the AWS SDK
 * behind it (about 90 ms of a cold start on the bench machine) load once the first poll's request is
 * on the wire, while it waits for its response (`runConnector`, poll windows), not in the module's init.
 *
 * - `producer(topic)` returns at once; its `send` waits for the backend, then writes through the
 *   real producer (made once per deferred producer). Order is kept: sends are passed on in call order.
 * - When `open` rejects (the SDK cannot be loaded, no region…), every admin call rejects with that
 *   error and every `send` with a permanent `TopicWriteError` (its `cause`, `undelivered` = the
 *   send's records): the runtime's pipeline fails at once and reports them, none is dropped
 *   silently. The opening is not retried.
 * - `close()` closes the real producers and the backend if it was opened; it never opens one.
 * - No consumers (a consumer is made synchronously): for backends written to, such as Kinesis.
 *
 * @example
 * const opened = deferTopicBackend(() => openTopicBackend('kinesis', { kinesis: { region: 'eu-west-1' } }));
 * await runConnector({ spec, topics: opened.topics, signal, createTopic: false, window }); // loads on first need
 * await opened.close();
 */
export function deferTopicBackend(open: () => Promise<OpenedTopics>): DeferredTopics {
  let opening: Promise<OpenedTopics> | undefined;
  const opened = (): Promise<OpenedTopics> => {
    opening ??= Promise.resolve().then(open);
    return opening;
  };
  const backend = async (): Promise<TopicBackend> => (await opened()).topics;
  const producers = new Set<DeferredProducer>();

  const topics: TopicBackend = {
    topicExists: async (name) => (await backend()).topicExists(name),
    createTopic: async (name) => (await backend()).createTopic(name),
    deleteTopic: async (name) => (await backend()).deleteTopic(name),
    listTopics: async (): Promise<TopicInfo[]> => (await backend()).listTopics(),
    producer(topic) {
      const producer = new DeferredProducer(topic, backend);
      producers.add(producer);
      return producer;
    },
    close: async () => {
      await Promise.all([...producers].map((p) => p.close()));
      producers.clear();
    },
  };
  return {
    topics,
    load: backend,
    get started() {
      return opening !== undefined;
    },
    close: async () => {
      await topics.close();
      if (opening === undefined) return;
      const real = await opening.catch(() => undefined);
      await real?.close();
    },
  };
}

/** A producer whose real producer is made once the backend is open. */
class DeferredProducer implements TopicProducer {
  private real: Promise<TopicProducer> | undefined;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly backend: () => Promise<TopicBackend>,
  ) {}

  async send(records: readonly ProducerRecord[]): Promise<number | undefined> {
    if (this.closed) throw new Error(`the producer of topic "${this.topic}" is closed`);
    this.real ??= this.backend().then((backend) => backend.producer(this.topic));
    let real: TopicProducer;
    try {
      real = await this.real;
    } catch (err) {
      // The opening is not retried, so neither is this: permanent, every record of the send undelivered.
      throw new TopicWriteError(`topic "${this.topic}": the topic backend could not be opened: ${err instanceof Error ? err.message : String(err)}`, records.length, err, true);
    }
    return real.send(records);
  }

  async close(): Promise<void> {
    this.closed = true;
    const real = await this.real?.catch(() => undefined);
    await real?.close();
  }
}
