/**
 * Reads a response body chunk by chunk and closes it without crashing Node.
 *
 * Closing a body by aborting the request's signal is not safe: destroying a Node request with an
 * error while its response is complete but not fully read lets Node emit `'error'` on the socket
 * at a moment when the socket has no error listener (see the "TODO(ronag)" in `responseKeepAlive`
 * of Node's `_http_client.js`), which is an uncaught exception. So this reader:
 * - {@link interrupt}s (aborts the connection) only while a read is pending, i.e. while the
 *   response is still incomplete on the wire;
 * - {@link close}s an unfinished body through the iterator's `return()`, which aborts the request
 *   without an error.
 */
export class BodyReader {
  private readonly chunks: AsyncIterator<Uint8Array>;
  private reading = false;
  private finished = false;

  /**
   * @param body - the response body.
   * @param abortRequest - aborts the request (through the signal given to the transport).
   */
  constructor(
    body: AsyncIterable<Uint8Array>,
    private readonly abortRequest: (reason: unknown) => void,
  ) {
    this.chunks = body[Symbol.asyncIterator]();
  }

  /**
   * The next chunk, or `done` at the clean end of the body.
   *
   * @throws whatever the body throws: a broken connection, or an {@link interrupt}.
   */
  async next(): Promise<IteratorResult<Uint8Array>> {
    this.reading = true;
    try {
      const step = await this.chunks.next();
      if (step.done) this.finished = true;
      return step;
    } catch (err) {
      this.finished = true;
      throw err;
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
    if (this.finished) return;
    this.finished = true;
    try {
      await this.chunks.return?.();
    } catch {
      // the body is being discarded; a failure to discard it cleanly changes nothing
    }
  }
}
