import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { defaultRegistry } from '../../lib/connectors';
import { connector, requireBuild, tempDir } from '../support/cli';

const ROOT = join(__dirname, '../..');
const FIXTURES = join(ROOT, 'test/fixtures/configs');

/**
 * Error fixtures the JSON Schema cannot reject: value rules and cross-field rules that only
 * `connector validate` checks. Every other error-*.yaml must be rejected by the JSON Schema; a new
 * fixture has to be put in one list or the other (a test checks that).
 */
const BEYOND_JSON_SCHEMA: Record<string, string> = {
  'error-bad-url.yaml': 'the URL scheme (http/https) is checked by zod, JSON Schema only says `format: uri`',
  'error-consumer-without-id.yaml': 'a cross-field rule (an offset strategy needs a consumer id)',
  'error-secret-missing.yaml': 'secret values exist only at run time',
  'error-secret-undeclared.yaml': 'which secrets a reference may name is a cross-field rule',
  'error-yaml-syntax.yaml': 'not YAML: no document to validate',
};

/** More configs on the edges of the config model, each accepted or refused by both (file name: `valid-` or `error-`). */
const EDGE_CASES: Record<string, string> = {
  'valid-api-legacy-type-name.yaml': 'apiVersion: 0.2.0\nmeta: {name: a, type: http, version: 0.3.3, topic: t}\nhttp: {endpoint: "https://example.com"}\n',
  'valid-api-no-section.yaml': 'meta: {name: a, type: test-connector, version: 0.1.0, topic: t}\n',
  'error-api-string-count.yaml': 'meta: {name: a, type: test-connector, version: 0.1.0, topic: t}\ntest: {count: "10"}\n',
  'valid-legacy-string-count.yaml': 'version: v1\nname: a\ntype: test-connector\ntopic: t\nparameters: {count: "10"}\n',
  'valid-legacy-header-map.yaml': 'version: v1\nname: a\ntype: http\ntopic: t\nparameters:\n  endpoint: https://example.com\n  headers: {Accept: text/plain}\n  stream: "true"\n  delimiter: "\\n\\n"\n',
  'valid-legacy-scalar-header.yaml': 'version: v1\nname: a\ntype: http\ntopic: t\nparameters: {endpoint: "https://example.com", headers: "Accept: text/plain", max_retries: "2"}\n',
  'error-api-empty-section.yaml': 'apiVersion: 0.2.0\nmeta: {name: a, type: http-source, version: 0.3.3, topic: t}\nhttp:\n',
  'error-api-two-spellings.yaml': 'apiVersion: 0.2.0\nmeta: {name: a, type: test-connector, version: 0.1.0, topic: t, create-topic: true, create_topic: false}\n',
  'error-legacy-list-for-bool.yaml': 'version: v1\nname: a\ntype: http\ntopic: t\nparameters: {endpoint: "https://example.com", stream: [true]}\n',
};

const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.yaml')).map((name) => join(dir, name));
const valid = [...yamlFiles(FIXTURES).filter((file) => /\/valid-[^/]+$/.test(file)), ...yamlFiles(join(ROOT, 'configs'))];
const errors = yamlFiles(FIXTURES).filter((file) => /\/error-[^/]+$/.test(file));
const typeErrors = errors.filter((file) => !(relative(FIXTURES, file) in BEYOND_JSON_SCHEMA));
const name = (file: string): string => relative(ROOT, file);

function schemaValidator(file: string): ValidateFunction {
  // Strict mode (unknown keywords, formats, missing types are errors); `required` inside `not` is idiomatic.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  return ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schema', file), 'utf8')));
}

/** The files `connector validate` accepts (one run over all of them), with the fixtures' secrets file. */
function acceptedByValidate(files: readonly string[]): Set<string> {
  const tmp = tempDir();
  try {
    const result = connector(tmp.dir, ['validate', '--secrets', join(FIXTURES, 'secrets.env'), ...files]);
    return new Set(files.filter((file) => result.stdout.includes(`ok ${file}:`)));
  } finally {
    tmp.cleanup();
  }
}

