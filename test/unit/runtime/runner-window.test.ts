import { defaultRegistry } from '../../../lib/connectors';
import { parseConnectorConfig } from '../../../lib/config';
import { type HttpTransport, nodeHttpTransport, silentLogger } from '../../../lib/core';
import { ErrorCode, TopicNotFoundError, TopicWriteError } from '../../../lib/core/errors';
import { runConnector } from '../../../lib/runtime/runner';
import { deferTopicBackend } from '../../../lib/topics';
import { type LocalTopicStore, openLocalTopicStore } from '../../../lib/topics/local';
import { tempDir } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';

/** Server answer delay, ms: long enough for the backend's opening to fall inside it. */
const RESPONSE_DELAY_MS = 150;

describe('runtime/runner: the topic check of a poll window that may not create its topic', () => {
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore | undefined;
  let server: TestHttpServer;
  let events: string[];
  beforeEach(async () => {
    tmp = tempDir();
    events = [];
    server = await startHttpServer((_req, res) => {
      events.push('request received');
      setTimeout(() => {
        events.push('response sent');
        res.setHeader('content-type', 'application/json');
        res.end('{"quote":"q"}');
      }, RESPONSE_DELAY_MS);
    });
  });
  afterEach(async () => {
    await server.close();
    await store?.close();
    store = undefined;
    tmp.cleanup();
  });

  const spec = () =>
    parseConnectorConfig(`apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: quotes\n  type: http-source\n  topic: quotes\nhttp:\n  endpoint: ${server.url}/quote\n  interval: 10s\n`, {
      file: 'quotes.yaml',
      registry: defaultRegistry,
    });
  /** The default transport, noting when a request is on the wire. */
  const http: HttpTransport = (request) => nodeHttpTransport({ ...request, onSent: () => (events.push('request sent'), request.onSent?.()) });
  /** A local store opened on first use (as the poller opens Kinesis), with the topic made by "the deployment" or not. */
  const deferredStore = (options: { topicExists: boolean; fail?: Error }) =>
    deferTopicBackend(async () => {
      events.push('backend opening');
      if (options.fail) throw options.fail;
      store = openLocalTopicStore({ dataDir: tmp.dir });
      if (options.topicExists) await store.createTopic('quotes');
      return { topics: store, close: async () => undefined };
    });
  /** One slot, at the window's start; the window stops 500 ms after it. */
  const window = () => {
    const startMs = Date.now();
    return { startMs, endMs: startMs + 1000, anchorMs: startMs, marginMs: 500 };
  };

  it('should send the first request before opening the topic backend, and write the record once it is open', async () => {
    // Prepare
    const opened = deferredStore({ topicExists: true });

    // Act
    const result = await runConnector({ spec: spec(), topics: opened.topics, signal: new AbortController().signal, deps: { log: silentLogger, http }, window: window(), createTopic: false });
    await opened.close();

    // Assess: the backend opened after the request was sent and before its response came
    const order = events.filter((e) => e !== 'request received');
    expect(order).toEqual(['request sent', 'backend opening', 'response sent']);
    expect(result.metrics).toMatchObject({ records: 1, errors: 0 });
    expect((await store!.consumer('quotes').fetch(0, 10)).map((r) => r.value.toString())).toEqual(['{"quote":"q"}']);
  });

  it('should check the topic before the first request when the run may create it (connector run)', async () => {
    // Prepare
    const opened = deferredStore({ topicExists: false });

    // Act
    await runConnector({ spec: { ...spec(), topic: { ...spec().topic, create: true } }, topics: opened.topics, signal: new AbortController().signal, deps: { log: silentLogger, http }, window: window() });
    await opened.close();

    // Assess
    expect(events.indexOf('backend opening')).toBeLessThan(events.indexOf('request sent'));
    expect(await store!.topicExists('quotes')).toBe(true);
  });

  it('should end the run with TopicNotFoundError when the topic is missing, writing nothing', async () => {
    // Prepare
    const opened = deferredStore({ topicExists: false });

    // Act
    const outcome = runConnector({ spec: spec(), topics: opened.topics, signal: new AbortController().signal, deps: { log: silentLogger, http }, window: window(), createTopic: false });

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TopicNotFoundError);
    await expect(outcome).rejects.toMatchObject({ code: ErrorCode.TOPIC_NOT_FOUND });
    expect(await store!.topicExists('quotes')).toBe(false);
    await opened.close();
  });

  it('should end the run with a permanent TopicWriteError counting the waiting record when the backend cannot be opened', async () => {
    // Prepare: the opening fails as a missing SDK would
    const loadError = new Error("Cannot find module '@aws-sdk/client-kinesis'");
    const opened = deferredStore({ topicExists: true, fail: loadError });

    // Act
    const error = await runConnector({ spec: spec(), topics: opened.topics, signal: new AbortController().signal, deps: { log: silentLogger, http }, window: window(), createTopic: false }).catch(
      (err: unknown) => err,
    );

    // Assess: one poll, its record reported undelivered, the load error as the cause
    expect(error).toBeInstanceOf(TopicWriteError);
    expect(error).toMatchObject({ undelivered: 1, permanent: true });
    expect((error as Error).cause).toBe(loadError);
    expect(events.filter((e) => e === 'request received')).toHaveLength(1);
    await opened.close();
  });
});
