import {
  Backoff,
  BackoffDefaults,
  type ConnectorMetrics,
  ConnectorError,
  ErrorCode,
  type Logger,
  type ProducerRecord,
  RuntimeDefaults,
  type SourceRecord,
  systemClock,
  TopicNotFoundError,
  type TopicProducer,
  TopicWriteError,
} from '../core';

/** Retry settings of the topic writes. Defaults: `BackoffDefaults.topicWrite` (100 ms doubling up to 10 s). */
export interface ProducerRetryOptions {
  /** Lower bound of the first delay after a failed write, in ms. Default 100. */
  minMs?: number;
  /** Cap of the delay between two attempts, in ms. Default 10 000. */
  maxMs?: number;
  /**
   * Once the connector is stopping, how long (ms) to keep retrying a failing write before giving
   * up and reporting the records as undelivered. Default `RuntimeDefaults.stopGraceMs` (10 000).
   */
  stopGraceMs?: number;
}

/** The producing half of the runtime: source records in, durable topic records out. */
export interface RecordPipeline {
  /** See {@link SourceContext.emit}: resolves when the topic accepted every record. */
  emit(records: readonly SourceRecord[]): Promise<void>;
  /**
   * Pipelined emit, one batch in flight (Kafka producer style, `max.in.flight` 1): waits until the
   * batch handed over before (by `handOver` or `emit`) is committed, then queues `records` and
   * resolves without waiting for their commit. Their write starts once the caller's next request is
   * on the wire ({@link startHandedOver}) or else on a later turn of the event loop (`setImmediate`),
   * so the commit runs while that request is on the wire. Batches are written in order, with the
   * same retries as {@link emit}.
   *
   * @throws (rejects with) a {@link TopicWriteError} when the batch before could not be written: its
   *   `undelivered` counts that batch and `records` (neither is written; nothing is dropped silently).
   */
  handOver(records: readonly SourceRecord[]): Promise<void>;
  /**
   * Starts now the write of the batch handed over last, if it has not started yet (otherwise does
   * nothing). The runtime calls it when the source's next request has been handed to the connection
   * (the transport's `onSent`): the commit then runs while that request is on the wire from its first
   * microsecond, instead of on the `setImmediate` turn, which stays as the fallback for a source that
   * sends no request (about 20 µs of a poll on the bench machine, `npm run bench -- http`).
   */
  startHandedOver(): void;
  /** Resolves when every emitted or handed-over record has been written (or rejects with the write error). */
  flush(): Promise<void>;
  /**
   * Marks the connector as stopping: failing writes are retried for at most
   * {@link ProducerRetryOptions.stopGraceMs} more, then rejected as undelivered.
   */
  stopping(): void;
}

const encoder = new TextEncoder();
const toBytes = (v: string | Uint8Array): Uint8Array => (typeof v === 'string' ? encoder.encode(v) : v);

/** Errors that retrying cannot fix: the topic is gone, access is denied, a record is too large. */
const isPermanent = (err: unknown): boolean => err instanceof TopicNotFoundError || (err instanceof TopicWriteError && err.permanent);

/**
 * Wraps a {@link TopicProducer} with ordering, metrics and retries.
 *
 * - Writes are serialised: batches reach the topic in emit order.
 * - A failed write is retried with the core backoff (`BackoffDefaults.topicWrite`) for as long as the
 *   connector runs: a topic outage never drops received records. Each failure is logged and
 *   counted in `metrics.errors`. The whole batch is resent (at-least-once).
 * - A permanent error (the topic was deleted, {@link TopicWriteError.permanent}: access denied, a
 *   record over the backend's size limit), or a write still failing `stopGraceMs` after
 *   {@link RecordPipeline.stopping}, rejects with {@link TopicWriteError} carrying the number of
 *   undelivered records, and every later emit rejects too.
 */