describe('schema/connector.schema.json against `connector validate` (ajv, draft 2020-12)', () => {
  let dispatching: ValidateFunction;
  let accepted: Set<string>;
  let edges: ReturnType<typeof tempDir>;

  beforeAll(() => {
    requireBuild();
    dispatching = schemaValidator('connector.schema.json');
    edges = tempDir('config-edges-');
    for (const [file, text] of Object.entries(EDGE_CASES)) writeFileSync(join(edges.dir, file), text);
    accepted = acceptedByValidate([...valid, ...errors, ...Object.keys(EDGE_CASES).map((file) => join(edges.dir, file))]);
  });

  afterAll(() => edges?.cleanup());

  it.each(Object.keys(EDGE_CASES))('should agree with `connector validate` on %s', (file) => {
    // Prepare
    const document: unknown = parse(EDGE_CASES[file]!);

    // Act
    const ok = dispatching(document);

    // Assess
    const expected = file.startsWith('valid-');
    expect(ok).toBe(expected);
    expect(accepted.has(join(edges.dir, file))).toBe(expected);
  });

  it('should classify every error fixture: rejected by the JSON Schema, or listed as beyond it', () => {
    // Assess
    expect(Object.keys(BEYOND_JSON_SCHEMA).every((file) => errors.some((error) => error.endsWith(`/${file}`)))).toBe(true);
    expect(typeErrors.length).toBeGreaterThanOrEqual(15);
  });

  it.each(valid.map(name))('should accept %s, as `connector validate` does', (file) => {
    // Prepare
    const document: unknown = parse(readFileSync(join(ROOT, file), 'utf8'));

    // Act
    const ok = dispatching(document);

    // Assess
    expect(dispatching.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    expect(accepted.has(join(ROOT, file))).toBe(true);
  });

  it.each(typeErrors.map(name))('should reject %s, as `connector validate` does', (file) => {
    // Prepare
    const document: unknown = parse(readFileSync(join(ROOT, file), 'utf8'));

    // Act
    const ok = dispatching(document);

    // Assess
    expect(ok).toBe(false);
    expect(accepted.has(join(ROOT, file))).toBe(false);
  });

  it.each(Object.keys(BEYOND_JSON_SCHEMA).filter((file) => file !== 'error-yaml-syntax.yaml'))('should leave %s to `connector validate` (documented gap)', (file) => {
    // Prepare
    const document: unknown = parse(readFileSync(join(FIXTURES, file), 'utf8'));

    // Act
    const ok = dispatching(document);

    // Assess: if the schema learns to reject it, move it to the rejected fixtures
    expect(ok).toBe(true);
    expect(accepted.has(join(FIXTURES, file))).toBe(false);
  });

  it('should give the same answers with the schema of the config\'s own type', () => {
    // Prepare
    const byType = new Map<string, ValidateFunction>();
    const answers: string[] = [];

    // Act
    for (const file of [...valid, ...typeErrors]) {
      const document = parse(readFileSync(file, 'utf8')) as Record<string, any> | null;
      const type: unknown = document?.meta?.type ?? document?.type;
      const definition = typeof type === 'string' ? defaultRegistry.get(type) : undefined;
      if (!definition) continue; // unknown type or no document: only the dispatching schema can say
      const schemaFile = `${definition.type}.schema.json`;
      if (!byType.has(schemaFile)) byType.set(schemaFile, schemaValidator(schemaFile));
      answers.push(`${name(file)}: ${byType.get(schemaFile)!(document) === dispatching(document)}`);
    }

    // Assess
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((answer) => answer.endsWith('false'))).toEqual([]);
  });

  it('should print the generated schemas with `connector schema [--type T]`', () => {
    // Prepare
    const tmp = tempDir();

    try {
      // Act
      const all = connector(tmp.dir, ['schema']);
      const legacyName = connector(tmp.dir, ['schema', '--type', 'http']);
      const unknown = connector(tmp.dir, ['schema', '--type', 'mqtt-sorce']);

      // Assess
      expect(all.status).toBe(0);
      expect(all.stdout).toBe(readFileSync(join(ROOT, 'schema/connector.schema.json'), 'utf8'));
      expect(legacyName.stdout).toBe(readFileSync(join(ROOT, 'schema/http-source.schema.json'), 'utf8'));
      expect(unknown.status).toBe(2);
      expect(unknown.stderr).toContain('Allowed choices are http-source, http, http-sink, mqtt, mqtt-source, test-connector');
    } finally {
      tmp.cleanup();
    }
  });
});
