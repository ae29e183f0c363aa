import { TopicNotFoundError } from '../../core/errors';
import type { ConsumerOffset, TopicConsumer, TopicRecord } from '../../core/topics';
import { decodeBatch } from './batch-codec';
import { closedError, type StoreContext } from './context';

/**
 * Reads one topic of a {@link LocalTopicStore} by offset. Reads never block writers (WAL) and each
 * read sees a committed state: every record below the `endOffset()` it reported is readable.
 *
 * The consumer binds to the topic on its first call; if that topic is later deleted, every call
 * throws {@link TopicNotFoundError}, even after a topic of the same name is created again (its
 * offsets mean other records).
 */
export class LocalTopicConsumer implements TopicConsumer {
  private topicId: number | undefined;
  private closed = false;

  constructor(
    readonly topic: string,
    private readonly store: StoreContext,
  ) {}

  /**
   * Up to `max` records with offset ≥ `from`, in offset order; empty at the end of the topic or
   * when `max` < 1. One prepared scan of the topic's batches from the one holding `from` (found
   * through the table's key, the index from offset to batch), stopped as soon as `max` records
   * were decoded. A batch stored in a segment file is read from it (one `pread` of the batch) and
   * checked against its row's length and CRC-32. Keys and values are views of their batch's
   * bytes (no copy per record).
   * @throws TopicNotFoundError when the topic does not exist or was deleted.
   * @throws ConnectorError TOPIC_STORE_DAMAGED when a segment file is missing, shorter than a row
   *   says, or its bytes fail their CRC-32 (naming topic, offset and file).
   * @throws Error when the consumer or the store is closed, or an inline batch is damaged.
   */
  async fetch(from: number, max: number): Promise<TopicRecord[]> {
    const id = this.bind();
    const limit = Math.floor(max);
    const records: TopicRecord[] = [];
    if (limit < 1) {
      this.endOf(id);
      return records;
    }
    const { segments } = this.store;
    this.whileTopicExists(id, () => {
      for (const [baseOffset, count, inline, segment, position, length, crc] of this.store.tables.of(id).fetch.iterate(from, from)) {
        const bytes = length === null ? inline : segments.read(this.topic, id, baseOffset, { segment: segment!, position: position!, length, crc: crc! });
        decodeBatch(bytes, baseOffset, count, from, limit - records.length, records);
        if (records.length >= limit) break;
      }
    });
    return records;
  }

  /**
   * The offset the next record will get (= records ever written to the topic).
   * @throws TopicNotFoundError when the topic does not exist or was deleted.
   * @throws Error when the consumer or the store is closed.
   */
  async endOffset(): Promise<number> {
    return this.endOf(this.bind());
  }

  /**
   * The committed position of consumer `id` in this topic, `undefined` when it never committed.
   * @throws TopicNotFoundError when the topic does not exist or was deleted.
   */
  async committed(id: string): Promise<ConsumerOffset | undefined> {
    const topicId = this.bind();
    this.assertExists(topicId);
    const row = this.store.offsets.get.get(topicId, id);
    if (row === undefined) return undefined;
    const [consumer, offset, pendingEnd, updatedAt] = row;
    return { consumer, topic: this.topic, offset, pendingEnd, updatedAt };
  }

  /**
   * Stores consumer `id`'s position (one small write transaction, durable like a `send`): `offset`
   * is the next offset it reads, `pendingEnd` the end of the batch it starts delivering.
   * @throws TopicNotFoundError when the topic does not exist or was deleted.
   * @throws SqliteError when the write fails (e.g. still locked after the busy timeout).
   */
  async commit(id: string, offset: number, pendingEnd: number | null = null): Promise<void> {
    const topicId = this.bind();
    this.assertExists(topicId);
    this.store.offsets.upsert.run(topicId, id, offset, pendingEnd, this.store.now());
  }

  /** Marks the consumer closed (later reads throw); the connection belongs to the store. Idempotent. */
  async close(): Promise<void> {
    this.closed = true;
  }

  private bind(): number {
    if (this.closed) throw closedError(`consumer of topic "${this.topic}"`);
    if (!this.store.isOpen()) throw closedError(`local topic store ${this.store.file}`);
    if (this.topicId === undefined) {
      const id = this.store.statements.topicId.get(this.topic);
      if (id === undefined) throw new TopicNotFoundError(this.topic);
      this.topicId = id;
    }
    return this.topicId;
  }

  private endOf(id: number): number {
    return this.whileTopicExists(id, () => this.store.tables.endOf(id));
  }

  private assertExists(id: number): void {
    if (this.store.statements.topicExistsById.get(id) === undefined) throw this.deleted();
  }

  /**
   * Runs a read of the topic's batch table; when it fails because the topic was deleted (by this or
   * another process: its table is gone), throws TopicNotFoundError instead of SQLite's error.
   */
  private whileTopicExists<T>(id: number, read: () => T): T {
    try {
      return read();
    } catch (err) {
      if (this.store.isOpen() && this.store.statements.topicExistsById.get(id) === undefined) throw this.deleted();
      throw err;
    }
  }

  /** The error for a deleted topic; closes the descriptors of its segment files this process kept. */
  private deleted(): TopicNotFoundError {
    if (this.topicId !== undefined) this.store.segments.closeTopic(this.topicId);
    return new TopicNotFoundError(this.topic, 'it was deleted while being consumed');
  }
}
