import { finished, Readable } from 'node:stream';

/** A group stops growing at this many bytes (the body is paused until the next call): 1 MiB, one stored batch. */
export const MAX_GROUP_BYTES = 1024 * 1024;

/**
 * Reads a streaming response body in groups of chunks and closes it without crashing Node.
 *
 * **Grouping.** {@link next} returns every chunk that arrived since the previous call, not one chunk:
 * chunks are collected with `'data'` listeners until the end of the event loop's I/O phase
 * (`setImmediate`), so all the reads Node makes from the socket in one loop turn (up to 32 of 64 KiB)
 * reach the caller together and become one `ctx.emit`, i.e. one topic transaction. Record per record
 * the split and the records are the same as chunk by chunk; only the batches are larger. (On the
 * bench machine the stream's async iterator, one 64 KiB chunk per step, held ingest at 0.4 of a raw
 * read: one commit per chunk.)
 *
 * **Backpressure.** The body is paused from the moment a group is handed out until the next call to
 * {@link next}: while the caller writes to the topic (however long it takes: a Kinesis backend that
 * retries), Node buffers at most the stream's high-water mark and then stops reading the socket, so
 * TCP slows the server down. A group also stops at {@link MAX_GROUP_BYTES}. Nothing is read ahead
 * without bound.
 *
 * **Closing.** Closing a body by aborting the request's signal is not safe: destroying a Node request
 * with an error while its response is complete but not fully read lets Node emit `'error'` on the
 * socket at a moment when the socket has no error listener (see the "TODO(ronag)" in
 * `responseKeepAlive` of Node's `_http_client.js`), which is an uncaught exception. So this reader:
 * - {@link interrupt}s (aborts the connection) only while a read is pending, i.e. while the response
 *   is still incomplete on the wire;
 * - {@link close}s an unfinished body with `destroy()` and no error (what a stream's async iterator
 *   does on `return()`).
 *
 * Chunks that arrived before the body failed are handed out first; the failure is thrown by the
 * following {@link next}.
 */
export class BodyReader {
  private readonly stream: Readable;
  private queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private ended = false;
  private failure: { error: unknown } | undefined;
  /** Wakes a pending {@link next}; set while one waits. */
  private wake: (() => void) | undefined;
  private wakeScheduled = false;
  private reading = false;
  private closed = false;

  /**
   * @param body - the response body: a Node stream (what `nodeHttpTransport` gives) or any async
   *   iterable of byte chunks (wrapped with `Readable.from`).
   * @param abortRequest - aborts the request (through the signal given to the transport).
   */
  constructor(
    body: AsyncIterable<Uint8Array>,
    private readonly abortRequest: (reason: unknown) => void,
  ) {
    this.stream = body instanceof Readable ? body : Readable.from(body, { objectMode: false });
    this.stream.on('data', (chunk: Uint8Array) => {
      this.queue.push(chunk);
      this.queuedBytes += chunk.length;
      // A body that can always give more at once (a fast local source) would otherwise flow forever.
      if (this.queuedBytes >= MAX_GROUP_BYTES) this.stream.pause();
      this.scheduleWake();
    });
    finished(this.stream, (err) => {
      if (err) this.failure = { error: err };
      else this.ended = true;
      this.scheduleWake();
    });
    this.stream.pause();
  }

  /**
   * The chunks that arrived since the last call, in order (at least one), or `done` at the clean end
   * of the body. Resumes the body while it waits and pauses it again before it returns.
   *
   * @throws whatever the body failed with: a broken connection (`ERR_STREAM_PREMATURE_CLOSE` when it
   *   closed before its end), or an {@link interrupt}; only once every chunk received before was returned.
   */
  async next(): Promise<IteratorResult<Uint8Array[], undefined>> {
    this.reading = true;
    try {
      for (;;) {
        if (this.queue.length > 0) {
          const chunks = this.queue;
          this.queue = [];
          this.queuedBytes = 0;
          this.stream.pause();
          return { done: false, value: chunks };
        }
        if (this.failure) {
          this.closed = true;
          throw this.failure.error;
        }
        if (this.ended) {
          this.closed = true;
          return { done: true, value: undefined };
        }
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          this.stream.resume();
        });
      }
    } finally {
      this.reading = false;
    }
  }

  /**
   * Makes a pending {@link next} throw by aborting the connection. Does nothing when no read is
   * pending: the caller then notices its own stop condition before reading again.
   *
   * @returns whether the connection was aborted.
   */
  interrupt(reason: unknown): boolean {
    if (!this.reading) return false;
    this.abortRequest(reason);
    return true;
  }

  /** Releases the body: closes the connection if the body was not read to its end. Never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stream.destroy();
  }

  /** Wakes the waiting {@link next} once the current I/O phase is over (so its reads are grouped). */
  private scheduleWake(): void {
    if (this.wakeScheduled) return;
    this.wakeScheduled = true;
    setImmediate(() => {
      this.wakeScheduled = false;
      const wake = this.wake;
      this.wake = undefined;
      wake?.();
    });
  }
}
