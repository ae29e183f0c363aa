import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { configJsonSchema, generatedConfigSchemas } from '../../../lib/config/json-schema';
import { createRegistry, defaultRegistry, testConnector } from '../../../lib/connectors';
import { inputJsonSchema } from '../../../lib/schema/json-schema';
import { anyCasePattern, noteJsonSchema } from '../../../lib/schema/json-schema-notes';

const ROOT = join(__dirname, '../../..');

describe('config/json-schema', () => {
  it.each(Object.keys(generatedConfigSchemas(defaultRegistry)))('should keep %s in sync with the zod schemas (run `npm run docs`)', (file) => {
    // Prepare
    const expected = generatedConfigSchemas(defaultRegistry)[file];

    // Act
    const written = existsSync(join(ROOT, file)) ? readFileSync(join(ROOT, file), 'utf8') : '(missing)';

    // Assess
    expect(written).toBe(expected);
  });

  it('should write one schema per registered connector type and one that dispatches on the type', () => {
    // Act
    const files = Object.keys(generatedConfigSchemas(defaultRegistry)).sort();

    // Assess
    expect(files).toEqual(['schema/connector.schema.json', ...defaultRegistry.definitions.map((def) => `schema/${def.type}.schema.json`)].sort());
  });

  it('should generate from the registry it is given, so a new connector appears without other edits', () => {
    // Prepare
    const only = createRegistry([testConnector]);

    // Act
    const schema = configJsonSchema(only) as { $defs: Record<string, unknown>; allOf: unknown[] };

    // Assess
    expect(Object.keys(schema.$defs)).toEqual(['test-connector']);
    expect(JSON.stringify(schema)).not.toContain('http-source');
  });

  it('should point each seed config at the schema of its type (yaml-language-server modeline on the first line)', () => {
    // Prepare
    const configs = readdirSync(join(ROOT, 'configs')).filter((name) => name.endsWith('.yaml'));

    // Act
    const modelines = configs.map((name) => readFileSync(join(ROOT, 'configs', name), 'utf8').split('\n')[0]);

    // Assess
    expect(configs.length).toBeGreaterThanOrEqual(4);
    for (const line of modelines) {
      const file = /^# yaml-language-server: \$schema=\.\.\/(schema\/[a-z-]+\.schema\.json)$/.exec(line ?? '')?.[1];
      expect(file).toBeDefined();
      expect(existsSync(join(ROOT, file!))).toBe(true);
    }
  });

  it('should refuse an unknown connector type', () => {
    // Act
    const outcome = () => configJsonSchema(defaultRegistry, { type: 'mqtt-sorce' });

    // Assess
    expect(outcome).toThrow('unknown connector type "mqtt-sorce"');
  });
});

describe('schema/json-schema (input side, with notes)', () => {
  it('should document kebab-case spellings of section keys, refusing two spellings of one field', () => {
    // Prepare: the http section as the config model reads it
    const section = defaultRegistry.get('http-source')!;

    // Act
    const json = configJsonSchema(defaultRegistry, { type: section.type }) as { anyOf: Array<{ properties: { http: { anyOf?: unknown; properties?: Record<string, unknown>; dependentSchemas?: Record<string, unknown> } } }> };
    const http = json.anyOf[0]!.properties.http;

    // Assess
    expect(http.properties?.['user-agent']).toEqual(http.properties?.user_agent);
    expect(http.dependentSchemas?.['user-agent']).toEqual({ not: { required: ['user_agent'] } });
  });

  it('should refuse a regex with flags, which a JSON Schema pattern cannot carry', () => {
    // Prepare
    const schema = z.object({ code: z.string().regex(/^[a-z]+$/i) });

    // Act
    const outcome = () => inputJsonSchema(schema);

    // Assess
    expect(outcome).toThrow('has flags');
  });

  it('should replace, or add to, what zod emits as a note says', () => {
    // Prepare
    const schema = z.object({
      version: noteJsonSchema(z.string(), { kind: 'also', schema: { type: 'number' } }),
      anything: noteJsonSchema(z.unknown().transform(String), { kind: 'instead', schema: { type: 'string' } }),
      count: z.coerce.number().int(),
    });

    // Act
    const json = inputJsonSchema(schema) as { properties: Record<string, unknown> };

    // Assess
    expect(json.properties.version).toEqual({ type: ['string', 'number'] });
    expect(json.properties.anything).toEqual({ type: 'string' });
    expect(json.properties.count).toMatchObject({ anyOf: [expect.objectContaining({ type: 'integer' }), expect.objectContaining({ type: 'string' })] });
  });

  it('should match words in any letter case with anyCasePattern', () => {
    // Act
    const pattern = new RegExp(anyCasePattern(['Lz4', 'Gzip']), 'u');

    // Assess
    expect(['lz4', 'LZ4', 'Lz4', 'gZiP'].every((word) => pattern.test(word))).toBe(true);
    expect(['lz5', 'gzipx', 'x-lz4'].some((word) => pattern.test(word))).toBe(false);
  });
});
