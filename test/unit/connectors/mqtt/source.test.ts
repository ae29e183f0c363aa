import { randomBytes } from 'node:crypto';
import { parseConnectorConfig } from '../../../../lib/config';
import { defaultRegistry } from '../../../../lib/connectors';
import { ErrorCode, type ProducerRecord, type TopicBackend } from '../../../../lib/core';
import { createMetrics } from '../../../../lib/core/metrics';
import { runConnector, type RunResult } from '../../../../lib/runtime';
import { type LocalTopicStore, openLocalTopicStore } from '../../../../lib/topics/local';
import { tempDir } from '../../../support/cli';
import { startBroker, type TestBroker } from '../../../support/mqtt-broker';
import { CapturingLogger } from '../../../support/source-context';
import { waitFor } from '../../../support/wait-for';

const config = (url: string, mqtt: string, name = 'sensors'): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: ${name}
  type: mqtt-source
  topic: readings
mqtt:
  url: ${url}
  backoff_min: 20ms
  backoff_max: 100ms
${mqtt}`;

/** The store, with `hook` awaited before each write of a batch (a slow or gated topic). */
function beforeSend(store: LocalTopicStore, hook: (batch: readonly ProducerRecord[]) => Promise<void>): TopicBackend {
  return {
    topicExists: (name) => store.topicExists(name),
    createTopic: (name) => store.createTopic(name),
    listTopics: () => store.listTopics(),
    deleteTopic: (name) => store.deleteTopic(name),
    close: async () => undefined,
    producer: (topic) => {
      const inner = store.producer(topic);
      return {
        topic,
        send: async (batch) => {
          await hook(batch);
          return inner.send(batch);
        },
        close: () => inner.close(),
      };
    },
  };
}

interface Running {
  controller: AbortController;
  done: Promise<RunResult>;
  metrics: ReturnType<typeof createMetrics>;
  log: CapturingLogger;
}

describe('connectors/mqtt: source against a real broker (aedes)', () => {
  let broker: TestBroker;
  let tmp: ReturnType<typeof tempDir>;
  let store: LocalTopicStore;
  let running: Running | undefined;

  beforeEach(async () => {
    broker = await startBroker();
    tmp = tempDir('mqtt-source-');
    store = openLocalTopicStore({ dataDir: tmp.dir });
  });

  afterEach(async () => {
    running?.controller.abort();
    await running?.done.catch(() => undefined);
    running = undefined;
    await broker.close();
    await store.close();
    tmp.cleanup();
  });

  function start(yaml: string, topics: TopicBackend = store): Running {
    const spec = parseConnectorConfig(yaml, { file: 'mqtt.yaml', registry: defaultRegistry });
    const controller = new AbortController();
    const metrics = createMetrics();
    const log = new CapturingLogger();
    running = { controller, metrics, log, done: runConnector({ spec, topics, signal: controller.signal, metrics, deps: { log } }) };
    return running;
  }

  const records = async (): Promise<Array<{ mqtt_topic: string; payload: unknown }>> =>
    (await store.topicExists('readings')) ? (await store.consumer('readings').fetch(0, 10_000)).map((r) => JSON.parse(r.value.toString())) : [];
  const payloads = async (): Promise<string[]> => (await records()).map((r) => Buffer.from(r.payload as number[]).toString());

  it('should produce only the messages matching a wildcard filter, in order, with their MQTT topic', async () => {
    // Prepare
    start(config(broker.url, '  topic: "sensors/+/temp"\n'));
    await broker.subscribed('connector-sensors', 'sensors/+/temp');
    const publisher = await broker.publisher();

    // Act
    for (const [topic, payload] of [['sensors/1/temp', 'a'], ['sensors/1/humidity', 'x'], ['sensors/2/temp', 'b'], ['other/1/temp', 'y'], ['sensors/3/temp', 'c']] as const) {
      await publisher.publishAsync(topic, payload, { qos: 1 });
    }
    await waitFor(async () => (await records()).length >= 3);

    // Assess
    expect(await records()).toEqual([
      { mqtt_topic: 'sensors/1/temp', payload: [97] },
      { mqtt_topic: 'sensors/2/temp', payload: [98] },
      { mqtt_topic: 'sensors/3/temp', payload: [99] },
    ]);
  });

  it('should take a multi-level wildcard and QoS 0 messages', async () => {
    // Prepare
    start(config(broker.url, '  topic: "devices/#"\n  qos: 0\n  payload_output_type: json\n'));
    await broker.subscribed('connector-sensors', 'devices/#');
    const publisher = await broker.publisher();

    // Act
    for (let i = 1; i <= 50; i++) await publisher.publishAsync(`devices/d${i % 3}/state/x`, JSON.stringify({ n: i }), { qos: 0 });
    await waitFor(async () => (await records()).length >= 50);

    // Assess
    const got = await records();
    expect(got.map((r) => (r.payload as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(got[0]).toEqual({ mqtt_topic: 'devices/d1/state/x', payload: { n: 1 } });
  });

  it('should keep binary payloads byte for byte', async () => {
    // Prepare
    start(config(broker.url, '  topic: blobs\n'));
    await broker.subscribed('connector-sensors', 'blobs');
    const publisher = await broker.publisher();
    const blobs = [randomBytes(1), randomBytes(300), Buffer.from([0, 0, 255, 10, 13]), Buffer.alloc(0)];

    // Act
    for (const blob of blobs) await publisher.publishAsync('blobs', blob, { qos: 1 });
    await waitFor(async () => (await records()).length >= blobs.length);

    // Assess
    expect((await records()).map((r) => Buffer.from(r.payload as number[]))).toEqual(blobs);
  });

  it('should count and log a payload that is not JSON with payload_output_type json, and go on', async () => {
    // Prepare
    const run = start(config(broker.url, '  topic: t\n  payload_output_type: json\n'));
    await broker.subscribed('connector-sensors', 't');
    const publisher = await broker.publisher();

    // Act
    for (const payload of ['{"a":1}', 'not json', '[2]']) await publisher.publishAsync('t', payload, { qos: 1 });
    await waitFor(async () => (await records()).length >= 2);

    // Assess
    expect((await records()).map((r) => r.payload)).toEqual([{ a: 1 }, [2]]);
    expect(run.metrics.dropped).toBe(1);
    expect(run.log.find('not JSON')[0]?.fields).toMatchObject({ mqttTopic: 't', bytes: 8 });
  });

  it('should acknowledge a QoS 1 message only after its record is in the topic', async () => {
    // Prepare: a topic whose writes wait until the test lets them through
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const sends: ProducerRecord[][] = [];
    const slow = beforeSend(store, async (batch) => {
      sends.push([...batch]);
      await gate;
    });
    const acks: number[] = [];
    broker.aedes.on('ack', (packet) => {
      if (packet && 'topic' in packet && packet.topic === 'gated') acks.push(Date.now());
    });
    start(config(broker.url, '  topic: gated\n'), slow);
    await broker.subscribed('connector-sensors', 'gated');
    const publisher = await broker.publisher();

    // Act
    await publisher.publishAsync('gated', 'one', { qos: 1 });
    await waitFor(() => sends.length === 1);
    const acksWhileWriting = acks.length;
    release();
    await waitFor(() => acks.length === 1);

    // Assess
    expect(acksWhileWriting).toBe(0);
    expect(await payloads()).toEqual(['one']);
  });

  it('should lose no QoS 1 message across a broker restart mid-stream (persistent session)', async () => {
    // Prepare: topic writes take 2 ms each, so the connector is behind the publisher
    const run = start(config(broker.url, '  topic: stream\n'), beforeSend(store, () => new Promise((resolve) => setTimeout(resolve, 2))));
    await broker.subscribed('connector-sensors', 'stream');
    let publisher = await broker.publisher();
    const sent: string[] = [];
    const publish = async (from: number, to: number): Promise<void> => {
      for (let i = from; i <= to; i++) {
        await publisher.publishAsync('stream', `m${i}`, { qos: 1 }); // resolves once the broker stored it (PUBACK)
        sent.push(`m${i}`);
      }
    };
    await publish(1, 100);
    await waitFor(async () => (await payloads()).length >= 10);
    const beforeRestart = (await payloads()).length;

    // Act: restart the broker while the connector is consuming, then publish more at once (the
    // connector is still reconnecting: the broker queues them in its session)
    await broker.stop();
    await broker.start();
    publisher = await broker.publisher();
    await publish(101, 200);
    await waitFor(async () => new Set(await payloads()).size >= 200, 20_000);

    // Assess
    const got = await payloads();
    expect(beforeRestart).toBeLessThan(100); // the restart came mid-stream
    expect(new Set(got)).toEqual(new Set(sent));
    expect(got.length - 200).toBeLessThanOrEqual(100 - beforeRestart); // duplicates only of messages not acknowledged before the restart
    expect(run.metrics.errors).toBeGreaterThan(0);
    expect(run.log.find('MQTT connection lost')).not.toHaveLength(0);
  });

  it('should receive what was published while it was stopped, at its next start (persistent session, stable client id)', async () => {
    // Prepare
    start(config(broker.url, '  topic: later\n'));
    await broker.subscribed('connector-sensors', 'later');
    running!.controller.abort();
    await running!.done;
    const publisher = await broker.publisher();
    for (const value of ['x1', 'x2', 'x3']) await publisher.publishAsync('later', value, { qos: 1 });

    // Act
    start(config(broker.url, '  topic: later\n'));
    await waitFor(async () => (await payloads()).length >= 3);

    // Assess
    expect(await payloads()).toEqual(['x1', 'x2', 'x3']);
  });

  it('should retry a broker that refuses connections, counting the failures, and connect once it is back', async () => {
    // Prepare
    await broker.stop();
    const run = start(config(broker.url, '  topic: back\n'));
    await waitFor(() => run.metrics.errors >= 2);

    // Act
    await broker.start();
    await broker.subscribed('connector-sensors', 'back');
    const publisher = await broker.publisher();
    await publisher.publishAsync('back', 'hello', { qos: 1 });
    await waitFor(async () => (await payloads()).length >= 1);

    // Assess
    expect(await payloads()).toEqual(['hello']);
    expect(run.log.find('MQTT connection failed')[0]?.fields.error).toMatch(/ECONNREFUSED/);
  });

  it('should connect with the credentials of the URL, and end with SOURCE_REFUSED when the broker refuses them for good', async () => {
    // Prepare
    await broker.close();
    broker = await startBroker({ credentials: { username: 'reader', password: 's3cr:t' } });
    const withCredentials = broker.url.replace('mqtt://', 'mqtt://reader:s3cr%3At@');

    // Act
    const good = start(config(withCredentials, '  topic: t\n'));
    await broker.subscribed('connector-sensors', 't');
    good.controller.abort();
    await good.done;
    const bad = start(config(broker.url.replace('mqtt://', 'mqtt://reader:wrong@'), '  topic: t\n'));

    // Assess
    await expect(bad.done).rejects.toMatchObject({ code: ErrorCode.SOURCE_REFUSED, message: expect.stringContaining('bad user name or password (CONNACK 4)') });
    expect(JSON.stringify(bad.log.entries)).not.toContain('wrong');
    expect(JSON.stringify(good.log.entries)).not.toContain('s3cr');
  });
});
