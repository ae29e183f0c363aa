import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateFile } from '../../../lib/cli/commands/validate';
import { loadConnectorConfig } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import type { HttpSourceConfig } from '../../../lib/connectors/http-source/schema';
import type { TestConnectorConfig } from '../../../lib/connectors/test-connector/schema';
import { MAX_TIMER_MS } from '../../../lib/core';
import { headerValueProblem } from '../../../lib/schema';
import { tempDir } from '../../support/cli';
import { applyMutations, mutatedConfigArbitrary, SEEDS, STACK_LINE } from '../../support/config-mutations';

/**
 * Longest one validation may take: a hang detector, not a speed target (a config validates in
 * about a millisecond; the slowest inputs, a 256 KiB file of unknown keys, take about a second on
 * a loaded 2-core machine).
 */
const HANG_MS = 5000;

/** Checks that a config `connector validate` accepted cannot misbehave when it runs. */
function assertRunsSafely(file: string, deferSecrets: boolean): void {
  const spec = loadConnectorConfig(file, { registry: defaultRegistry, deferSecrets, secrets: { lookup: (name) => process.env[name], describe: 'the environment' } });
  if (spec.type === 'http-source') {
    const config = spec.config as HttpSourceConfig;
    expect(config.interval).toBeGreaterThanOrEqual(config.allow_fast_interval ? 1 : 100);
    for (const ms of [config.interval, config.request_timeout, config.backoff_min, config.backoff_max]) expect(ms).toBeLessThan(MAX_TIMER_MS);
    expect(config.backoff_min).toBeLessThanOrEqual(config.backoff_max);
    expect(config.max_retries).toBeLessThanOrEqual(100);
    expect(config.method).not.toBe('CONNECT');
    for (const [, value] of config.headers) expect(headerValueProblem(value)).toBeUndefined();
    expect(headerValueProblem(config.user_agent)).toBeUndefined();
    const url = new URL(config.endpoint);
    expect(url.hostname.replace(/\./g, '')).not.toBe('');
    expect(url.port).not.toBe('0');
    expect(url.username).toBe('');
  }
  if (spec.type === 'test-connector') {
    const config = spec.config as TestConnectorConfig;
    if (config.count !== undefined) expect(Number.isInteger(config.count) && config.count >= 1).toBe(true);
    expect(config.timeout).toBeGreaterThanOrEqual(1);
    expect(config.timeout).toBeLessThan(MAX_TIMER_MS);
  }
}

describe('Function: validateFile (property: 2,000 mutated configs in process; the CLI test runs more as child processes)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => {
    tmp = tempDir('validate-mutations-');
  });
  afterAll(() => tmp.cleanup());

  it('should validate every seed config with exit 0', () => {
    SEEDS.forEach((text, index) => {
      // Prepare
      const file = join(tmp.dir, `seed-${index}.yaml`);
      writeFileSync(file, text);

      // Act
      const verdict = validateFile(file, { deferSecrets: true });

      // Assess
      expect(verdict).toMatchObject({ exitCode: 0 });
    });
  });

  it('should exit 0 or 2, never print a stack trace, locate every error at file:line:col, and finish each in bounded time', () => {
    let counter = 0;
    const exits = { 0: 0, 2: 0 };
    fc.assert(
      fc.property(mutatedConfigArbitrary, (mutated) => {
        // Prepare
        const file = join(tmp.dir, `mutated-${counter++}.yaml`);
        writeFileSync(file, applyMutations(SEEDS[mutated.seed]!, mutated.mutations));

        // Act
        const started = Date.now();
        const verdict = validateFile(file, { deferSecrets: mutated.deferSecrets });
        const elapsed = Date.now() - started;

        // Assess
        expect([0, 2]).toContain(verdict.exitCode);
        expect(verdict.stderr).not.toMatch(STACK_LINE);
        const lines = verdict.stderr.split('\n').filter((line) => line !== '');
        const located = new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `);
        if (verdict.exitCode === 2) {
          expect(lines.length).toBeGreaterThan(0);
          for (const line of lines) expect(line).toMatch(located);
          expect(verdict.stdout).toBe('');
        } else {
          expect(verdict.stdout.startsWith(`ok ${file}: `)).toBe(true);
          for (const line of lines) expect(line).toMatch(new RegExp(`${located.source}warning: |^warning ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: transforms`));
          assertRunsSafely(file, mutated.deferSecrets);
        }
        expect(elapsed).toBeLessThan(HANG_MS);
        exits[verdict.exitCode as 0 | 2] += 1;
      }),
      { numRuns: 2000 },
    );
    // Both outcomes occur: the generator makes valid and invalid configs.
    expect(exits[0]).toBeGreaterThan(50);
    expect(exits[2]).toBeGreaterThan(500);
  }, 180_000);
});
