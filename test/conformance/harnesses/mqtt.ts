import type { MqttClient } from 'mqtt';
import { startBroker } from '../../support/mqtt-broker';
import { CONFORMANCE_TOPIC, type SourceEndpoint, type SourceHarness } from '../harness';

const NAME = 'conformance-mqtt';
const FILTER = 'conformance/+/data';

const config = (url: string, mqtt: string): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: ${NAME}
  type: mqtt-source
  topic: ${CONFORMANCE_TOPIC}
mqtt:
  url: ${url}
  topic: "${FILTER}"
  payload_output_type: json
  client_id: ${NAME}
  backoff_min: 10ms
  backoff_max: 50ms
${mqtt}`;

/** The record of message N (its payload `"record-N"` as JSON, published to `conformance/d/data`). */
const recordOf = (n: number): string => `{"mqtt_topic":"conformance/d/data","payload":"record-${n}"}`;

/**
 * An aedes broker and a publisher sending `"record-N"` every 10 ms at `qos`, from the moment the
 * connector's subscription exists; dropping stops the broker (connections closed, refused), and
 * recovering starts it again with its sessions.
 */
function variant(qos: 0 | 1) {
  return async (): Promise<SourceEndpoint> => {
    const broker = await startBroker();
    let next = 1;
    let closed = false;
    let publisher: MqttClient | undefined;
    const loop = (async () => {
      await broker.subscribed(NAME, FILTER, 30_000).catch(() => undefined);
      while (!closed) {
        try {
          if (publisher && !publisher.connected) throw new Error('connection closed');
          publisher ??= await broker.publisher();
          const current = publisher;
          // A publish whose connection breaks never settles (MQTT.js keeps it for a reconnect this client will not make).
          let onClose: (() => void) | undefined;
          try {
            await Promise.race([
              current.publishAsync('conformance/d/data', JSON.stringify(`record-${next}`), { qos }),
              new Promise((_, reject) => current.once('close', (onClose = () => reject(new Error('connection closed'))))),
            ]);
          } finally {
            // One listener per publish would pile up on the client (MaxListenersExceededWarning).
            if (onClose) current.off('close', onClose);
          }
          next++;
        } catch {
          // the broker is down: try again with a new client
          await publisher?.endAsync(true).catch(() => undefined);
          publisher = undefined;
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    return {
      config: config(broker.url, `  qos: ${qos}\n`),
      expected: (n) => Array.from({ length: n }, (_, i) => recordOf(i + 1)),
      drop: () => broker.stop(),
      recover: () => broker.start(),
      close: async () => {
        closed = true;
        await loop;
        await publisher?.endAsync(true).catch(() => undefined);
        await broker.close();
      },
    };
  };
}

/** mqtt against an in-process aedes broker, at QoS 1 (the default) and QoS 0. */
export const mqttHarness: SourceHarness = {
  type: 'mqtt',
  direction: 'source',
  variants: [
    { name: 'QoS 1', canDrop: true, start: variant(1) },
    { name: 'QoS 0', canDrop: true, start: variant(0) },
  ],
  badConfig: { text: config('http://broker.example.com', ''), code: 'CONFIG_INVALID_VALUE', path: 'mqtt.url', line: 8 },
};
