import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openLocalTopicStore } from '../../lib/topics/local';
import { requireBuild, startConnector, tempDir } from '../support/cli';
import { startBroker, type TestBroker } from '../support/mqtt-broker';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

/** The mqtt connector as `connector run` child processes against a real broker (aedes) in the test process. */
describe('mqtt end to end (child processes)', () => {
  let broker: TestBroker;
  let tmp: ReturnType<typeof tempDir>;
  const children: Array<{ kill(signal?: NodeJS.Signals): boolean }> = [];

  beforeAll(() => requireBuild());
  beforeEach(async () => {
    broker = await startBroker();
    tmp = tempDir('mqtt-e2e-');
  });
  afterEach(async () => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
    await broker.close();
    tmp.cleanup();
  });

  const payloads = async (): Promise<string[]> => {
    const store = openLocalTopicStore({ dataDir: join(tmp.dir, 'data') });
    try {
      if (!(await store.topicExists('my-mqtt'))) return [];
      return (await store.consumer('my-mqtt').fetch(0, 100_000)).map((r) => Buffer.from((JSON.parse(r.value.toString()) as { payload: number[] }).payload).toString());
    } finally {
      await store.close();
    }
  };

  it('should lose no QoS 1 message when the connector is killed (kill -9) mid-stream and started again', async () => {
    // Prepare: the seed's legacy config, pointed at the test broker
    const config = join(tmp.dir, 'mqtt.yaml');
    writeFileSync(
      config,
      `version: latest\nname: my-test-mqtt\ntype: mqtt\ndirection: source\ntopic: my-mqtt\ncreate_topic: true\nparameters:\n  mqtt-url: "127.0.0.1:${broker.port}"\n  mqtt-topic: "/hfp/v2/journey/#"\n  fluvio-topic: my-mqtt\n  backoff-min: 20ms\n`,
    );
    const run = (): ReturnType<typeof startConnector> => {
      const started = startConnector(join(tmp.dir, 'data'), ['run', '--config', config]);
      children.push(started.child);
      return started;
    };
    const first = run();
    await broker.subscribed('connector-my-test-mqtt', '/hfp/v2/journey/#');
    const publisher = await broker.publisher();
    const sent: string[] = [];
    let publishing = true;
    const publishAll = (async () => {
      for (let i = 1; i <= 400; i++) {
        await publisher.publishAsync(`/hfp/v2/journey/ongoing/vp/bus/${i % 7}`, `m${i}`, { qos: 1 });
        sent.push(`m${i}`);
      }
      publishing = false;
    })();

    // Act: kill the connector while messages arrive, start it again while they still do
    await waitFor(async () => (await payloads()).length >= 50, 20_000);
    first.child.kill('SIGKILL');
    await first.exit;
    const beforeRestart = (await payloads()).length;
    run();
    await publishAll;
    await waitFor(async () => new Set(await payloads()).size >= 400, 30_000);

    // Assess
    expect(publishing).toBe(false);
    expect(beforeRestart).toBeLessThan(400); // killed mid-stream
    expect(new Set(await payloads())).toEqual(new Set(sent));
  });
});
