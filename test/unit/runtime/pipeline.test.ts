import { ErrorCode, RecordTooLargeError, TopicNotFoundError, TopicWriteError } from '../../../lib/core/errors';
import { silentLogger } from '../../../lib/core/log';
import { createMetrics } from '../../../lib/core/metrics';
import { createRecordPipeline } from '../../../lib/runtime/pipeline';
import type { ProducerRecord, TopicProducer } from '../../../lib/core/topics';
import { waitFor } from '../../support/wait-for';

/** A producer that fails its first `failures` sends (error path: cannot be provoked on a real store). */
class FlakyProducer implements TopicProducer {
  readonly topic = 't';
  readonly written: string[] = [];
  attempts = 0;
  constructor(
    private failures: number,
    private readonly error: () => Error = () => new Error('SQLITE_BUSY'),
  ) {}
  async send(records: readonly ProducerRecord[]): Promise<number> {
    this.attempts++;
    if (this.failures > 0) {
      this.failures--;
      throw this.error();
    }
    const first = this.written.length;
    for (const r of records) this.written.push(Buffer.from(r.value).toString());
    return first;
  }
  async close(): Promise<void> {}
}

const fast = { minMs: 1, maxMs: 5, stopGraceMs: 50 };

describe('runtime/pipeline', () => {
  it('should write records in emit order and count records and bytes', async () => {
    const producer = new FlakyProducer(0);
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });
    const a = pipeline.emit([{ value: 'a' }, { value: 'bb' }]);
    const b = pipeline.emit([{ value: new Uint8Array([99, 99, 99]) }]);
    await Promise.all([a, b]);
    await pipeline.flush();
    expect(producer.written).toEqual(['a', 'bb', 'ccc']);
    expect(metrics).toMatchObject({ records: 3, bytes: 6, errors: 0 });
  });

  it('should retry a failing topic until it accepts the records, losing nothing', async () => {
    const producer = new FlakyProducer(4);
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });
    await pipeline.emit([{ value: 'r1' }]);
    await pipeline.emit([{ value: 'r2' }]);
    expect(producer.written).toEqual(['r1', 'r2']);
    expect(producer.attempts).toBe(6);
    expect(metrics.errors).toBe(4);
    expect(metrics.records).toBe(2);
  });

  it('should fail with the undelivered count when the topic was deleted', async () => {
    const producer = new FlakyProducer(1, () => new TopicNotFoundError('t'));
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics: createMetrics(), retry: fast });
    const err = await pipeline.emit([{ value: 'x' }, { value: 'y' }]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TopicWriteError);
    expect((err as TopicWriteError).undelivered).toBe(2);
    expect((err as TopicWriteError).code).toBe(ErrorCode.TOPIC_WRITE_FAILED);
    await expect(pipeline.emit([{ value: 'z' }])).rejects.toBeInstanceOf(TopicWriteError);
    await expect(pipeline.flush()).rejects.toBeInstanceOf(TopicWriteError);
  });

  it.each([
    ['a record over the backend limit', () => new RecordTooLargeError('t', { index: 0, size: 2_000_000, limit: 1_048_576, undelivered: 1 })],
    ['access denied', () => new TopicWriteError('AccessDeniedException', 1, undefined, true)],
  ])('should fail at once, without retrying, for %s', async (_case, error) => {
    // Prepare
    const producer = new FlakyProducer(100, error);
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });

    // Act
    const err = await pipeline.emit([{ value: 'x' }]).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(TopicWriteError);
    expect((err as TopicWriteError).undelivered).toBe(1);
    expect(producer.attempts).toBe(1);
    expect(metrics.records).toBe(0);
  });

  it('should keep retrying a write error that is not permanent', async () => {
    // Prepare
    const producer = new FlakyProducer(3, () => new TopicWriteError('throttled after 8 attempts', 1));
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics: createMetrics(), retry: fast });

    // Act
    await pipeline.emit([{ value: 'x' }]);

    // Assess
    expect(producer.attempts).toBe(4);
    expect(producer.written).toEqual(['x']);
  });

  it('should keep the stop grace period even in the middle of a long backoff delay', async () => {
    // Prepare: the next retry would wait a minute; the grace period is 20 ms
    const producer = new FlakyProducer(Number.MAX_SAFE_INTEGER);
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics: createMetrics(), retry: { minMs: 60_000, maxMs: 60_000, stopGraceMs: 20 } });
    const pending = pipeline.emit([{ value: 'x' }]).catch((e: unknown) => e);
    await waitFor(() => producer.attempts >= 1, 5_000);

    // Act
    pipeline.stopping();

    // Assess: settles (well before the test timeout) with the undelivered record
    const err = await pending;
    expect(err).toBeInstanceOf(TopicWriteError);
    expect((err as TopicWriteError).undelivered).toBe(1);
    expect(producer.attempts).toBe(1);
  });

  it('should give up after the stop grace period and report what was not delivered', async () => {
    const producer = new FlakyProducer(Number.MAX_SAFE_INTEGER);
    const metrics = createMetrics();
    const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });
    const pending = pipeline.emit([{ value: 'lost?' }]).catch((e: unknown) => e);
    pipeline.stopping();
    const err = await pending;
    expect(err).toBeInstanceOf(TopicWriteError);
    expect((err as TopicWriteError).undelivered).toBe(1);
    expect(metrics.records).toBe(0);
    expect(metrics.errors).toBeGreaterThan(0);
  });

  describe('handOver (a periodic source\'s pipelined emit)', () => {
    it('should resolve before the commit and write the batches in hand-over order, also when handed over concurrently', async () => {
      // Prepare
      const producer = new FlakyProducer(0);
      const metrics = createMetrics();
      const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });

      // Act
      await pipeline.handOver([{ value: 'a' }]);
      const written = [...producer.written];
      await Promise.all([pipeline.handOver([{ value: 'b' }]), pipeline.handOver([]), pipeline.handOver([{ value: 'c' }, { value: 'd' }])]);
      await pipeline.flush();

      // Assess
      expect(written).toEqual([]);
      expect(producer.written).toEqual(['a', 'b', 'c', 'd']);
      expect(metrics).toMatchObject({ records: 4, bytes: 4 });
    });

    it('should start the handed-over write at once on startHandedOver, once, and else on the next turn of the event loop', async () => {
      // Prepare
      const producer = new FlakyProducer(0);
      const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics: createMetrics(), retry: fast });
      await pipeline.handOver([{ value: 'a' }]);
      const before = producer.attempts;

      // Act: started synchronously (no turn of the event loop in between), then again (no effect)
      pipeline.startHandedOver();
      const started = producer.attempts;
      pipeline.startHandedOver();
      await new Promise((resolve) => setImmediate(resolve));
      const afterFallback = producer.attempts;
      // Nothing starts it: the setImmediate fallback does
      await pipeline.handOver([{ value: 'b' }]);
      const handedOver = producer.attempts;
      await new Promise((resolve) => setImmediate(resolve));

      // Assess
      expect([before, started, afterFallback]).toEqual([0, 1, 1]);
      expect(handedOver).toBe(1);
      expect(producer.attempts).toBe(2);
      await pipeline.flush();
      expect(producer.written).toEqual(['a', 'b']);
    });

    it('should retry a failing commit and make the next hand-over wait for it', async () => {
      // Prepare
      const producer = new FlakyProducer(3);
      const metrics = createMetrics();
      const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });

      // Act
      await pipeline.handOver([{ value: 'r1' }]);
      await pipeline.handOver([{ value: 'r2' }]);

      // Assess: r1 was committed (after 3 failures) before r2 was accepted
      expect(producer.written).toEqual(['r1']);
      await pipeline.flush();
      expect(producer.written).toEqual(['r1', 'r2']);
      expect(metrics).toMatchObject({ records: 2, errors: 3 });
    });

    it('should reject the next hand-over and the flush when a commit failed, counting what was not written', async () => {
      // Prepare
      const producer = new FlakyProducer(1, () => new TopicNotFoundError('t'));
      const metrics = createMetrics();
      const pipeline = createRecordPipeline(producer, { log: silentLogger, metrics, retry: fast });
      await pipeline.handOver([{ value: 'x' }, { value: 'y' }]);

      // Act
      const next = await pipeline.handOver([{ value: 'z' }]).catch((e: unknown) => e);
      const flushed = await pipeline.flush().catch((e: unknown) => e);

      // Assess
      expect(next).toBeInstanceOf(TopicWriteError);
      expect((next as TopicWriteError).undelivered).toBe(3);
      expect((next as TopicWriteError).code).toBe(ErrorCode.TOPIC_WRITE_FAILED);
      expect(flushed).toBeInstanceOf(TopicWriteError);
      expect((flushed as TopicWriteError).undelivered).toBe(2);
      expect(producer.written).toEqual([]);
      expect(metrics.records).toBe(0);
    });
  });
});