export function createRecordPipeline(
  producer: TopicProducer,
  options: { log: Logger; metrics: ConnectorMetrics; retry?: ProducerRetryOptions },
): RecordPipeline {
  const { log, metrics } = options;
  const settings = { minMs: options.retry?.minMs ?? BackoffDefaults.topicWrite.minMs, maxMs: options.retry?.maxMs ?? BackoffDefaults.topicWrite.maxMs };
  const stopGraceMs = options.retry?.stopGraceMs ?? RuntimeDefaults.stopGraceMs;
  const stop = new AbortController();
  let stopTimer: NodeJS.Timeout | undefined;
  let failure: TopicWriteError | undefined;
  let tail: Promise<void> = Promise.resolve();
  /** Starts the write of the batch handed over last; set until that write starts. */
  let pendingStart: (() => void) | undefined;

  /**
   * Sends `batch` until it is accepted: the first attempt at once (a poll's write is on the path of every
   * poll: no retry machinery on it), each retry after a delay of the core backoff (`Backoff`). Throws a
   * permanent error at once; once stopping, makes no new attempt after a failure and cuts a delay short,
   * throwing the stop reason.
   */
  async function sendUntilAccepted(batch: ProducerRecord[]): Promise<void> {
    let backoff: Backoff | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        await producer.send(batch);
        return;
      } catch (err) {
        if (isPermanent(err) || stop.signal.aborted) throw err;
        backoff ??= new Backoff(settings);
        const delayMs = backoff.next();
        metrics.errors++;
        log.warn({ err, delayMs: Math.round(delayMs), attempt }, 'topic write failed, retrying');
        await systemClock.sleep(delayMs, stop.signal);
        if (stop.signal.aborted) throw stop.signal.reason;
      }
    }
  }

  async function write(batch: ProducerRecord[], bytes: number): Promise<void> {
    if (failure) throw failure;
    try {
      await sendUntilAccepted(batch);
      metrics.records += batch.length;
      metrics.bytes += bytes;
    } catch (err) {
      const reason = stop.signal.aborted && !isPermanent(err) ? `still failing ${stopGraceMs} ms after stop` : 'permanent error';
      failure = new TopicWriteError(
        `could not write ${batch.length} record(s) to topic "${producer.topic}" (${reason}): ${errorMessage(err)}`,
        batch.length,
        err,
      );
      log.error({ err, undelivered: batch.length, topic: producer.topic }, 'records not delivered to the topic');
      throw failure;
    }
  }

  /** The records as the producer takes them, and their value bytes. */
  function encode(records: readonly SourceRecord[]): { batch: ProducerRecord[]; bytes: number } {
    let bytes = 0;
    const batch: ProducerRecord[] = records.map((r) => {
      const value = toBytes(r.value);
      bytes += value.byteLength;
      return { key: r.key == null ? null : toBytes(r.key), value };
    });
    return { batch, bytes };
  }

  /** The error a hand-over gets when the batch before it failed: both batches are undelivered. */
  function refused(count: number, previous: TopicWriteError): TopicWriteError {
    if (count === 0) return previous;
    log.error({ undelivered: count, topic: producer.topic }, 'records not delivered to the topic (an earlier write failed)');
    return new TopicWriteError(`${previous.message}; ${count} more record(s) handed over after it not written`, previous.undelivered + count, previous, previous.permanent);
  }

  return {
    emit(records) {
      if (records.length === 0) return tail;
      if (failure) return Promise.reject(failure);
      const { batch, bytes } = encode(records);
      const done = tail.then(() => write(batch, bytes));
      tail = done.catch(() => undefined);
      return done;
    },
    handOver(records) {
      // Chained on `tail` at once, so concurrent hand-overs still commit in call order.
      let commit: Promise<void> | undefined;
      const handed = tail.then(() => {
        if (failure) throw refused(records.length, failure);
        if (records.length === 0) return;
        const { batch, bytes } = encode(records);
        commit = new Promise<void>((resolve) => {
          const start = (): void => {
            if (pendingStart !== start) return; // started already
            pendingStart = undefined;
            write(batch, bytes).then(resolve, () => resolve());
          };
          pendingStart = start;
          setImmediate(start);
        });
      });
      tail = handed.then(
        () => commit,
        () => undefined,
      );
      return handed;
    },
    startHandedOver() {
      pendingStart?.();
    },
    async flush() {
      await tail;
      if (failure) throw failure;
    },
    stopping() {
      if (stopTimer) return;
      stopTimer = setTimeout(() => stop.abort(new ConnectorError('stop grace period over', ErrorCode.TOPIC_WRITE_FAILED)), stopGraceMs);
      stopTimer.unref();
    },
  };
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
