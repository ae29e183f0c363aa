import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createRegistry, defaultRegistry, httpSink, httpSource, mqttSource, testConnector } from '../../../lib/connectors';
import { withOptionsTable } from '../../../lib/connectors/docs';

const connectorsDir = join(__dirname, '../../../lib/connectors');
const folders = readdirSync(connectorsDir).filter((f) => statSync(join(connectorsDir, f)).isDirectory());

describe('connectors/registry', () => {
  it('should register every connector folder under lib/connectors', () => {
    expect(defaultRegistry.definitions.map((d) => d.type).sort()).toEqual([...folders].sort());
  });

  it('should resolve canonical and legacy type names', () => {
    expect(defaultRegistry.get('http-source')).toBe(httpSource);
    expect(defaultRegistry.get('http')).toBe(httpSource);
    expect(defaultRegistry.get('test-connector')).toBe(testConnector);
    expect(defaultRegistry.get('mqtt')).toBe(mqttSource);
    expect(defaultRegistry.get('mqtt-source')).toBe(mqttSource);
    expect(defaultRegistry.get('http-sink')).toBe(httpSink);
    expect(defaultRegistry.get('kafka')).toBeUndefined();
    expect(defaultRegistry.typeNames).toEqual(expect.arrayContaining(['http-source', 'http', 'http-sink', 'mqtt', 'mqtt-source', 'test-connector']));
  });

  it('should build small isolated registries and reject duplicate type names', () => {
    expect(createRegistry([testConnector]).get('http')).toBeUndefined();
    expect(() => createRegistry([httpSource, httpSource])).toThrow('registered twice');
  });

  it.each(folders)('should keep the options table of %s/README.md in sync with its schema (run `npm run docs`)', (folder) => {
    const definition = defaultRegistry.get(folder)!;
    const readme = readFileSync(join(connectorsDir, folder, 'README.md'), 'utf8');
    expect(withOptionsTable(readme, definition)).toBe(readme);
  });

  it('should keep the http-source options table of the top-level README in sync (run `npm run docs`)', () => {
    const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');
    expect(readme).toContain('| `interval` |');
    expect(withOptionsTable(readme, httpSource)).toBe(readme);
  });
});
