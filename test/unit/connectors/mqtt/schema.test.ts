import { parseConnectorConfig, ConfigError } from '../../../../lib/config';
import { defaultRegistry, mqttSource } from '../../../../lib/connectors';
import type { MqttConfig } from '../../../../lib/connectors/mqtt/schema';
import { createFormatter } from '../../../../lib/connectors/mqtt/formatter';
import { parseBrokerUrl, topicFilterProblem } from '../../../../lib/connectors/mqtt/url';
import { defaultClientId } from '../../../../lib/connectors/mqtt/source';

const SEED = `version: latest
name: my-test-mqtt
type: mqtt
direction: source
topic: my-mqtt
create_topic: true
parameters:
  mqtt-url: "mqtt.hsl.fi"
  mqtt-topic: "/hfp/v2/journey/#"
  fluvio-topic: my-mqtt
`;

const current = (mqtt: string): string => `apiVersion: 0.2.0
meta:
  version: 0.3.0
  name: my-mqtt-connector
  type: mqtt-source
  topic: mqtt-topic
  secrets:
    - name: MQTT_URL
mqtt:
${mqtt}`;

function parse(text: string, secrets: Record<string, string> = {}) {
  return parseConnectorConfig(text, { file: 'mqtt.yaml', registry: defaultRegistry, secrets: { lookup: (name) => secrets[name], describe: 'the test' } });
}

function issuesOf(text: string) {
  try {
    parse(text);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues;
    throw err;
  }
  throw new Error('expected a config error');
}

describe('connectors/mqtt: config', () => {
  it('should read the seed\'s legacy config: a bare host as mqtt://host:1883, the topic filter, defaults', () => {
    // Act
    const spec = parse(SEED);

    // Assess
    expect(spec).toMatchObject({ type: 'mqtt', definition: mqttSource, topic: { name: 'my-mqtt', create: true } });
    expect(spec.config).toEqual({
      broker: { protocol: 'mqtt', host: 'mqtt.hsl.fi', port: 1883 },
      filter: '/hfp/v2/journey/#',
      fluvio_topic: 'my-mqtt',
      qos: 1,
      timeout: 60_000,
      connect_timeout: 30_000,
      payload_output_type: 'binary',
      backoff_min: 200,
      backoff_max: 30_000,
    } satisfies MqttConfig);
  });

  it('should read legacy `timeout` as whole seconds and `qos` written as a string', () => {
    // Act
    const spec = parse(`${SEED}  timeout: 30\n  qos: "0"\n`);

    // Assess
    expect(spec.config).toMatchObject({ timeout: 30_000, qos: 0 });
  });

  it('should read the current mqtt-connector section: url with credentials from a secret, client_id, {secs, nanos} timeout, json payloads', () => {
    // Act
    const spec = parse(
      current('  url: "${{ secrets.MQTT_URL }}"\n  topic: "sensors/+/temp"\n  client_id: "my_mqtt"\n  timeout:\n    secs: 30\n    nanos: 500000000\n  payload_output_type: json\n'),
      { MQTT_URL: 'mqtts://user:p%40ss@broker.example.com/?client_id=from-url' },
    );

    // Assess
    expect(spec.type).toBe('mqtt');
    expect(spec.config).toMatchObject({
      broker: { protocol: 'mqtts', host: 'broker.example.com', port: 8883, username: 'user', password: 'p@ss', clientId: 'from-url' },
      filter: 'sensors/+/temp',
      client_id: 'my_mqtt',
      timeout: 30_500,
      payload_output_type: 'json',
    });
  });

  it('should refuse a legacy fluvio-topic that is not the config\'s topic, at its line', () => {
    // Act
    const issues = issuesOf(SEED.replace('fluvio-topic: my-mqtt', 'fluvio-topic: other'));

    // Assess
    expect(issues[0]).toMatchObject({ code: 'CONFIG_INVALID_VALUE', path: 'parameters.fluvio-topic', line: 10, value: 'other' });
    expect(issues[0]!.message).toContain('expected the config\'s topic "my-mqtt"');
  });

  it.each([
    ['http://broker.example.com', 'unsupported scheme "http://"'],
    ['ws://broker.example.com', 'MQTT over WebSocket is not supported'],
    ['mqtt://', 'expected an mqtt:// or mqtts:// URL'],
    ['mqtt://broker:99999', 'expected an mqtt:// or mqtts:// URL'],
    ['mqtt://broker/some/path', 'unexpected path "/some/path"'],
    ['not a url', 'expected an mqtt:// or mqtts:// URL'],
  ])('should refuse the broker URL %j with a located error', (url, message) => {
    // Act
    const issues = issuesOf(current(`  url: "${url}"\n  topic: t\n`));

    // Assess
    expect(issues[0]).toMatchObject({ code: 'CONFIG_INVALID_VALUE', path: 'mqtt.url', line: 10, column: 8 });
    expect(issues[0]!.message).toContain(message);
  });

  it.each([
    ['a/#/b', 'multi-level wildcard'],
    ['a/b#', 'multi-level wildcard'],
    ['a/b+/c', 'single-level wildcard'],
    ['', 'expected a topic filter'],
  ])('should refuse the topic filter %j', (filter, message) => {
    // Act
    const issues = issuesOf(current(`  url: mqtt://broker\n  topic: "${filter}"\n`));

    // Assess
    expect(issues[0]).toMatchObject({ code: 'CONFIG_INVALID_VALUE', path: 'mqtt.topic', line: 11 });
    expect(issues[0]!.message).toContain(message);
  });

  it('should refuse QoS 2 and say why', () => {
    // Act
    const issues = issuesOf(current('  url: mqtt://broker\n  topic: t\n  qos: 2\n'));

    // Assess
    expect(issues[0]).toMatchObject({ path: 'mqtt.qos', line: 12 });
    expect(issues[0]!.message).toContain('QoS 2 is not supported');
  });

  it('should name a missing url and topic, and refuse a field given under both of its names', () => {
    // Act
    const missing = issuesOf(current('  qos: 1\n'));
    const twice = issuesOf(current('  url: mqtt://a\n  mqtt_url: mqtt://b\n  topic: t\n'));

    // Assess
    expect(missing.map((issue) => [issue.code, issue.path])).toEqual([
      ['CONFIG_MISSING_FIELD', 'mqtt.url'],
      ['CONFIG_MISSING_FIELD', 'mqtt.topic'],
    ]);
    expect(missing[0]!.message).toContain('the broker URL (`url`; legacy `mqtt-url`)');
    expect(twice[0]).toMatchObject({ path: 'mqtt.mqtt_url', line: 11 });
  });

  it('should check a whole-value secret URL with its placeholder when secrets are deferred (serverless package)', () => {
    // Act
    const spec = parseConnectorConfig(current('  url: "${{ secrets.MQTT_URL }}"\n  topic: t\n'), { file: 'mqtt.yaml', registry: defaultRegistry, deferSecrets: true });

    // Assess
    expect(spec.config).toMatchObject({ broker: { host: 'secret.invalid' } });
  });
});

