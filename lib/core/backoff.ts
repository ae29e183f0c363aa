import type { ExponentialBackoff, IBackoff, RetryPolicy } from 'cockatiel';

/**
 * cockatiel, required on first use: a poll window whose polls succeed never needs a backoff, and
 * cockatiel's module init is about 10 ms of a deployed poller's cold start (functions/README.md).
 */
function cockatiel(): typeof import('cockatiel') {
  return require('cockatiel') as typeof import('cockatiel');
}

/**
 * The one backoff of the project: source retries and reconnects, topic writes of the runtime and
 * Kinesis `PutRecords` all wait with it, each with its own {@link BackoffDefaults} entry.
 *
 * The arithmetic is cockatiel's `ExponentialBackoff` with its half-jitter generator: wait n (from 0)
 * is a random time between half and all of `min(maxMs, 2·minMs·2ⁿ)` ms, and never below `minMs`.
 * So the first wait is in `[minMs, 2·minMs)`, each following one doubles, none exceeds `maxMs`.
 */
export interface BackoffSettings {
  /** Lower bound of the first wait, ms. */
  readonly minMs: number;
  /** Cap of every wait, ms. */
  readonly maxMs: number;
}

/**
 * Default settings of each place that backs off, in one table.
 *
 * | use | min | max | where |
 * |---|---|---|---|
 * | `source` | 200 ms | 30 s | retries of a poll and reconnects of a stream (http-source `backoff_min`/`backoff_max` defaults) |
 * | `topicWrite` | 100 ms | 10 s | the runtime's retries of a failed topic write (never gives up while the connector runs) |
 * | `kinesisPut` | 100 ms | 5 s | one `PutRecords` request's retries of throttled or failed entries (8 attempts) |
 */
export const BackoffDefaults = {
  source: { minMs: 200, maxMs: 30_000 },
  topicWrite: { minMs: 100, maxMs: 10_000 },
  kinesisPut: { minMs: 100, maxMs: 5_000 },
} as const satisfies Record<string, BackoffSettings>;

/** The cockatiel backoff factory of `settings` (see {@link BackoffSettings} for the arithmetic). */
function exponential(settings: BackoffSettings): ExponentialBackoff<unknown> {
  const { ExponentialBackoff: Exponential, halfJitterGenerator } = cockatiel();
  return new Exponential({ generator: halfJitterGenerator, initialDelay: 2 * settings.minMs, maxDelay: settings.maxMs });
}

/** Clamps a generated wait into `[min(minMs, maxMs), maxMs]`. */
function clamp(settings: BackoffSettings, ms: number): number {
  return Math.min(settings.maxMs, Math.max(Math.min(settings.minMs, settings.maxMs), ms));
}

/**
 * A backoff driven one step at a time (retry loops and reconnect loops of the runtime).
 *
 * @example
 * const backoff = new Backoff(BackoffDefaults.source);
 * await clock.sleep(backoff.next(), signal); // 200-399 ms, then 400-799 ms, …
 * backoff.reset();                            // after a success
 */
export class Backoff {
  /** Made on the first {@link next}: a backoff never used loads no cockatiel. */
  private factory: ExponentialBackoff<unknown> | undefined;
  private current: IBackoff<unknown> | undefined;

  constructor(readonly settings: BackoffSettings) {}

  /** The next wait in ms (grows with each call until {@link reset}). */
  next(): number {
    this.factory ??= exponential(this.settings);
    this.current = this.current ? this.current.next(undefined) : this.factory.next();
    return clamp(this.settings, this.current.duration);
  }

  /** Starts again from `minMs` (after a success). */
  reset(): void {
    this.current = undefined;
  }
}

/**
 * A cockatiel retry policy waiting with the {@link Backoff} arithmetic: for loops that cockatiel
 * runs (topic writes, Kinesis requests).
 * @param options.maxAttempts - attempts in all, the first included; default unbounded.
 * @param options.retryable - which errors are retried; others are rethrown at once.
 */
export function backoffPolicy(settings: BackoffSettings, options: { maxAttempts?: number; retryable: (err: unknown) => boolean }): RetryPolicy {
  const backoff = exponential(settings);
  const { handleWhen, retry } = cockatiel();
  return retry(handleWhen(options.retryable), {
    maxAttempts: options.maxAttempts === undefined ? Number.MAX_SAFE_INTEGER : options.maxAttempts - 1,
    backoff: { next: () => wrap(backoff.next(), settings) },
  });
}

/** A cockatiel backoff step whose durations are clamped like {@link Backoff.next}. */
function wrap(step: IBackoff<unknown>, settings: BackoffSettings): IBackoff<unknown> {
  return {
    duration: clamp(settings, step.duration),
    next: (context) => wrap(step.next(context), settings),
  };
}
