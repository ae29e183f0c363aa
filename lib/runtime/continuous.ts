import { Backoff, BackoffDefaults, type ContinuousSource, RetryableError, type SessionEnd, type SourceContext } from '../core';

/**
 * Runs a continuous source until `ctx.signal` aborts or a session reports `done`: the reconnect
 * loop the runtime owns (Benthos-style connect/read/close). Each session is counted in
 * `metrics.polls`. Between sessions it logs "Disconnected from source endpoint, attempting
 * reconnect" (as Fluvio does) and waits with backoff (`source.reconnect`, default
 * `BackoffDefaults.source`), reset after a session that delivered at least one record.
 *
 * @returns `true` when the source is exhausted (`done`), `false` when the signal stopped it.
 * @throws whatever a session throws other than a {@link RetryableError} (a failed topic, a fatal
 *   protocol error): the connector ends.
 */
export async function runContinuous(source: ContinuousSource, ctx: SourceContext): Promise<boolean> {
  const { signal, log, clock, metrics } = ctx;
  const backoff = new Backoff(source.reconnect ?? BackoffDefaults.source);
  while (!signal.aborted) {
    metrics.polls++;
    let end: SessionEnd;
    try {
      end = await source.connect(ctx);
    } catch (err) {
      if (!(err instanceof RetryableError)) throw err;
      end = { delivered: 0 };
    }
    if (end.done) return true;
    if (signal.aborted) break;
    if (end.delivered > 0) backoff.reset();
    const delayMs = backoff.next();
    log.info({ delayMs }, 'Disconnected from source endpoint, attempting reconnect');
    await clock.sleep(delayMs, signal);
  }
  return false;
}
