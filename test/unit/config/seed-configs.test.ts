import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectorSpec, loadConnectorConfig, loadSecretValues } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import type { HttpSinkConfig } from '../../../lib/connectors/http-sink/schema';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import type { MqttConfig } from '../../../lib/connectors/mqtt/schema';

const CONFIGS = join(__dirname, '../../../configs');

function load(name: string): ConnectorSpec {
  return loadConnectorConfig(join(CONFIGS, name), { registry: defaultRegistry, secrets: loadSecretValues({ env: {} }) });
}

describe('configs/ (the original Fluvio seed configs, unchanged, and an http-sink)', () => {
  const files = readdirSync(CONFIGS).filter((name) => /\.ya?ml$/.test(name));

  it('should contain the five seed configs and the http-sink', () => {
    // Assess
    expect(files).toEqual(expect.arrayContaining(['cat-facts.yaml', 'mqtt.yaml', 'quotes-periodic.yaml', 'quotes-stream.yaml', 'quotes-webhook.yaml', 'test-connector.yaml']));
  });

  it.each(files)('should parse %s with the default registry', (name) => {
    // Act
    const spec = load(name);

    // Assess
    expect(spec.definition).toBe(defaultRegistry.get(spec.type));
    expect(spec.direction).toBe(name === 'quotes-webhook.yaml' ? 'sink' : 'source');
    expect(spec.transforms).toEqual([]);
  });

  it('should read quotes-periodic.yaml as a 0.2.0 http-source polling every 2000 ms', () => {
    // Act
    const spec = load('quotes-periodic.yaml');

    // Assess
    expect(spec).toMatchObject({ format: '0.2.0', name: 'quotes-periodic', type: 'http-source', version: '0.3.3', topic: { name: 'quotes', create: true } });
    expect((spec.config as HttpSourceConfig).interval).toBe(2000);
    expect((spec.config as HttpSourceConfig).endpoint).toBe('https://demo-data.infinyon.com/api/quote');
  });

  it('should read cat-facts.yaml (legacy `type: http`, `interval: 10`) as http-source every 10000 ms, creating its topic', () => {
    // Act
    const spec = load('cat-facts.yaml');

    // Assess
    expect(spec).toMatchObject({ format: 'legacy', name: 'cat-facts', type: 'http-source', version: 'v1', topic: { name: 'cat-facts', create: true } });
    expect((spec.config as HttpSourceConfig).interval).toBe(10_000);
  });

  it('should read quotes-stream.yaml as a streaming http-source split on blank lines', () => {
    // Act
    const spec = load('quotes-stream.yaml');

    // Assess
    expect((spec.config as HttpSourceConfig).stream).toBe(true);
    expect((spec.config as HttpSourceConfig).delimiter).toBe('\n\n');
    expect((spec.config as HttpSourceConfig).method).toBe('GET');
  });

  it('should read test-connector.yaml as a legacy test-connector with the default 1000 ms timeout', () => {
    // Act
    const spec = load('test-connector.yaml');

    // Assess
    expect(spec).toMatchObject({ format: 'legacy', name: 'my-test-connector', type: 'test-connector', version: 'latest', topic: { name: 'my-test-connector', create: true } });
    expect(spec.config).toEqual({ timeout: 1000, topic: 'my-test-connector' });
  });

  it('should read mqtt.yaml (the seed\'s legacy mqtt config) as an mqtt source of mqtt.hsl.fi:1883', () => {
    // Act
    const spec = load('mqtt.yaml');

    // Assess
    expect(spec).toMatchObject({ format: 'legacy', name: 'my-test-mqtt', type: 'mqtt', topic: { name: 'my-mqtt', create: true } });
    expect((spec.config as MqttConfig).broker).toEqual({ protocol: 'mqtt', host: 'mqtt.hsl.fi', port: 1883 });
    expect((spec.config as MqttConfig).filter).toBe('/hfp/v2/journey/#');
  });

  it('should read quotes-webhook.yaml as an http-sink of the quotes topic', () => {
    // Act
    const spec = load('quotes-webhook.yaml');

    // Assess
    expect(spec).toMatchObject({ format: '0.2.0', name: 'quotes-webhook', type: 'http-sink', direction: 'sink', topic: { name: 'quotes', create: true } });
    expect((spec.config as HttpSinkConfig).headers).toEqual([['Content-Type', 'application/json']]);
  });
});
