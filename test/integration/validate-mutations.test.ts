import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { connector, requireBuild, tempDir } from '../support/cli';
import { applyMutations, mutatedConfigArbitrary, SEEDS, STACK_LINE } from '../support/config-mutations';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * `connector validate` as a user runs it (a child process of the built CLI), over 1,000 generated
 * malformed configs in two runs (with and without --defer-secrets): exit 0 or 2, never a stack
 * trace, every error located, every file checked, within a time bound (a hang detector).
 */
describe('cli: connector validate over mutated configs (child process)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    requireBuild();
    tmp = tempDir('validate-cli-mutations-');
  });
  afterAll(() => tmp.cleanup());

  it.each([
    ['with --defer-secrets', true],
    ['with secrets from the environment', false],
  ])('should check every one of 500 mutated configs %s, exit 0 or 2, and locate every error', (_mode, defer) => {
    // Prepare
    const seed = Date.now();
    const dir = join(tmp.dir, defer ? 'deferred' : 'env');
    mkdirSync(dir);
    const files = fc.sample(mutatedConfigArbitrary, { numRuns: 500, seed }).map((mutated, index) => {
      const file = join(dir, `m${index}.yaml`);
      writeFileSync(file, applyMutations(SEEDS[mutated.seed]!, mutated.mutations));
      return file;
    });

    // Act
    const result = connector(join(tmp.dir, 'data'), ['validate', ...(defer ? ['--defer-secrets'] : []), ...files], { timeoutMs: 120_000 });

    // Assess (the seed reproduces a failure: fc.sample(mutatedConfigArbitrary, { numRuns: 500, seed }))
    expect({ seed, status: result.status }).toEqual({ seed, status: expect.any(Number) });
    expect([0, 2]).toContain(result.status);
    expect(result.stderr).not.toMatch(STACK_LINE);
    const located = new RegExp(`^${escape(dir)}/m\\d+\\.yaml:\\d+:\\d+: |^warning ${escape(dir)}/m\\d+\\.yaml: transforms`);
    const unlocated = result.stderr.split('\n').filter((line) => line !== '' && !located.test(line));
    expect({ seed, unlocated }).toEqual({ seed, unlocated: [] });
    const unchecked = files.filter((file) => !result.stdout.includes(`ok ${file}: `) && !result.stderr.includes(`${file}:`));
    expect({ seed, unchecked }).toEqual({ seed, unchecked: [] });
  }, 150_000);

  it('should check every file even when one of them cannot be read', () => {
    // Prepare
    const good = join(tmp.dir, 'good.yaml');
    writeFileSync(good, SEEDS[0]!);
    const bad = join(tmp.dir, 'bad.yaml');
    writeFileSync(bad, 'version: [\n');

    // Act
    const result = connector(join(tmp.dir, 'data'), ['validate', bad, tmp.dir, join(tmp.dir, 'missing.yaml'), good]);

    // Assess
    expect(result.status).toBe(2);
    expect(result.stdout).toContain(`ok ${good}: `);
    expect(result.stderr).toMatch(new RegExp(`^${escape(bad)}:\\d+:\\d+: invalid YAML`, 'm'));
    expect(result.stderr).toContain(`${tmp.dir}: cannot read the config file: EISDIR`);
    expect(result.stderr).toContain(`${join(tmp.dir, 'missing.yaml')}: cannot read the config file: ENOENT`);
    expect(result.stderr).not.toMatch(STACK_LINE);
  });
});
