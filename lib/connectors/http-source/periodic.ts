import { type HttpResponse, isConfigError, type PeriodicSource, RetryableError, type SourceContext } from '../../core';
import { CharsetResolver, decodeText } from './charset';
import { createBodyFormatter, responseHead } from './formatter';
import { buildRequest, describeError, headerValue, isRetryableStatus, isSuccess, readBody } from './request';
import { RequestSignal } from './request-signal';
import { parseRetryAfter } from '../../core/retry-after';
import type { HttpSourceConfig } from './schema';

/**
 * Creates the periodic http-source (`stream: false`): the runtime calls `poll` once per
 * `interval` slot; each poll sends one request and emits at most one record.
 *
 * Per request:
 * - A 2xx response is read whole (limit `request_timeout` ms for the whole exchange, body
 *   included) and emitted as ONE record with a null key, shaped by `output_parts`/`output_type`.
 * - A non-2xx response is not produced (unless `produce_any_status`): it is logged as a warning
 *   with its status and body size and counted in `metrics.errors` and `metrics.dropped`.
 * - Network errors, timeouts, 429 and 5xx are logged, counted in `metrics.errors`, and thrown as a
 *   `RetryableError` (with `Retry-After` as `retryAfterMs`): the runtime retries up to
 *   `max_retries` times within the poll's slot, waiting with backoff (`backoff_min`…`backoff_max`)
 *   or `Retry-After` capped at `backoff_max` (see `source.retry`). Other 4xx are not retried.
 *
 * The poll resolves once its record is handed over (`ctx.emit`: in the runtime, the commit runs
 * while the next poll's request is on the wire; see `PeriodicSource.poll`). It rejects with the
 * topic's error when `ctx.emit` rejects (the previous record's commit failed), and with a `CONFIG_*`
 * ConnectorError when the transport refuses the request itself (counted in `metrics.errors`; the
 * runtime ends the connector with it). When `ctx.signal` aborts, the
 * request in flight is cancelled and the poll resolves without counting an error.
 *
 * Fluvio's periodic mode instead produces every response whatever its status, has no request
 * timeout and never retries (`source.rs`).
 */
export function createPeriodicHttpSource(config: HttpSourceConfig): PeriodicSource {
  const charsets = new CharsetResolver();
  return {
    kind: 'periodic',
    intervalMs: config.interval,
    retry: { maxRetries: config.max_retries, minMs: config.backoff_min, maxMs: config.backoff_max },
    poll: (ctx) => pollOnce(config, charsets, ctx),
  };
}

/** Sends one request and produces its response. See {@link createPeriodicHttpSource}. */
async function pollOnce(config: HttpSourceConfig, charsets: CharsetResolver, ctx: SourceContext): Promise<void> {
  const { log, metrics } = ctx;
  const request = new RequestSignal(ctx.signal, config.request_timeout);
  let response: HttpResponse;
  let body: Buffer;
  try {
    response = await ctx.http(buildRequest(config, request.signal));
    body = await readBody(response.body);
  } catch (err) {
    if (ctx.signal.aborted) return;
    metrics.errors++;
    // A request Node refuses to build (a header value it rejects) is a config error: no retry fixes it.
    if (isConfigError(err)) throw err;
    if (request.timedOut) log.warn({ timeoutMs: config.request_timeout }, 'request timed out (request_timeout)');
    else log.warn({ error: describeError(err) }, 'Request execution failed');
    throw new RetryableError('request failed', { cause: err });
  } finally {
    request.release();
  }
  if (isSuccess(response.status) || config.produce_any_status) {
    await produce(config, charsets, ctx, response, body);
    return;
  }
  metrics.errors++;
  metrics.dropped++;
  const retry = isRetryableStatus(response.status);
  log.warn(
    { status: response.status, bytes: body.length, retry },
    'non-2xx response not produced (set produce_any_status: true to produce it)',
  );
  if (retry) {
    const retryAfterMs = parseRetryAfter(headerValue(response.headers, 'retry-after'), ctx.clock.now());
    throw new RetryableError(`HTTP ${response.status}`, { retryAfterMs });
  }
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
  const format = createBodyFormatter(config, () => responseHead(response), decode);
  await ctx.emit([{ key: null, value: format(body) }]);
}
