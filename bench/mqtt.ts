import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { connect, connectAsync } from 'mqtt';
import { parseConnectorConfig } from '../lib/config';
import { defaultRegistry } from '../lib/connectors';
import { createMetrics, silentLogger } from '../lib/core';
import { runConnector } from '../lib/runtime';
import { openLocalTopicStore } from '../lib/topics/local';
import { median, startChild, until } from './child';
import type { BenchResult } from './result';

/** Payload size of the messages, bytes (a small JSON reading). */
const PAYLOAD_BYTES = 100;

/**
 * MQTT ingest: how fast the mqtt connector takes `messages` messages that wait for it in its
 * persistent session on a broker (aedes, own process) into the local topic, against a bare MQTT.js
 * subscriber (persistent session too, same QoS, counting `message` events) draining the same
 * number of messages from the same broker. Each side's session is created, then `messages`
 * messages are published while it is away, then the clock runs from its connection to the last
 * message (so the figure is the client's rate, not the publisher's). QoS 1 only: a broker keeps no
 * QoS 0 message for an absent client, so QoS 0 cannot be queued up this way. Each figure is the
 * median of `rounds`. Target: ratio ≥ 0.5 (each message is acknowledged only after its record is
 * committed to the topic).
 */
export async function benchMqtt(options: { messages?: number; rounds?: number } = {}): Promise<BenchResult[]> {
  const messages = options.messages ?? Number(process.env.BENCH_MQTT_MESSAGES ?? 10_000);
  const rounds = options.rounds ?? 3;
  const { port, child } = await startChild('mqtt-broker');
  const url = `mqtt://127.0.0.1:${port}`;
  const payload = (i: number): string => JSON.stringify({ n: i, pad: 'x'.repeat(PAYLOAD_BYTES - 20 - String(i).length) });
  let session = 0;
  try {
    const publisher = await connectAsync(url, { protocolVersion: 4 });
    /** Creates a persistent session subscribed to its own topic, then publishes `messages` to it while it is away. */
    const prepare = async (clientId: string, topic: string, qos: 0 | 1): Promise<void> => {
      const client = await connectAsync(url, { clientId, clean: false, protocolVersion: 4 });
      await client.subscribeAsync(topic, { qos });
      await client.endAsync();
      for (let from = 0; from < messages; from += 500) {
        await Promise.all(Array.from({ length: Math.min(500, messages - from) }, (_, i) => publisher.publishAsync(topic, payload(from + i), { qos: 1 })));
      }
    };
    const bare = async (qos: 0 | 1): Promise<number> => {
      const clientId = `bare-${++session}`;
      const topic = `bench/${clientId}`;
      await prepare(clientId, topic, qos);
      let got = 0;
      const t0 = performance.now();
      const client = connect(url, { clientId, clean: false, protocolVersion: 4 });
      client.on('message', () => got++);
      await until(() => got >= messages);
      const ms = performance.now() - t0;
      await client.endAsync();
      return ms;
    };
    const connector = async (qos: 0 | 1): Promise<number> => {
      const clientId = `conn-${++session}`;
      const topic = `bench/${clientId}`;
      await prepare(clientId, topic, qos);
      const dir = mkdtempSync(join(tmpdir(), 'bench-mqtt-'));
      const store = openLocalTopicStore({ dataDir: dir });
      try {
        const spec = parseConnectorConfig(
          `apiVersion: 0.2.0\nmeta:\n  version: 0.3.0\n  name: bench-mqtt\n  type: mqtt-source\n  topic: readings\nmqtt:\n  url: ${url}\n  topic: ${topic}\n  client_id: ${clientId}\n  qos: ${qos}\n  payload_output_type: json\n`,
          { file: 'bench-mqtt.yaml', registry: defaultRegistry },
        );
        const controller = new AbortController();
        const metrics = createMetrics();
        const t0 = performance.now();
        const run = runConnector({ spec, topics: store, signal: controller.signal, metrics, deps: { log: silentLogger } });
        await until(() => metrics.records >= messages);
        const ms = performance.now() - t0;
        controller.abort();
        await run;
        return ms;
      } finally {
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const results: BenchResult[] = [];
    for (const qos of [1] as const) {
      await bare(qos); // warm-up
      await connector(qos);
      const b: number[] = [];
      const c: number[] = [];
      for (let i = 0; i < rounds; i++) {
        b.push(await bare(qos));
        c.push(await connector(qos));
      }
      const rate = (ms: number[]): number => messages / (median(ms) / 1000);
      results.push({
        name: `MQTT ingest, QoS ${qos} (${messages.toLocaleString('en-US')} queued messages of ${PAYLOAD_BYTES} B JSON → records in the local topic)`,
        value: rate(c),
        unit: 'messages/s',
        baseline: { name: 'bare MQTT.js subscriber, same broker and session', value: rate(b) },
        ratio: rate(c) / rate(b),
        target: 'ratio ≥ 0.5',
      });
    }
    await publisher.endAsync();
    return results;
  } finally {
    child.kill('SIGTERM');
  }
}
