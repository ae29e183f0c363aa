import { TopicNotFoundError, TopicWriteError } from '../../core/errors';
import type { ProducerRecord, TopicProducer } from '../../core/topics';
import { DEFAULT_BATCH_LIMITS, encodeBatches } from './batch-codec';
import type { StoreContext } from './context';

/**
 * Appends to one topic of a {@link LocalTopicStore}. Holds no lock and no topic id between calls:
 * each `send` resolves the topic by name, so a producer keeps working when its topic is deleted
 * and created again (the new topic starts at offset 0).
 */
export class LocalTopicProducer implements TopicProducer {
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly store: StoreContext,
  ) {}

  /**
   * Appends `records` in order as ONE `BEGIN IMMEDIATE` transaction: all of them get consecutive
   * offsets and are visible to readers at once, or none is written. Concurrent producers in other
   * processes queue on the write lock (busy timeout), so offsets are never lost, duplicated or
   * reordered. A record without `timestamp` gets the store clock's time (ms) of the batch.
   *
   * The records are stored as one record batch (several for a send over 1 MiB or 10,000 records,
   * see `batch-codec.ts`), encoded before the write lock is taken into the store's scratch space
   * (reused by every send: encoding, writing and committing happen in this one synchronous call).
   *
   * Durability when it resolves: see {@link Synchronous} (`normal`: survives process crashes;
   * `full`: also power loss).
   *
   * @returns the offset of the first record; for an empty batch, the topic's end offset (nothing written).
   * @throws TopicNotFoundError when the topic does not exist (nothing written; retrying cannot help).
   * @throws TopicWriteError when the producer or the store is closed, or SQLite failed the write
   *   (e.g. still locked after the busy timeout, disk full). Nothing of the batch was written;
   *   `undelivered` is the batch size and resending the batch is safe.
   */
  async send(records: readonly ProducerRecord[]): Promise<number> {
    if (this.closed || !this.store.isOpen()) {
      const what = this.closed ? 'producer' : 'topic store';
      throw new TopicWriteError(`cannot write ${records.length} record(s) to topic "${this.topic}": the ${what} is closed`, records.length);
    }
    let first: number | undefined;
    try {
      if (records.length === 0) {
        const id = this.store.statements.topicId.get(this.topic);
        first = id === undefined ? undefined : this.store.tables.endOf(id);
      } else {
        const { scratch } = this.store;
        scratch.reset();
        first = this.store.append.immediate(this.topic, encodeBatches(records, this.store.now(), DEFAULT_BATCH_LIMITS, scratch.take));
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new TopicWriteError(`writing ${records.length} record(s) to topic "${this.topic}" in ${this.store.file} failed: ${reason}`, records.length, err);
    }
    if (first === undefined) throw new TopicNotFoundError(this.topic);
    return first;
  }

  /** Marks the producer closed (later sends reject); the connection belongs to the store. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }
}
