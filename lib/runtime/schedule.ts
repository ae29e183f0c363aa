import { Backoff, isConfigError, type PeriodicSource, RetryableError, type SourceContext, TopicNotFoundError, TopicWriteError, TransformError } from '../core';
import type { RunContext } from './source-context';

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
 * One slot of a periodic source, retries included (the runtime owns them): calls `source.poll`;
 * when it throws a {@link RetryableError}, waits with backoff (`source.retry`: `minMs`…`maxMs`) or
 * the error's `retryAfterMs` (capped at `maxMs`) and polls again, at most `maxRetries` times and
 * never past the slot (a retry that would start `intervalMs` or more after the slot's first
 * attempt is not made: the next slot supersedes it). Counts every attempt in `metrics.polls` and
 * sets `metrics.lastPollAt` when the slot ends, whatever its outcome.
 *
 * Resolves when a poll succeeded, gave up (logged), or the connector stopped.
 * @throws whatever else a poll throws (see {@link pollOnce}, which logs and counts it).
 */
export async function pollSlot(source: PeriodicSource, ctx: SourceContext): Promise<void> {
  const { clock, signal, log, metrics } = ctx;
  const start = clock.now();
  const retry = source.retry;
  const backoff = retry ? new Backoff(retry) : undefined;
  try {
    for (let retries = 0; ; retries++) {
      metrics.polls++;
      try {
        await source.poll(ctx);
        return;
      } catch (err) {
        if (!(err instanceof RetryableError)) throw err;
        if (signal.aborted || !retry || !backoff) return;
        if (retries >= retry.maxRetries) {
          log.warn({ retries }, 'poll failed after all retries; the next poll tries again');
          return;
        }
        const delayMs = err.retryAfterMs !== undefined ? Math.min(err.retryAfterMs, retry.maxMs) : backoff.next();
        if (clock.now() + delayMs - start >= source.intervalMs) {
          log.warn({ delayMs, intervalMs: source.intervalMs }, "not retrying: the retry would start after this poll's interval slot; the next poll supersedes it");
          return;
        }
        log.info({ retry: retries + 1, delayMs }, 'retrying request');
        await clock.sleep(delayMs, signal);
        if (signal.aborted) return;
      }
    }
  } finally {
    metrics.lastPollAt = clock.now();
  }
}

/**
 * One slot, never failing the run for a poll's own error: a poll that throws (other than
 * retryable errors, which {@link pollSlot} handles) is logged and counted (`metrics.errors`), so
 * the next slot polls again; a {@link TopicWriteError} (records could not be written), a
 * {@link TopicNotFoundError} (the topic is missing: no later poll can write either), a
 * {@link TransformError} (a transform failed with `on_error: fail`) and a `CONFIG_*`
 * ConnectorError (the request cannot be sent as configured, e.g. a header value Node refuses: the
 * source counted it) are rethrown: they end the run.
 */
export async function pollOnce(source: PeriodicSource, ctx: SourceContext): Promise<void> {
  try {
    await pollSlot(source, ctx);
  } catch (err) {
    if (err instanceof TopicWriteError || err instanceof TopicNotFoundError || err instanceof TransformError || isConfigError(err)) throw err;
    ctx.metrics.errors++;
    ctx.log.error({ err }, 'poll failed');
  }
}

/**
 * Waits `ms` (`ctx.clock.sleep`, cut short when `ctx.signal` aborts) and, with a pipelined emit,
 * for the commit of the records handed over so far: the next poll starts with nothing in flight.
 * A commit that fails ends the wait at once, rejecting with its error (a `TopicWriteError`), so a
 * long interval never hides a dead topic until the next poll.
 */
export async function sleepCommitted(ctx: RunContext, ms: number, signal: AbortSignal = ctx.signal): Promise<void> {
  const commit = ctx.committed?.();
  if (!commit) return ctx.clock.sleep(ms, signal);
  const wake = new AbortController();
  const onAbort = (): void => wake.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    await Promise.all([
      commit.catch((err: unknown) => {
        wake.abort();
        throw err;
      }),
      ctx.clock.sleep(ms, wake.signal),
    ]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs a periodic source until `ctx.signal` aborts: first poll at once, then one poll per slot.
 * A poll that throws is logged and counted (`metrics.errors`) and the next slot polls again;
 * a {@link TopicWriteError} (records could not be written) ends the run by rethrowing. With a
 * pipelined emit ({@link RunContext.committed}), the commit of a poll's records runs while the
 * runner waits for the next slot (a failed commit ends the wait at once), and the run returns only
 * once every record handed over is committed: stopping flushes.
 */
export async function runPeriodic(source: PeriodicSource, ctx: RunContext): Promise<void> {
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
    await sleepCommitted(ctx, start + slot * interval - now);
  }
  await ctx.committed?.();
}
