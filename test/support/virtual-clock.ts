import type { Clock } from '../../lib/core/clock';

/**
 * A {@link Clock} on virtual time: `sleep(ms)` advances the time by `ms` at once and records the
 * request, so schedules can be checked exactly without waiting. `advance(ms)` simulates work that
 * takes time (e.g. a slow poll).
 */
export class VirtualClock implements Clock {
  /** Every `sleep` request, in ms, in order. */
  readonly sleeps: number[] = [];

  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (signal?.aborted) return;
    this.time += Math.max(0, ms);
    await Promise.resolve();
  }
}
