import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLocalTopicStore } from '../../lib/topics/local';
import { connector, requireBuild, startConnector, tempDir } from '../support/cli';
import { startHttpServer, type TestHttpServer } from '../support/http-server';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

/** An http-sink config of topic `events` against `url` (consumer `webhook`, from the beginning). */
const sinkConfig = (url: string, extra = ''): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: webhook
  type: http-sink
  topic: events
  consumer:
    id: webhook
    offset: {start: beginning, strategy: auto}
http:
  endpoint: ${url}/ingest
  headers: ["Content-Type: text/plain"]
  backoff_min: 10ms
  backoff_max: 50ms
${extra}`;

/** The `connector` command end to end: sinks in child processes, a real data dir, real HTTP servers on port 0. */
describe('sinks end to end (child processes)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let data: string;
  let endpoint: TestHttpServer | undefined;
  const children: Array<{ kill(signal?: NodeJS.Signals): boolean }> = [];
  const deployed: string[] = [];

  beforeAll(() => requireBuild());
  beforeEach(() => {
    tmp = tempDir('sinks-e2e-');
    data = join(tmp.dir, 'data');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    for (const name of deployed.splice(0)) connector(data, ['deploy', 'shutdown', '--name', name]);
    await endpoint?.close();
    endpoint = undefined;
    tmp.cleanup();
  });

  const writeConfig = (name: string, text: string): string => {
    const file = join(tmp.dir, name);
    writeFileSync(file, text);
    return file;
  };
  /** The store of the data dir, opened for one call (the connectors' processes share it). */
  const withStore = async <T>(fn: (store: ReturnType<typeof openLocalTopicStore>) => Promise<T>): Promise<T> => {
    const store = openLocalTopicStore({ dataDir: data });
    try {
      return await fn(store);
    } finally {
      await store.close();
    }
  };
  const topicValues = (topic: string): Promise<string[]> =>
    withStore(async (store) => ((await store.topicExists(topic)) ? (await store.consumer(topic).fetch(0, 100_000)).map((r) => r.value.toString()) : []));
  const received = (): string[] => (endpoint?.requests ?? []).map((r) => r.body);
  const produce = (values: string[]): Promise<unknown> =>
    withStore(async (store) => {
      await store.createTopic('events');
      return store.producer('events').send(values.map((value) => ({ value: Buffer.from(value) })));
    });

  it('should carry every record of an http-source through the topic to an http-sink exactly once, in order', async () => {
    // Prepare: a source endpoint numbering its answers, a sink endpoint recording what it gets
    let n = 0;
    const source = await startHttpServer((_req, res) => res.end(`record-${++n}`));
    endpoint = await startHttpServer((_req, res) => res.end('ok'));
    const sourceConfig = writeConfig('numbers.yaml', `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: numbers\n  type: http-source\n  topic: events\nhttp:\n  endpoint: ${source.url}/n\n  interval: 20ms\n  allow_fast_interval: true\n`);
    const sink = writeConfig('webhook.yaml', sinkConfig(endpoint.url));
    try {
      // Act: the sink in the background (`deploy start`), the source in the foreground
      deployed.push('webhook');
      expect(connector(data, ['deploy', 'start', '--config', sink]).status).toBe(0);
      const producer = startConnector(data, ['run', '--config', sourceConfig]);
      children.push(producer.child);
      await waitFor(() => received().length >= 30, 20_000);
      const list = connector(data, ['deploy', 'list']).stdout;
      producer.child.kill('SIGINT');
      expect(await producer.exit).toBe(0);
      const produced = await topicValues('events');
      await waitFor(() => received().length >= produced.length, 20_000);
      expect(connector(data, ['deploy', 'shutdown', '--name', 'webhook']).status).toBe(0);

      // Assess
      expect(list).toBe(' NAME     STATUS\n webhook  Running\n');
      expect(produced.length).toBeGreaterThanOrEqual(30);
      expect(received()).toEqual(produced);
      expect(produced).toEqual(produced.map((_, i) => `record-${i + 1}`));
      expect(endpoint.requests[0]!.headers['content-type']).toBe('text/plain');
      const offsets = connector(data, ['offsets']).stdout.split('\n');
      expect(offsets[0]).toMatch(/^ CONSUMER\s+TOPIC\s+PARTITION\s+OFFSET\s+LAG\s+IN FLIGHT\s+LAST SEEN$/);
      expect(offsets[1]).toMatch(new RegExp(`^ webhook\\s+events\\s+0\\s+${produced.length - 1}\\s+0\\s+0\\s+\\d{4}-`));
    } finally {
      await source.close();
    }
  });

  it('should lose nothing when the endpoint answers 500 for a while, then recovers', async () => {
    // Prepare: the endpoint fails its first 25 requests
    let requests = 0;
    endpoint = await startHttpServer((_req, res) => (++requests <= 25 ? res.writeHead(500).end('down') : res.end('ok')));
    await produce(Array.from({ length: 40 }, (_, i) => `event-${i + 1}`));

    // Act
    const run = startConnector(data, ['run', '--config', writeConfig('webhook.yaml', sinkConfig(endpoint.url, '  max_retries: 100\n'))]);
    children.push(run.child);
    await waitFor(() => received().length >= 25 + 40, 20_000);
    run.child.kill('SIGINT');
    const code = await run.exit;

    // Assess
    const delivered = endpoint.requests.slice(25).map((r) => r.body);
    expect(code).toBe(0);
    expect(delivered).toEqual(Array.from({ length: 40 }, (_, i) => `event-${i + 1}`));
    expect(await topicValues('events-dlq')).toEqual([]);
    const finished = run.out.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; errors?: number; records?: number }).find((line) => line.msg === 'connector finished');
    expect(finished).toMatchObject({ records: 40, errors: 25 });
  });

  it('should deliver every record after a kill -9 mid-batch and a restart, duplicating at most the batch in flight', async () => {
    // Prepare: a slow endpoint (5 ms a request) and 300 records
    endpoint = await startHttpServer((_req, res) => setTimeout(() => res.end('ok'), 5));
    const values = Array.from({ length: 300 }, (_, i) => `event-${i + 1}`);
    await produce(values);
    const config = writeConfig('webhook.yaml', sinkConfig(endpoint.url));

    // Act
    const first = startConnector(data, ['run', '--config', config]);
    children.push(first.child);
    await waitFor(() => received().length >= 130, 20_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const beforeRestart = received().length;
    const second = startConnector(data, ['run', '--config', config]);
    children.push(second.child);
    await waitFor(() => new Set(received()).size >= 300, 30_000);
    second.child.kill('SIGINT');
    await second.exit;

    // Assess
    const got = received();
    expect(new Set(got)).toEqual(new Set(values));
    const duplicates = got.length - 300;
    expect(beforeRestart % 100).not.toBe(0); // killed mid-batch
    expect(duplicates).toBeLessThanOrEqual(100); // at most one batch (SINK_BATCH_RECORDS) again
    const resumed = second.out.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; redelivered?: number }).find((line) => line.msg.startsWith('resuming a batch that was in flight'));
    expect(resumed?.redelivered).toBeGreaterThanOrEqual(duplicates);
    expect(resumed?.redelivered).toBeLessThanOrEqual(100);
    expect(got.slice(beforeRestart)).toEqual(values.slice(300 - (got.length - beforeRestart))); // the restart resumed in order from the committed offset
  });

  it('should write a record the endpoint refuses to events-dlq and count it, delivering the others', async () => {
    // Prepare
    endpoint = await startHttpServer((_req, res, recorded) => (recorded.body === 'poison' ? res.writeHead(422).end('unprocessable') : res.end('ok')));
    await produce(['good-1', 'poison', 'good-2']);

    // Act
    const run = startConnector(data, ['run', '--config', writeConfig('webhook.yaml', sinkConfig(endpoint.url))]);
    children.push(run.child);
    await waitFor(() => received().length >= 3, 20_000);
    await waitFor(async () => (await topicValues('events-dlq')).length >= 1, 10_000);
    run.child.kill('SIGINT');
    await run.exit;

    // Assess
    expect(received()).toEqual(['good-1', 'poison', 'good-2']);
    expect(await topicValues('events-dlq')).toEqual(['poison']);
    const finished = run.out.stderr.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg: string; deadLettered?: number }).find((line) => line.msg === 'connector finished');
    expect(finished?.deadLettered).toBe(1);
  });
});