describe('connectors/mqtt: url and topic filter', () => {
  it.each([
    ['mqtt://h', { protocol: 'mqtt', host: 'h', port: 1883 }],
    ['tcp://h:1884', { protocol: 'mqtt', host: 'h', port: 1884 }],
    ['ssl://h', { protocol: 'mqtts', host: 'h', port: 8883 }],
    ['mqtts://[::1]:9000', { protocol: 'mqtts', host: '::1', port: 9000 }],
    ['h:2000', { protocol: 'mqtt', host: 'h', port: 2000 }],
  ])('should parse %s', (url, expected) => {
    expect(parseBrokerUrl(url)).toEqual(expected);
  });

  it.each(['#', '+', 'a/+/c', '/hfp/v2/journey/#', 'a//b', 'sport/tennis/+/#'])('should accept the filter %s', (filter) => {
    expect(topicFilterProblem(filter)).toBeUndefined();
  });

  it('should derive a stable client id of at most 23 characters from the connector name', () => {
    expect(defaultClientId('sensors')).toBe('connector-sensors');
    const long = defaultClientId('a-very-long-connector-name-for-sensors');
    expect(long).toHaveLength(23);
    expect(long).toBe(defaultClientId('a-very-long-connector-name-for-sensors'));
    expect(long).not.toBe(defaultClientId('a-very-long-connector-name-for-sensorz'));
  });
});

describe('connectors/mqtt: record shape (Fluvio mqtt-connector formatter.rs)', () => {
  it('should write a binary payload as a JSON array of its bytes, byte for byte', () => {
    // Act
    const value = createFormatter('binary')('sensors/1', Buffer.from([0, 104, 255]));

    // Assess
    expect(value).toBe('{"mqtt_topic":"sensors/1","payload":[0,104,255]}');
    expect(Buffer.from(JSON.parse(value!).payload)).toEqual(Buffer.from([0, 104, 255]));
  });

  it('should write a JSON payload parsed, and refuse one that is not JSON', () => {
    // Act
    const format = createFormatter('json');

    // Assess
    expect(format('t', Buffer.from('{"device":{"id":17}}'))).toBe('{"mqtt_topic":"t","payload":{"device":{"id":17}}}');
    expect(format('t', Buffer.from('not json'))).toBeUndefined();
  });
});
