import { z } from 'zod';
import { durationSchema } from '../../schema/duration';
import { wholeNumber } from '../../schema/fields';
import { type BrokerAddress, parseBrokerUrl, topicFilterProblem } from './url';

/** A broker URL field: checked and parsed at load, so a bad URL is a located config error. */
const BrokerUrlSchema = z.string({ error: 'expected an mqtt:// or mqtts:// URL' }).transform((text, ctx): BrokerAddress => {
  const parsed = parseBrokerUrl(text);
  if ('error' in parsed) {
    ctx.addIssue({ code: 'custom', input: text, message: parsed.error });
    return z.NEVER;
  }
  return parsed;
});

/** A topic filter field (wildcards `+` and `#` allowed, MQTT 3.1.1 rules). */
const TopicFilterSchema = z.string({ error: 'expected an MQTT topic filter' }).superRefine((filter, ctx) => {
  const problem = topicFilterProblem(filter);
  if (problem) ctx.addIssue({ code: 'custom', input: filter, message: problem });
});

/**
 * A duration as Fluvio's mqtt connectors wrote it: a humantime string (`30s`), a whole number of
 * seconds (the legacy connector's `timeout: 60`), or serde's `{secs, nanos}` (the current one's).
 * Output: milliseconds.
 */
const FluvioDurationSchema = z.union([
  durationSchema(),
  wholeNumber(1, 'seconds').transform((secs) => secs * 1000),
  z
    .strictObject({ secs: wholeNumber(0, 'seconds'), nanos: wholeNumber(0, 'nanoseconds').max(999_999_999).default(0) })
    .transform(({ secs, nanos }) => secs * 1000 + Math.round(nanos / 1e6)),
]);

/** The connector-owned `missing` issue for one of two alternative fields. */
function missing(ctx: z.RefinementCtx, field: string, alias: string, what: string): void {
  ctx.addIssue({
    code: 'custom',
    path: [field],
    input: undefined,
    message: `missing required field: ${what} (\`${field}\`; legacy \`${alias.replace(/_/g, '-')}\`)`,
    params: { code: 'CONFIG_MISSING_FIELD', target: 'parent', raw: true },
  });
}

/** Two fields naming the same thing. */
function duplicate(ctx: z.RefinementCtx, field: string, alias: string): void {
  ctx.addIssue({
    code: 'custom',
    path: [alias],
    input: undefined,
    message: `duplicate field: "${field}" and "${alias}" are the same field, keep one`,
    params: { target: 'key', raw: true },
  });
}

/**
 * The `mqtt:` section of an mqtt config (infinyon/mqtt-connector `src/config.rs`), also read as the
 * legacy `parameters:` of Fluvio's seed `type: mqtt` connector (`mqtt-url`, `mqtt-topic`,
 * `timeout`, `qos`, `fluvio-topic`). Fields marked "ours" are additions.
 *
 * @example
 * ```yaml
 * mqtt:
 *   url: "mqtts://${{ secrets.MQTT_USER }}:${{ secrets.MQTT_PASSWORD }}@broker.example.com"
 *   topic: "sensors/+/temperature"
 *   qos: 1
 *   payload_output_type: json
 * ```
 */
export const MqttConfigSchema = z
  .strictObject({
    url: BrokerUrlSchema.optional().describe(
      'Broker URL: `mqtt://host[:port]` (1883), `mqtts://host[:port]` for TLS (8883), credentials as `mqtt://user:password@host` (write them as `${{ secrets.NAME }}`), `?client_id=ID` optional. A bare host is read as `mqtt://host:1883`. Required (legacy: `mqtt-url`).',
    ),
    mqtt_url: BrokerUrlSchema.optional().describe('Legacy name of `url` (Fluvio\'s seed config: `mqtt-url: "mqtt.hsl.fi"`).'),
    topic: TopicFilterSchema.optional().describe('MQTT topic filter to subscribe to; wildcards `+` (one level) and `#` (the rest) allowed. Required (legacy: `mqtt-topic`).'),
    mqtt_topic: TopicFilterSchema.optional().describe('Legacy name of `topic`.'),
    fluvio_topic: z
      .string()
      .optional()
      .describe('Legacy: the topic records go to, as Fluvio\'s legacy runner passed it; accepted when it names the config\'s `topic`, refused otherwise.'),
    qos: z
      .number({ error: 'expected a QoS level: 0 or 1' })
      .int('expected a QoS level: 0 or 1')
      .min(0, 'expected a QoS level: 0 or 1')
      .max(1, 'expected a QoS level: 0 or 1 (QoS 2 is not supported: MQTT.js would complete it before the record is written)')
      .default(1)
      .describe('Ours (Fluvio subscribes at 0). `1`: at-least-once, each message is acknowledged to the broker only after its record is in the topic; `0`: at-most-once.'),
    client_id: z
      .string()
      .min(1)
      .max(65_535)
      .optional()
      .describe('MQTT client id. Default: `connector-<name>` (cut to 23 characters with a hash), stable across restarts so the broker keeps the session (Fluvio: a random UUID per start).'),
    timeout: FluvioDurationSchema.prefault('60s').describe(
      'Keep-alive interval, as Fluvio uses `timeout` (humantime such as `30s`, legacy whole seconds such as `60`, or `{secs: 60, nanos: 0}`).',
    ),
    connect_timeout: durationSchema().prefault('30s').describe('Ours. Limit for connecting to the broker and receiving its CONNACK; a failed attempt is retried with backoff.'),
    payload_output_type: z
      .enum(['binary', 'json'])
      .default('binary')
      .describe('`binary`: the payload as a JSON array of bytes; `json`: the payload parsed as JSON (a message that is not JSON is counted as dropped and logged).'),
    backoff_min: durationSchema().prefault('200ms').describe('Ours. First reconnect delay; grows exponentially with jitter.'),
    backoff_max: durationSchema().prefault('30s').describe('Ours. Cap of the reconnect delay.'),
  })
  .superRefine((config, ctx) => {
    if (config.url === undefined && config.mqtt_url === undefined) missing(ctx, 'url', 'mqtt_url', 'the broker URL');
    if (config.url !== undefined && config.mqtt_url !== undefined) duplicate(ctx, 'url', 'mqtt_url');
    if (config.topic === undefined && config.mqtt_topic === undefined) missing(ctx, 'topic', 'mqtt_topic', 'the MQTT topic filter');
    if (config.topic !== undefined && config.mqtt_topic !== undefined) duplicate(ctx, 'topic', 'mqtt_topic');
  })
  .transform(({ url, mqtt_url, topic, mqtt_topic, ...rest }) => ({ ...rest, broker: (url ?? mqtt_url) as BrokerAddress, filter: (topic ?? mqtt_topic) as string }))
  .describe('mqtt: subscribes to an MQTT topic filter and produces every message as a record.');

/** Validated mqtt config: `broker` (parsed URL) and `filter` whichever field named them; durations in ms. */
export type MqttConfig = z.output<typeof MqttConfigSchema>;
