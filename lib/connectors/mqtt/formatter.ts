import type { MqttConfig } from './schema';

/**
 * Turns one MQTT message into a record value, as Fluvio's mqtt connector does
 * (infinyon/mqtt-connector `src/formatter.rs`):
 * - `binary`: `{"mqtt_topic":"<topic>","payload":[104,105]}` (the payload as an array of bytes);
 * - `json`: `{"mqtt_topic":"<topic>","payload":<the payload parsed as JSON>}`.
 *
 * @returns the record value, or `undefined` when a `json` payload is not JSON (Fluvio drops it
 *   silently; the source counts and logs it).
 */
export type MessageFormatter = (topic: string, payload: Buffer) => string | undefined;

/** The formatter of `payload_output_type`. */
export function createFormatter(type: MqttConfig['payload_output_type']): MessageFormatter {
  if (type === 'json') {
    return (topic, payload) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(payload.toString('utf8'));
      } catch {
        return undefined;
      }
      return JSON.stringify({ mqtt_topic: topic, payload: parsed });
    };
  }
  return (topic, payload) => `{"mqtt_topic":${JSON.stringify(topic)},"payload":[${payload.join(',')}]}`;
}
