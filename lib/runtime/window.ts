import { type PeriodicSource, RuntimeDefaults } from '../core';
import { pollOnce, sleepCommitted } from './schedule';
import type { RunContext } from './source-context';

/**
 * A bounded stretch of time in which a scheduled function polls: the schedule event's time plus
 * the function's window length. Slots are `anchorMs + k × intervalMs` that fall in
 * `[startMs, endMs)`.
 */
export interface PollWindow {
  /** Window start: the schedule event's `time`, ms since the Unix epoch (not the invocation's start). */
  startMs: number;
  /** Window end (exclusive), ms since the epoch. The next window starts here. */
  endMs: number;
  /**
   * Origin of the slot grid, ms since the epoch. `0` (epoch-aligned, the default) makes every slot
   * fall in exactly one window when windows tile time (`rate(1 minute)`); use `startMs` for a native
   * schedule whose period equals the interval (one slot, at the event time).
   */
  anchorMs?: number;
  /**
   * Stop this long (ms) before `endMs`: no poll starts after `endMs - marginMs`, and a poll still
   * running then is aborted, so one invocation never overlaps the next. Default `RuntimeDefaults.marginMs` (500).
   */
  marginMs?: number;
}

/** What one window did. */
export interface WindowReport {
  /** Slot times of the window (the slot rule), ms since the epoch. */
  slots: number[];
  /** Polls made. */
  polls: number;
  /** Slots not polled because they had passed when the invocation got to them (late start, slow poll). */
  skipped: number;
  /** For each poll: start time minus its slot time, ms (≥ 0). */
  driftMs: number[];
}

/**
 * The slot rule: times `anchorMs + k × intervalMs` (integer k) in `[startMs, endMs)`.
 * For `rate(1 minute)` windows and an epoch-aligned grid, a 2 s interval gives 30 slots per window,
 * 15 s gives 4, 45 s gives 1 or 2, 90 s gives 1 in two windows out of three.
 * @param intervalMs - Fluvio's `interval`, in ms (> 0).
 */
export function windowSlots(intervalMs: number, window: Pick<PollWindow, 'startMs' | 'endMs' | 'anchorMs'>): number[] {
  const anchor = window.anchorMs ?? 0;
  const slots: number[] = [];
  for (let k = Math.ceil((window.startMs - anchor) / intervalMs); anchor + k * intervalMs < window.endMs; k++) slots.push(anchor + k * intervalMs);
  return slots;
}

/**
 * Polls a periodic source at each slot of one window, then returns: the body of a scheduled Lambda
 * function. Slots that already passed when their turn comes are skipped, except that the most
 * recent missed slot is polled at once (a late or cold start still polls once instead of waiting
 * for the next slot). No poll starts at or after `endMs - marginMs`; a poll running then is aborted.
 * A poll that throws is logged and counted (`metrics.errors`) and the next slot polls again; a
 * {@link TopicWriteError} is rethrown (records could not be written). With a pipelined emit
 * ({@link RunContext.committed}), a poll's commit runs while the runner waits for the next slot, or
 * while the next poll's request is on the wire when that slot is already due, and the window
 * returns only once every record handed over is committed (its report, and the invocation's
 * metrics, count committed records only).
 */
export async function runWindow(source: PeriodicSource, ctx: RunContext, window: PollWindow): Promise<WindowReport> {
  const { clock, log } = ctx;
  const slots = windowSlots(source.intervalMs, window);
  const deadline = window.endMs - (window.marginMs ?? RuntimeDefaults.marginMs);
  const report: WindowReport = { slots, polls: 0, skipped: 0, driftMs: [] };

  // Abort the in-flight poll at the deadline (and when the caller aborts).
  const stop = new AbortController();
  const onAbort = (): void => stop.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  // A real timer, not `clock.sleep`: a test clock jumps time forward on sleep.
  const timer = setTimeout(() => stop.abort(new Error('poll window ended')), Math.max(0, deadline - clock.now()));
  const pollCtx: RunContext = { ...ctx, signal: stop.signal };

  try {
    let index = 0;
    while (index < slots.length && !stop.signal.aborted) {
      let now = clock.now();
      if (now >= deadline) break;
      // Skip every passed slot but the latest one, which is polled at once.
      let next = index;
      while (next + 1 < slots.length && (slots[next + 1] as number) <= now) next++;
      report.skipped += next - index;
      const slot = slots[next] as number;
      if (slot >= deadline) break;
      // Idle until the slot: the previous poll's records are committed meanwhile.
      if (slot > now) await sleepCommitted(pollCtx, slot - now);
      if (stop.signal.aborted) break;
      now = clock.now();
      report.driftMs.push(Math.max(0, now - slot));
      report.polls++;
      await pollOnce(source, pollCtx);
      index = next + 1;
    }
  } finally {
    clearTimeout(timer);
    ctx.signal.removeEventListener('abort', onAbort);
  }
  // The window reports (and the invocation ends) only once its records are committed.
  await ctx.committed?.();
  const passed = report.skipped;
  report.skipped = slots.length - report.polls; // + slots the deadline (or an abort) left unpolled
  if (report.skipped > 0) {
    log.warn({ skipped: report.skipped, passed, unreached: report.skipped - passed, intervalMs: source.intervalMs }, 'skipped slots: passed before their turn, or after the window\'s deadline');
  }
  return report;
}
