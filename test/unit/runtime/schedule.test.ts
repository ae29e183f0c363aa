import type { ConnectorMetrics, PeriodicSource, SourceContext } from '../../../lib/core';
import { TopicWriteError } from '../../../lib/core/errors';
import { silentLogger } from '../../../lib/core/log';
import { createMetrics } from '../../../lib/core/metrics';
import { nextSlot, runPeriodic } from '../../../lib/runtime/schedule';
import { VirtualClock } from '../../support/virtual-clock';

function context(clock: VirtualClock, controller: AbortController, metrics: ConnectorMetrics = createMetrics()): SourceContext {
  return {
    signal: controller.signal,
    emit: async () => undefined,
    log: silentLogger,
    clock,
    http: async () => {
      throw new Error('no http in this test');
    },
    metrics,
  };
}

describe('runtime/schedule', () => {
  describe('nextSlot', () => {
    it.each([
      // start, interval, now, lastSlot, expected
      [0, 1000, 10, 0, 1], // fast poll: next slot
      [0, 1000, 1000, 0, 1], // poll ended exactly on the next slot
      [0, 1000, 1001, 0, 2], // slot 1 missed: skip to 2
      [0, 1000, 3500, 0, 4], // three missed: skip to 4, no burst
      [0, 1000, 3500, 5, 6], // never goes backwards
    ])('should pick the first slot not in the past (start=%d interval=%d now=%d last=%d)', (start, interval, now, last, expected) => {
      expect(nextSlot(start, interval, now, last)).toBe(expected);
    });
  });

  describe('runPeriodic', () => {
    it('should poll at once and then at a fixed rate', async () => {
      // Prepare
      const clock = new VirtualClock();
      const t0 = clock.now();
      const controller = new AbortController();
      const pollTimes: number[] = [];
      const source: PeriodicSource = {
        kind: 'periodic',
        intervalMs: 2000,
        async poll() {
          pollTimes.push(clock.now() - t0);
          clock.advance(300); // each poll takes 300 ms
          if (pollTimes.length === 5) controller.abort();
        },
      };
      // Act
      await runPeriodic(source, context(clock, controller));
      // Assess
      expect(pollTimes).toEqual([0, 2000, 4000, 6000, 8000]);
    });

    it('should skip missed slots after a slow poll instead of bursting', async () => {
      const clock = new VirtualClock();
      const t0 = clock.now();
      const controller = new AbortController();
      const pollTimes: number[] = [];
      const source: PeriodicSource = {
        kind: 'periodic',
        intervalMs: 1000,
        async poll() {
          pollTimes.push(clock.now() - t0);
          clock.advance(pollTimes.length === 2 ? 3500 : 100); // the second poll is very slow
          if (pollTimes.length === 4) controller.abort();
        },
      };
      await runPeriodic(source, context(clock, controller));
      expect(pollTimes).toEqual([0, 1000, 5000, 6000]);
    });

    it('should count a failed poll and keep polling', async () => {
      const clock = new VirtualClock();
      const controller = new AbortController();
      const metrics = createMetrics();
      let polls = 0;
      const source: PeriodicSource = {
        kind: 'periodic',
        intervalMs: 100,
        async poll() {
          polls++;
          if (polls === 3) controller.abort();
          if (polls === 1) throw new Error('endpoint exploded');
        },
      };
      await runPeriodic(source, context(clock, controller, metrics));
      expect(polls).toBe(3);
      expect(metrics.errors).toBe(1);
    });

    it('should end the run when records cannot be written to the topic', async () => {
      const clock = new VirtualClock();
      const controller = new AbortController();
      const source: PeriodicSource = {
        kind: 'periodic',
        intervalMs: 100,
        async poll() {
          throw new TopicWriteError('disk full', 1);
        },
      };
      await expect(runPeriodic(source, context(clock, controller))).rejects.toBeInstanceOf(TopicWriteError);
    });
  });
});
