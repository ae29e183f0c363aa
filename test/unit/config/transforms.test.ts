import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConnectorConfig, loadSecretValues, parseConnectorConfig } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import { ErrorCode } from '../../../lib/core/errors';
import { createTransformRegistry } from '../../../lib/transforms';
import { tempDir } from '../../support/cli';
import { compileWat } from '../../support/smartmodules';

const noSecrets = loadSecretValues({ env: {} });

/** A test-connector config with the given `transforms:` lines. */
const config = (transforms: string, topic = 'greetings'): string =>
  `apiVersion: 0.2.0\nmeta:\n  version: 0.1.0\n  name: t\n  type: test-connector\n  topic: ${topic}\ntransforms:\n${transforms}`;

function issuesOf(text: string, options: { file?: string; baseDir?: string; registry?: ReturnType<typeof createTransformRegistry> } = {}): ConfigError['issues'] {
  try {
    parseConnectorConfig(text, { file: options.file ?? 'c.yaml', registry: defaultRegistry, secrets: noSecrets, ...(options.baseDir ? { baseDir: options.baseDir } : {}), ...(options.registry ? { transforms: options.registry } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config transforms: uses, with and limits checked against the transforms registry', () => {
  it('should locate an unknown SmartModule at its uses, list the known ones and suggest the nearest', () => {
    // Act
    const issues = issuesOf(config('  - uses: infinyon/jolts@0.4.1\n'));

    // Assess
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ code: ErrorCode.CONFIG_UNKNOWN_TRANSFORM, path: 'transforms[0].uses', line: 8, column: 11, suggestion: 'infinyon/jolt' });
    expect(issues[0]?.message).toContain('unknown SmartModule "infinyon/jolts@0.4.1", did you mean "infinyon/jolt@0.4.1"? expected one of "infinyon/jolt@x.y.z", "infinyon/regex-filter@x.y.z", "infinyon-labs/array-map-json@x.y.z", "infinyon/array-map-json@x.y.z", "infinyon/json-sql@x.y.z", "a path to a .wasm file"');
  });

  it('should take the known names from the registry it is given', () => {
    // Act
    const issues = issuesOf(config('  - uses: infinyon/jolt@0.4.1\n    with: {spec: "[]"}\n'), { registry: createTransformRegistry([]) });

    // Assess
    expect(issues.map((issue) => issue.code)).toEqual([ErrorCode.CONFIG_UNKNOWN_TRANSFORM]);
  });

  it('should locate a missing .wasm file and a file that is not WebAssembly, relative to the config file', () => {
    // Prepare
    const { dir, cleanup } = tempDir('config-transforms-');
    try {
      writeFileSync(join(dir, 'text.wasm'), 'not wasm');
      const file = join(dir, 'c.yaml');
      writeFileSync(file, config('  - uses: ./missing.wasm\n  - uses: text.wasm\n'));

      // Act
      const act = () => loadConnectorConfig(file, { registry: defaultRegistry, secrets: noSecrets });

      // Assess
      expect(act).toThrow(ConfigError);
      const issues = (() => {
        try {
          act();
        } catch (error) {
          return (error as ConfigError).issues;
        }
        return [];
      })();
      expect(issues.map((issue) => [issue.path, issue.line])).toEqual([
        ['transforms[0].uses', 8],
        ['transforms[1].uses', 9],
      ]);
      expect(issues[0]?.message).toContain(`SmartModule file "./missing.wasm" not found (looked for ${join(dir, 'missing.wasm')})`);
      expect(issues[1]?.message).toContain('is not WebAssembly');
    } finally {
      cleanup();
    }
  });

  it('should accept a .wasm file next to the config and keep the directory paths resolve against', async () => {
    // Prepare
    const { dir, cleanup } = tempDir('config-transforms-');
    try {
      writeFileSync(join(dir, 'ok.wasm'), await compileWat('(module)'));
      const file = join(dir, 'c.yaml');
      writeFileSync(file, config('  - uses: ok.wasm\n    on_error: dead-letter\n    timeout: 250ms\n    max_memory: 16 MiB\n'));

      // Act
      const spec = loadConnectorConfig(file, { registry: defaultRegistry, secrets: noSecrets });

      // Assess
      expect(spec.baseDir).toBe(dir);
      expect(spec.transforms).toEqual([{ uses: 'ok.wasm', with: {}, on_error: 'dead-letter', timeout: 250, max_memory: 16 * 1024 * 1024 }]);
    } finally {
      cleanup();
    }
  });

  it('should check a built-in transform\'s with: strictly, suggesting the nearest parameter', () => {
    // Act
    const issues = issuesOf(config('  - uses: infinyon/regex-filter@0.2.0\n    with:\n      regexp: "[Cc]at"\n'));

    // Assess: the suggestion explains the missing `regex`, which is not reported again
    expect(issues.map((issue) => [issue.code, issue.path, issue.line])).toEqual([[ErrorCode.CONFIG_UNKNOWN_FIELD, 'transforms[0].with.regexp', 10]]);
    expect(issues[0]?.message).toContain('did you mean "regex"?');
  });

  it('should report a regular expression JavaScript cannot compile, and limits set on a built-in transform', () => {
    // Act
    const issues = issuesOf(config('  - uses: infinyon/regex-filter@0.2.0\n    timeout: 1s\n    with:\n      regex: "(unclosed"\n'));

    // Assess
    expect(issues.map((issue) => [issue.path, issue.line])).toEqual([
      ['transforms[0].timeout', 9],
      ['transforms[0].with.regex', 11],
    ]);
    expect(issues[0]?.message).toContain('timeout applies to SmartModule .wasm files only; infinyon/regex-filter@0.2.0 is built in');
    expect(issues[1]?.message).toContain('expected a regular expression (Invalid regular expression');
  });

  it('should refuse dead-letter when <topic>-dlq would not be a valid topic name', () => {
    // Act
    const issues = issuesOf(config('  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: a}\n    on_error: dead-letter\n', 'a'.repeat(62)));

    // Assess
    expect(issues.map((issue) => [issue.code, issue.path])).toEqual([[ErrorCode.CONFIG_INVALID_VALUE, 'transforms[0].on_error']]);
    expect(issues[0]?.message).toContain(`the dead-letter topic "${'a'.repeat(62)}-dlq" is not a valid topic name`);
  });

  it('should refuse an unknown on_error policy', () => {
    // Act
    const issues = issuesOf(config('  - uses: infinyon/regex-filter@0.2.0\n    with: {regex: a}\n    on_error: retry\n'));

    // Assess
    expect(issues.map((issue) => [issue.code, issue.path, issue.message.includes('expected one of "fail", "skip", "dead-letter"')])).toEqual([[ErrorCode.CONFIG_INVALID_VALUE, 'transforms[0].on_error', true]]);
  });
});
