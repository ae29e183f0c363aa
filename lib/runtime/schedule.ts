import type { PeriodicSource, SourceContext } from '../core/connector';
import { TopicWriteError } from '../core/errors';

/**
 * Index of the next poll slot after `now`, for a fixed-rate schedule starting at `start` with
 * period `intervalMs`: slots are `start + k * intervalMs`. Slots that have already passed are
 * skipped (never fired back to back), so a slow poll never causes a burst of catch-up requests
 * (unlike tokio's default `Burst`, which Fluvio's http-source uses).
 *
 * @param lastSlot - index of the slot just polled.
 * @returns the smallest slot index > lastSlot whose time is ≥ now.
 */
export function nextSlot(start: number, intervalMs: number, now: number, lastSlot: number): number {
  const due = Math.ceil((now - start) / intervalMs);
  return Math.max(lastSlot + 1, due);
}

/**
 * One poll: a poll that throws is logged and counted (`metrics.errors`), so the next slot polls
 * again; a {@link TopicWriteError} (records could not be written) is rethrown.
 */
export async function pollOnce(source: PeriodicSource, ctx: SourceContext): Promise<void> {
  try {
    await source.poll(ctx);
  } catch (err) {
    if (err instanceof TopicWriteError) throw err;
    ctx.metrics.errors++;
    ctx.log.error({ err }, 'poll failed');
  }
}

/**
 * Runs a periodic source until `ctx.signal` aborts: first poll at once, then one poll per slot.
 * A poll that throws is logged and counted (`metrics.errors`) and the next slot polls again;
 * a {@link TopicWriteError} (records could not be written) ends the run by rethrowing.
 */
export async function runPeriodic(source: PeriodicSource, ctx: SourceContext): Promise<void> {
  const { clock, signal, log } = ctx;
  const interval = source.intervalMs;
  const start = clock.now();
  let slot = 0;
  while (!signal.aborted) {
    await pollOnce(source, ctx);
    if (signal.aborted) break;
    const now = clock.now();
    const next = nextSlot(start, interval, now, slot);
    if (next > slot + 1) log.warn({ skipped: next - slot - 1, intervalMs: interval }, 'poll took longer than the interval; skipped missed slots');
    slot = next;
    await clock.sleep(start + slot * interval - now, signal);
  }
}
