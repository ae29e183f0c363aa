import type { PeriodicSource, SourceContext } from '../../../lib/core';
import { TopicWriteError } from '../../../lib/core/errors';
import { runWindow, windowSlots } from '../../../lib/runtime/window';
import { createSourceContext } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';

const MINUTE = 60_000;
/** 2026-11-21T10:00:00Z, a whole minute (epoch-aligned). */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** A periodic source that records when it was polled and can take time or fail. */
function recordingSource(intervalMs: number, clock: VirtualClock, behaviour: { pollMs?: number; fail?: (n: number) => Error | undefined } = {}) {
  const polledAt: number[] = [];
  const source: PeriodicSource = {
    kind: 'periodic',
    intervalMs,
    async poll(_ctx: SourceContext) {
      polledAt.push(clock.now());
      if (behaviour.pollMs) clock.advance(behaviour.pollMs);
      const error = behaviour.fail?.(polledAt.length);
      if (error) throw error;
    },
  };
  return { source, polledAt };
}

describe('Function: windowSlots', () => {
  it.each([
    [2_000, 30],
    [15_000, 4],
    [60_000, 1],
  ])('should give %i ms intervals %i slots in an aligned one-minute window', (interval, count) => {
    // Act
    const slots = windowSlots(interval, { startMs: T0, endMs: T0 + MINUTE });

    // Assess
    expect(slots).toHaveLength(count);
    expect(slots[0]).toBe(T0);
    expect(slots.every((slot) => slot % interval === 0)).toBe(true);
  });

  it('should put every slot of a longer or uneven interval in exactly one window', () => {
    // Prepare: windows tile one hour, starting at a second that is not aligned
    const start = T0 + 17_000;
    const windows = Array.from({ length: 60 }, (_, i) => ({ startMs: start + i * MINUTE, endMs: start + (i + 1) * MINUTE }));

    for (const interval of [45_000, 90_000, 7_000]) {
      // Act
      const all = windows.flatMap((window) => windowSlots(interval, window));

      // Assess: the slots of the hour, each once, in order
      const expected = windowSlots(interval, { startMs: start, endMs: start + 60 * MINUTE });
      expect(all).toEqual(expected);
      expect(all.length).toBeGreaterThanOrEqual(Math.floor((60 * MINUTE) / interval));
      expect(all.length).toBeLessThanOrEqual(Math.ceil((60 * MINUTE) / interval));
    }
  });

  it('should give one slot at the event time when anchored there (native schedule)', () => {
    // Act
    const slots = windowSlots(5 * MINUTE, { startMs: T0 + 12_345, endMs: T0 + 12_345 + 5 * MINUTE, anchorMs: T0 + 12_345 });

    // Assess
    expect(slots).toEqual([T0 + 12_345]);
  });
});

describe('Function: runWindow', () => {
  it('should poll each slot of the window at its time, aligned to the window start, not the invocation start', async () => {
    // Prepare: the invocation starts 300 ms after the event time
    const clock = new VirtualClock(T0 + 300);
    const { ctx } = createSourceContext({ clock });
    const { source, polledAt } = recordingSource(15_000, clock);

    // Act
    const report = await runWindow(source, ctx, { startMs: T0, endMs: T0 + MINUTE });

    // Assess: the missed first slot is polled at once, then the slots on the grid
    expect(polledAt).toEqual([T0 + 300, T0 + 15_000, T0 + 30_000, T0 + 45_000]);
    expect(report).toMatchObject({ polls: 4, skipped: 0, driftMs: [300, 0, 0, 0] });
  });

  it('should skip slots that passed during a slow poll and poll the latest one at once', async () => {
    // Prepare: the first poll takes 5.5 s with a 2 s interval
    const clock = new VirtualClock(T0);
    const { ctx, log } = createSourceContext({ clock });
    const { source, polledAt } = recordingSource(2_000, clock, { pollMs: 0 });
    const slow = { ...source, poll: async (c: SourceContext) => { await source.poll(c); if (polledAt.length === 1) clock.advance(5_500); } };

    // Act
    const report = await runWindow(slow, ctx, { startMs: T0, endMs: T0 + 10_000, marginMs: 0 });

    // Assess: slots 0, (2, 4 skipped), 5.5 → latest missed slot 4 polled at 5.5 s, then 6 and 8
    expect(polledAt).toEqual([T0, T0 + 5_500, T0 + 6_000, T0 + 8_000]);
    expect(report.skipped).toBe(1);
    expect(report.polls).toBe(4);
    expect(log.find('skipped slots').length).toBe(1);
  });

  it('should start no poll within the margin before the window end', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const { ctx } = createSourceContext({ clock });
    const { source, polledAt } = recordingSource(2_000, clock);

    // Act
    const report = await runWindow(source, ctx, { startMs: T0, endMs: T0 + MINUTE, marginMs: 3_000 });

    // Assess: slots up to 56 s; 58 s is inside the margin
    expect(polledAt.at(-1)).toBe(T0 + 56_000);
    expect(report.polls).toBe(29);
    expect(report.skipped).toBe(1);
  });

  it('should poll nothing for an event delivered after its window ended', async () => {
    // Prepare: e.g. an async retry hours later
    const clock = new VirtualClock(T0 + 3 * 3_600_000);
    const { ctx } = createSourceContext({ clock });
    const { source, polledAt } = recordingSource(15_000, clock);

    // Act
    const report = await runWindow(source, ctx, { startMs: T0, endMs: T0 + MINUTE });

    // Assess
    expect(polledAt).toEqual([]);
    expect(report).toMatchObject({ polls: 0, skipped: 4 });
  });

  it('should count a failed poll and go on, but rethrow a topic write failure', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const { ctx, metrics } = createSourceContext({ clock });
    const failing = recordingSource(15_000, clock, { fail: (n) => (n === 1 ? new Error('boom') : undefined) });
    const writeFailure = recordingSource(15_000, clock, { fail: (n) => (n === 2 ? new TopicWriteError('topic down', 3) : undefined) });

    // Act
    const report = await runWindow(failing.source, ctx, { startMs: T0, endMs: T0 + MINUTE });
    const thrown = runWindow(writeFailure.source, ctx, { startMs: T0 + MINUTE, endMs: T0 + 2 * MINUTE });

    // Assess
    expect(report.polls).toBe(4);
    expect(metrics.errors).toBe(1);
    await expect(thrown).rejects.toBeInstanceOf(TopicWriteError);
    expect(writeFailure.polledAt).toHaveLength(2);
  });

  it('should abort a poll still running at the deadline', async () => {
    // Prepare: a real clock and a poll that waits for its signal
    const { ctx } = createSourceContext();
    const now = Date.now();
    let aborted = false;
    const source: PeriodicSource = {
      kind: 'periodic',
      intervalMs: 60_000,
      poll: (c) => new Promise<void>((resolve) => c.signal.addEventListener('abort', () => { aborted = true; resolve(); }, { once: true })),
    };

    // Act
    const report = await runWindow(source, ctx, { startMs: now, endMs: now + 300, anchorMs: now, marginMs: 100 });

    // Assess
    expect(aborted).toBe(true);
    expect(report.polls).toBe(1);
    expect(Date.now() - now).toBeLessThan(5_000);
  });
});
