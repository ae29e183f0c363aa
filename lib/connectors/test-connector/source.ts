import type { ContinuousSource } from '../../core';
import type { TestConnectorConfig } from './schema';

/** Value of the N-th record (N from 1), as Fluvio's test-connector writes it. */
export function testRecordValue(n: number): string {
  return `Hello, Fluvio! - ${n}`;
}

/**
 * Creates the test-connector source: emits `Hello, Fluvio! - N` for N = 1, 2, … with `timeout`
 * milliseconds between records, and ends after exactly `count` records when `count` is set
 * (Fluvio's produces count-1, an off-by-one we do not reproduce). The first record is emitted at
 * once. One session runs until the count is reached (`done`) or the connector stops.
 */
export function createTestSource(config: TestConnectorConfig): ContinuousSource {
  return {
    kind: 'continuous',
    async connect(ctx) {
      const limit = config.count ?? Number.POSITIVE_INFINITY;
      let n = 1;
      for (; n <= limit && !ctx.signal.aborted; n++) {
        await ctx.emit([{ value: testRecordValue(n) }]);
        if (n < limit) await ctx.clock.sleep(config.timeout, ctx.signal);
      }
      return { delivered: n - 1, done: n > limit };
    },
  };
}
