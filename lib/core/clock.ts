/**
 * Time as a dependency: every wait in the runtime and the connectors goes through a {@link Clock},
 * so tests can drive schedules deterministically.
 */
export interface Clock {
  /** Current wall-clock time in milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Waits `ms` milliseconds. Resolves early (never rejects) when `signal` aborts, so loops can
   * check `signal.aborted` right after.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/**
 * Longest delay Node's `setTimeout` honours: 2^31 - 1 ms (about 24.8 days). A longer one fires after
 * 1 ms with a `TimeoutOverflowWarning`, which would make a periodic connector poll as fast as it
 * can; config durations are bounded below it (`lib/schema` `durationSchema`), and
 * {@link systemClock} waits longer delays in steps.
 */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The real clock: `Date.now()` and `setTimeout`. A wait longer than {@link MAX_TIMER_MS} is made
 * of several timers (never one that overflows).
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      let left = Math.max(0, ms);
      let timer: NodeJS.Timeout;
      const onAbort = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const arm = (): void => {
        const step = Math.min(MAX_TIMER_MS, left);
        left -= step;
        timer = setTimeout(() => {
          if (left > 0) return arm();
          signal?.removeEventListener('abort', onAbort);
          resolve();
        }, step);
      };
      arm();
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
