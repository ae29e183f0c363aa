import type { HttpResponse } from '../../core/http';
import type { PeriodicSource, SourceContext } from '../../core/connector';
import { Backoff, parseRetryAfter } from '../../core/backoff';
import { CharsetResolver, decodeText } from './charset';
import { createBodyFormatter, responseHead } from './formatter';
import { buildRequest, describeError, headerValue, isRetryableStatus, isSuccess, readBody } from './request';
import { RequestSignal } from './request-signal';
import type { HttpSourceConfig } from './schema';

/** What one request of a poll came to. */
type Attempt =
  | { readonly kind: 'produce'; readonly response: HttpResponse; readonly body: Buffer }
  | { readonly kind: 'failed'; readonly retry: boolean; readonly retryAfterMs?: number }
  | { readonly kind: 'aborted' };

/**
 * Creates the periodic http-source (`stream: false`): the runtime calls `poll` once per
 * `interval` slot; each poll sends one request (plus retries) and emits at most one record.
 *
 * Per poll:
 * - A 2xx response is read whole (limit `request_timeout` ms for the whole exchange, body
 *   included) and emitted as ONE record with a null key, shaped by `output_parts`/`output_type`.
 * - A non-2xx response is not produced (unless `produce_any_status`): it is logged as a warning
 *   with its status and body size and counted in `metrics.errors` and `metrics.dropped`.
 * - Network errors, timeouts, 429 and 5xx are retried up to `max_retries` times, waiting with
 *   {@link Backoff} (`backoff_min`…`backoff_max`) or `Retry-After` (capped at `backoff_max`), but
 *   never past the poll's slot: a retry that would start `interval` ms or more after the poll
 *   started is not made (the next poll supersedes it). Other 4xx are not retried.
 * - `metrics.polls` counts every request sent (retries included); `metrics.lastPollAt` is set
 *   when the poll ends, whatever its outcome.
 *
 * A poll that finally fails resolves normally (logged and counted). It rejects only when
 * `ctx.emit` rejects (the topic failed), with that error. When `ctx.signal` aborts, the request in
 * flight is cancelled and the poll resolves without counting an error.
 *
 * Fluvio's periodic mode instead produces every response whatever its status, has no request
 * timeout and never retries (`source.rs`).
 */
export function createPeriodicHttpSource(config: HttpSourceConfig): PeriodicSource {
  const charsets = new CharsetResolver();
  return {
    kind: 'periodic',
    intervalMs: config.interval,
    poll: (ctx) => pollWithRetries(config, charsets, ctx),
  };
}

async function pollWithRetries(config: HttpSourceConfig, charsets: CharsetResolver, ctx: SourceContext): Promise<void> {
  const { clock, signal, log } = ctx;
  const start = clock.now();
  const backoff = new Backoff(config.backoff_min, config.backoff_max);
  try {
    for (let retries = 0; ; retries++) {
      const attempt = await requestOnce(config, ctx);
      if (attempt.kind === 'produce') {
        await produce(config, charsets, ctx, attempt.response, attempt.body);
        return;
      }
      if (attempt.kind === 'aborted' || !attempt.retry) return;
      if (retries >= config.max_retries) {
        log.warn({ retries }, 'poll failed after all retries; the next poll tries again');
        return;
      }
      const delayMs =
        attempt.retryAfterMs !== undefined ? Math.min(attempt.retryAfterMs, config.backoff_max) : backoff.next();
      if (clock.now() + delayMs - start >= config.interval) {
        log.warn(
          { delayMs, intervalMs: config.interval },
          "not retrying: the retry would start after this poll's interval slot; the next poll supersedes it",
        );
        return;
      }
      log.info({ retry: retries + 1, delayMs }, 'retrying request');
      await clock.sleep(delayMs, signal);
      if (signal.aborted) return;
    }
  } finally {
    ctx.metrics.lastPollAt = clock.now();
  }
}

/** Sends one request and reads its body. Never throws: failures are logged, counted and returned. */
async function requestOnce(config: HttpSourceConfig, ctx: SourceContext): Promise<Attempt> {
  const { log, metrics } = ctx;
  metrics.polls++;
  const request = new RequestSignal(ctx.signal, config.request_timeout);
  let response: HttpResponse;
  let body: Buffer;
  try {
    response = await ctx.http(buildRequest(config, request.signal));
    body = await readBody(response.body);
  } catch (err) {
    if (ctx.signal.aborted) return { kind: 'aborted' };
    metrics.errors++;
    if (request.timedOut) log.warn({ timeoutMs: config.request_timeout }, 'request timed out (request_timeout)');
    else log.warn({ error: describeError(err) }, 'Request execution failed');
    return { kind: 'failed', retry: true };
  } finally {
    request.release();
  }
  if (isSuccess(response.status) || config.produce_any_status) return { kind: 'produce', response, body };
  metrics.errors++;
  metrics.dropped++;
  const retry = isRetryableStatus(response.status);
  log.warn(
    { status: response.status, bytes: body.length, retry },
    'non-2xx response not produced (set produce_any_status: true to produce it)',
  );
  const retryAfterMs = retry ? parseRetryAfter(headerValue(response.headers, 'retry-after'), ctx.clock.now()) : undefined;
  return { kind: 'failed', retry, retryAfterMs };
}

/** Formats the response as one record and emits it (awaited: backpressure; a rejection propagates). */
async function produce(
  config: HttpSourceConfig,
  charsets: CharsetResolver,
  ctx: SourceContext,
  response: HttpResponse,
  body: Buffer,
): Promise<void> {
  // The charset is resolved only when the shape needs text, so text/body never warns about it.
  const decode = (bytes: Uint8Array): string => decodeText(bytes, charsets.resolve(response.headers, ctx.log));
  const format = createBodyFormatter(config, responseHead(response), decode);
  await ctx.emit([{ key: null, value: format(body) }]);
}
