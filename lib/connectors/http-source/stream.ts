import { type ContinuousSource, type HttpResponse, isConfigError, type SourceContext, type SourceRecord } from '../../core';
import { BodyReader } from './body-reader';
import { CharsetResolver, decodeText, UTF8 } from './charset';
import { createBodyFormatter, responseHead } from './formatter';
import { buildRequest, describeError, isSuccess } from './request';
import { RequestSignal } from './request-signal';
import type { HttpSourceConfig } from './schema';
import { createSegmenter, type Segmenter } from './splitter';

/**
 * Creates the streaming http-source (`stream: true`): one long request whose body is split into
 * records on `delimiter` (Fluvio's `http_streaming_source.rs`). Each session is one connection;
 * the runtime reconnects whenever it ends, waiting with backoff (`backoff_min`…`backoff_max`,
 * reset after a connection that delivered at least one record) and logging "Disconnected from
 * source endpoint, attempting reconnect" as Fluvio does.
 *
 * Per connection:
 * - `request_timeout` ms limits the wait for the response headers only; the body may last forever.
 * - A non-2xx response (unless `produce_any_status`) is not produced: up to 64 KiB of it are read
 *   (for `request_timeout` ms at most) to log its size with its status, it is counted in
 *   `metrics.errors` and `metrics.dropped`, and treated as a failed connection.
 * - The body is split with a {@link Segmenter} (bytes for UTF-8, decoded text for other
 *   charsets); all segments completed by one chunk go out in ONE `ctx.emit` call, each shaped by
 *   `output_parts`/`output_type` with the same status and headers. Empty segments are produced.
 * - A clean end produces the final non-empty segment (Fluvio discards it). A broken connection
 *   (or a shutdown) does not: the incomplete segment is logged with its size in bytes and counted
 *   in `metrics.dropped`.
 *
 * `connect` resolves when the connection ends or `ctx.signal` aborts (an `emit` in flight is
 * awaited first), and rejects only when `ctx.emit` rejects (the topic failed), with that error.
 */
export function createStreamingHttpSource(config: HttpSourceConfig): ContinuousSource {
  const charsets = new CharsetResolver();
  return {
    kind: 'continuous',
    reconnect: { minMs: config.backoff_min, maxMs: config.backoff_max },
    connect: async (ctx) => ({ delivered: await connectOnce(config, charsets, ctx) }),
  };
}

/** At most this many bytes of a rejected (non-2xx) streaming response are read, to log its size. */
const REJECTED_BODY_LIMIT = 64 * 1024;

/** One connection: returns how many records it delivered. Throws only what `ctx.emit` throws. */
async function connectOnce(config: HttpSourceConfig, charsets: CharsetResolver, ctx: SourceContext): Promise<number> {
  const { log, metrics, signal } = ctx;
  const request = new RequestSignal(signal, config.request_timeout);
  const response = await openConnection(config, ctx, request);
  if (response === undefined) return 0;
  const reader = new BodyReader(response.body, (reason) => request.abort(reason));
  // Shutdown interrupts a read in progress; during an emit, the loop stops right after it.
  const onShutdown = (): void => void reader.interrupt(signal.reason);
  signal.addEventListener('abort', onShutdown, { once: true });
  try {
    if (!isSuccess(response.status) && !config.produce_any_status) {
      const bytes = await drain(reader, config.request_timeout, signal);
      metrics.errors++;
      metrics.dropped++;
      log.warn(
        { status: response.status, bytes },
        'streaming response has a non-2xx status; not produced (set produce_any_status: true to read it)',
      );
      return 0;
    }
    return await readSegments(config, charsets, ctx, response, reader);
  } finally {
    signal.removeEventListener('abort', onShutdown);
    await reader.close();
  }
}

/**
 * Sends the request and waits for the response headers, at most `request_timeout` ms; then
 * releases `request` (no timeout on the body, shutdown handled by the body reader).
 * Returns `undefined` when it failed (logged and counted) or was stopped by `ctx.signal`.
 * @throws a `CONFIG_*` ConnectorError (counted) when the transport refuses the request itself.
 */
async function openConnection(
  config: HttpSourceConfig,
  ctx: SourceContext,
  request: RequestSignal,
): Promise<HttpResponse | undefined> {
  const { log, metrics, signal } = ctx;
  try {
    return await ctx.http(buildRequest(config, request.signal));
  } catch (err) {
    if (signal.aborted) return undefined;
    metrics.errors++;
    if (isConfigError(err)) throw err; // no reconnect fixes a request Node refuses to build
    if (request.timedOut) log.warn({ timeoutMs: config.request_timeout }, 'no response headers within request_timeout');
    else log.warn({ error: describeError(err) }, 'Error connecting to streaming source');
    return undefined;
  } finally {
    request.release();
  }
}

/**
 * Reads and discards a rejected response body (at most {@link REJECTED_BODY_LIMIT} bytes and
 * `timeoutMs` ms) to learn its size. Returns the bytes read.
 */
async function drain(reader: BodyReader, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const onTimeout = (): void => void reader.interrupt(timeout.reason);
  timeout.addEventListener('abort', onTimeout, { once: true });
  let bytes = 0;
  try {
    while (bytes < REJECTED_BODY_LIMIT && !timeout.aborted && !signal.aborted) {
      const step = await reader.next();
      if (step.done) break;
      for (const chunk of step.value) bytes += chunk.length;
    }
  } catch {
    // broken or interrupted: the size read so far is what we log
  } finally {
    timeout.removeEventListener('abort', onTimeout);
  }
  return bytes;
}

/** Reads the body of a connection into records. Returns how many were delivered. */
async function readSegments(
  config: HttpSourceConfig,
  charsets: CharsetResolver,
  ctx: SourceContext,
  response: HttpResponse,
  reader: BodyReader,
): Promise<number> {
  const { log, metrics, signal } = ctx;
  const encoding = charsets.resolve(response.headers, log);
  // Byte segments only come from UTF-8 bodies; text segments are already decoded.
  const format = createBodyFormatter(config, () => responseHead(response), (bytes) => decodeText(bytes, UTF8));
  const segmenter = createSegmenter(config.delimiter, encoding);
  let delivered = 0;
  const emit = async (segments: ReadonlyArray<Uint8Array | string>): Promise<void> => {
    if (segments.length === 0) return;
    const records: SourceRecord[] = segments.map((segment) => ({ key: null, value: format(segment) }));
    await ctx.emit(records);
    delivered += records.length;
  };
  while (!signal.aborted) {
    let step: IteratorResult<Uint8Array[], undefined>;
    try {
      step = await reader.next();
    } catch (err) {
      if (!signal.aborted) {
        metrics.errors++;
        if (segmenter.pendingBytes > 0) dropIncomplete(segmenter, ctx, 'connection broke mid-record; incomplete segment not produced', err);
        else log.warn({ error: describeError(err) }, 'streaming connection broke');
      }
      break;
    }
    if (step.done) {
      await emit(segmenter.end());
      return delivered;
    }
    // Every chunk of the group, split in order, goes out in one emit (one topic transaction).
    const segments: Array<Uint8Array | string> = [];
    for (const chunk of step.value) for (const segment of segmenter.push(chunk)) segments.push(segment);
    await emit(segments);
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
