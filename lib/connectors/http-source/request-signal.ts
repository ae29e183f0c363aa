/**
 * The abort signal of one request: aborts when the connector stops (`parent`) or after
 * `timeoutMs`, and can be released once the request no longer needs either.
 *
 * It does what `AbortSignal.any([parent, AbortSignal.timeout(ms)])` does, but releasably: in
 * Node 20 every `AbortSignal.any()` over a long-lived signal stays registered on it until that
 * signal aborts (nodejs/node#55351), i.e. one leaked entry per poll for the whole run (measured:
 * about 250 bytes each, ~20 MB a day at one poll per second).
 */
export class RequestSignal {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly onParentAbort: () => void;
  private expired = false;

  /**
   * @param parent - the connector's signal (`ctx.signal`).
   * @param timeoutMs - `request_timeout` in ms, real time (like `AbortSignal.timeout`); at most
   *   `MAX_TIMER_MS` (the schema bounds it).
   */
  constructor(
    private readonly parent: AbortSignal,
    timeoutMs: number,
  ) {
    this.onParentAbort = () => this.controller.abort(parent.reason);
    if (parent.aborted) this.onParentAbort();
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.timer = setTimeout(() => {
      this.expired = true;
      this.controller.abort(new DOMException(`request_timeout of ${timeoutMs} ms exceeded`, 'TimeoutError'));
    }, timeoutMs);
    // Not unref'ed: a request in flight keeps the process alive until it settles or times out
    // (an unref'ed timer let `connector run` exit 0 silently when a response never came).
  }

  /** The signal to give the transport. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Whether the timeout fired (and aborted the signal). */
  get timedOut(): boolean {
    return this.expired;
  }

  /** Aborts the request now (e.g. to close a streaming connection). */
  abort(reason?: unknown): void {
    this.controller.abort(reason);
  }

  /** Stops the timeout and detaches from `parent`; the signal stays as it is. Idempotent. */
  release(): void {
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onParentAbort);
  }
}
