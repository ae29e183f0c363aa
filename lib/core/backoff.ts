import { ExponentialBackoff, halfJitterGenerator, type IBackoff } from 'cockatiel';

/**
 * Capped exponential backoff with jitter for retries (periodic mode) and reconnects (streaming
 * mode), driven one step at a time. The arithmetic is cockatiel's `ExponentialBackoff` with its
 * half-jitter generator: step n (from 0) waits a random time between half and all of
 * `min(backoff_max, 2·backoff_min·2ⁿ)` ms. So the first wait is in `[backoff_min, 2·backoff_min)`,
 * each following one doubles, and none exceeds `backoff_max` (never below `backoff_min` either).
 *
 * Fluvio's http-source instead waits 10 ms × Fibonacci, uncapped, and only between failed
 * streaming connects (`backoff.rs`); its periodic mode never retries.
 */
export class Backoff {
  private readonly factory: ExponentialBackoff<unknown>;
  private current: IBackoff<unknown> | undefined;

  /**
   * @param minMs - `backoff_min` in ms: lower bound of the first wait.
   * @param maxMs - `backoff_max` in ms: cap of every wait.
   */
  constructor(
    private readonly minMs: number,
    private readonly maxMs: number,
  ) {
    this.factory = new ExponentialBackoff({
      generator: halfJitterGenerator,
      initialDelay: 2 * minMs,
      maxDelay: maxMs,
    });
  }

  /** The next wait in ms (grows with each call until {@link reset}). */
  next(): number {
    this.current = this.current ? this.current.next(undefined) : this.factory.next();
    return Math.min(this.maxMs, Math.max(Math.min(this.minMs, this.maxMs), this.current.duration));
  }

  /** Starts again from `backoff_min` (after a success). */
  reset(): void {
    this.current = undefined;
  }
}

/**
 * Parses a `Retry-After` header value (RFC 9110 §10.2.3) into a wait in ms from `nowMs`:
 * delta-seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`; a date in the past
 * gives 0).
 *
 * @returns the wait in ms, or `undefined` when the value is neither form.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!/[a-z]/i.test(trimmed)) return undefined; // a bare or signed number is not a date
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
