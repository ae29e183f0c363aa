import type { SourceDefinition } from '../../core';
import { MqttConfigSchema } from './schema';

export { type MqttConfig, MqttConfigSchema } from './schema';

/**
 * mqtt: Fluvio's MQTT source, both the seed's legacy `type: mqtt` (`parameters:` `mqtt-url`,
 * `mqtt-topic`, `timeout`, `qos`, `fluvio-topic`) and infinyon/mqtt-connector's `type: mqtt-source`
 * (section `mqtt:`). Continuous (one MQTT session per connection; deployed as a Fargate task).
 */
export const mqttSource: SourceDefinition<typeof MqttConfigSchema> = {
  type: 'mqtt',
  legacyTypes: ['mqtt-source'],
  direction: 'source',
  section: 'mqtt',
  schema: MqttConfigSchema,
  summary: 'Subscribes to an MQTT topic filter (QoS 0 or 1) and produces every message as a record.',
  needs: [],
  secretPlaceholders: { url: 'mqtt://secret.invalid/', mqtt_url: 'mqtt://secret.invalid/' },
  topicFields: ['fluvio_topic'],
  mode: () => ({ kind: 'continuous', finite: false }),
  load: async () => ({ createSource: (await import('./source')).createMqttSource }),
};
