import type { HttpResponse } from '../../runtime/http';
import type { ContinuousSource, SourceContext, SourceRecord } from '../types';
import { Backoff } from './backoff';
import { CharsetResolver, decodeText, UTF8 } from './charset';
import { createBodyFormatter, responseHead } from './formatter';
import { buildRequest, describeError, isSuccess } from './request';
import type { HttpSourceConfig } from './schema';
import { createSegmenter, type Segmenter } from './splitter';

/**
 * Creates the streaming http-source (`stream: true`): one long request whose body is split into
 * records on `delimiter` (Fluvio's `http_streaming_source.rs`), reconnecting whenever it ends.
 *
 * Per connection:
 * - `request_timeout` ms limits the wait for the response headers only; the body may last forever.
 * - A non-2xx response (unless `produce_any_status`) is not read: it is logged with its status,
 *   counted in `metrics.errors` and `metrics.dropped`, and treated as a failed connection.
 * - The body is split with a {@link Segmenter} (bytes for UTF-8, decoded text for other
 *   charsets); all segments completed by one chunk go out in ONE `ctx.emit` call, each shaped by
 *   `output_parts`/`output_type` with the same status and headers. Empty segments are produced.
 * - A clean end produces the final non-empty segment (Fluvio discards it). A broken connection
 *   (or a shutdown) does not: the incomplete segment is logged with its size in bytes and counted
 *   in `metrics.dropped`.
 *
 * Between connections it logs "Disconnected from source endpoint, attempting reconnect" (as
 * Fluvio does) and waits with {@link Backoff} (`backoff_min`…`backoff_max`), reset after a
 * connection that delivered at least one record. `metrics.polls` counts connections;
 * `metrics.lastPollAt` is set after each emitted batch.
 *
 * `run` resolves when `ctx.signal` aborts (an `emit` in flight is awaited first), and rejects only
 * when `ctx.emit` rejects (the topic failed), with that error.
 */
export function createStreamingHttpSource(config: HttpSourceConfig): ContinuousSource {
  const charsets = new CharsetResolver();
  return {
    kind: 'continuous',
    run: (ctx) => runStream(config, charsets, ctx),
  };
}

async function runStream(config: HttpSourceConfig, charsets: CharsetResolver, ctx: SourceContext): Promise<void> {
  const backoff = new Backoff(config.backoff_min, config.backoff_max);
  while (!ctx.signal.aborted) {
    const delivered = await connectOnce(config, charsets, ctx);
    if (ctx.signal.aborted) break;
    if (delivered > 0) backoff.reset();
    const delayMs = backoff.next();
    ctx.log.info({ delayMs }, 'Disconnected from source endpoint, attempting reconnect');
    await ctx.clock.sleep(delayMs, ctx.signal);
  }
}

/** One connection: returns how many records it delivered. Throws only what `ctx.emit` throws. */
async function connectOnce(config: HttpSourceConfig, charsets: CharsetResolver, ctx: SourceContext): Promise<number> {
  const { log, metrics, signal } = ctx;
  metrics.polls++;
  // Closes this connection: on a header timeout, and in any case when we are done with it.
  const connection = new AbortController();
  const headersTimeout = AbortSignal.timeout(config.request_timeout);
  const onTimeout = (): void => connection.abort(headersTimeout.reason);
  headersTimeout.addEventListener('abort', onTimeout, { once: true });
  let response: HttpResponse;
  try {
    response = await ctx.http(buildRequest(config, AbortSignal.any([signal, connection.signal])));
  } catch (err) {
    if (signal.aborted) return 0;
    metrics.errors++;
    if (headersTimeout.aborted) log.warn({ timeoutMs: config.request_timeout }, 'no response headers within request_timeout');
    else log.warn({ error: describeError(err) }, 'Error connecting to streaming source');
    return 0;
  } finally {
    headersTimeout.removeEventListener('abort', onTimeout);
  }
  try {
    if (!isSuccess(response.status) && !config.produce_any_status) {
      metrics.errors++;
      metrics.dropped++;
      log.warn(
        { status: response.status },
        'streaming response has a non-2xx status; not read (set produce_any_status: true to read it)',
      );
      return 0;
    }
    return await readSegments(config, charsets, ctx, response);
  } finally {
    connection.abort(); // no-op after a clean end; otherwise closes the socket
  }
}

/** Reads the body of a connection into records. Returns how many were delivered. */
async function readSegments(
  config: HttpSourceConfig,
  charsets: CharsetResolver,
  ctx: SourceContext,
  response: HttpResponse,
): Promise<number> {
  const { log, metrics, signal } = ctx;
  const encoding = charsets.resolve(response.headers, log);
  // Byte segments only come from UTF-8 bodies; text segments are already decoded.
  const format = createBodyFormatter(config, responseHead(response), (bytes) => decodeText(bytes, UTF8));
  const segmenter = createSegmenter(config.delimiter, encoding);
  let delivered = 0;
  const emit = async (segments: ReadonlyArray<Uint8Array | string>): Promise<void> => {
    if (segments.length === 0) return;
    const records: SourceRecord[] = segments.map((segment) => ({ key: null, value: format(segment) }));
    await ctx.emit(records);
    delivered += records.length;
    metrics.lastPollAt = ctx.clock.now();
  };
  const chunks = response.body[Symbol.asyncIterator]();
  while (!signal.aborted) {
    let step: IteratorResult<Uint8Array>;
    try {
      step = await chunks.next();
    } catch (err) {
      if (!signal.aborted) {
        metrics.errors++;
        dropIncomplete(segmenter, ctx, 'connection broke mid-record; incomplete segment not produced', err);
        if (segmenter.pendingBytes === 0) log.warn({ error: describeError(err) }, 'streaming connection broke');
      }
      break;
    }
    if (step.done) {
      await emit(segmenter.end());
      return delivered;
    }
    await emit(segmenter.push(step.value));
  }
  if (signal.aborted) dropIncomplete(segmenter, ctx, 'stopping: incomplete segment not produced');
  return delivered;
}

/** Logs and counts the incomplete segment, if any (never dropped silently). */
function dropIncomplete(segmenter: Segmenter, ctx: SourceContext, message: string, err?: unknown): void {
  const bytes = segmenter.pendingBytes;
  if (bytes === 0) return;
  ctx.metrics.dropped++;
  ctx.log.warn({ bytes, ...(err === undefined ? {} : { error: describeError(err) }) }, message);
}
