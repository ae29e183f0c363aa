import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ConnectorSpec, loadConnectorConfig, loadSecretValues } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';

const CONFIGS = join(__dirname, '../../../configs');

function load(name: string): ConnectorSpec {
  return loadConnectorConfig(join(CONFIGS, name), { registry: defaultRegistry, secrets: loadSecretValues({ env: {} }) });
}

describe('configs/ (the original Fluvio seed configs, unchanged)', () => {
  const files = readdirSync(CONFIGS).filter((name) => /\.ya?ml$/.test(name));

  it('should contain the four seed configs', () => {
    // Assess
    expect(files).toEqual(expect.arrayContaining(['cat-facts.yaml', 'quotes-periodic.yaml', 'quotes-stream.yaml', 'test-connector.yaml']));
  });

  it.each(files)('should parse %s with the default registry', (name) => {
    // Act
    const spec = load(name);

    // Assess
    expect(spec.definition).toBe(defaultRegistry.get(spec.type));
    expect(spec.direction).toBe('source');
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
});
