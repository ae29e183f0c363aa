/**
 * Topic backends. The local SQLite store implements all of these; the Kinesis backend (deployment)
 * implements {@link TopicProducer} and {@link TopicAdmin}.
 */

/** A stored record. */
export interface TopicRecord {
  /** Position in the topic: contiguous from 0, assigned by the store at write time. */
  offset: number;
  /** Time the store accepted the record, ms since the Unix epoch. */
  timestamp: number;
  /** Record key, or `null`. */
  key: Buffer | null;
  /** Record value bytes. */
  value: Buffer;
}

/** A record to write. */
export interface ProducerRecord {
  key?: Uint8Array | null;
  value: Uint8Array;
  /** Producer-side timestamp (ms); the store's clock is used when absent. */
  timestamp?: number;
}

/** Writes to one topic. */
export interface TopicProducer {
  /** The topic written to. */
  readonly topic: string;
  /**
   * Appends `records` in order. Resolves only when every record is durably accepted; otherwise
   * rejects, and a retry may resend the whole batch (at-least-once).
   * @returns the offset of the first record in the batch (local store), or `undefined` when the
   *   backend has no offsets of that kind (Kinesis sequence numbers).
   */
  send(records: readonly ProducerRecord[]): Promise<number | undefined>;
  /** Releases resources. Idempotent. */
  close(): Promise<void>;
}

/**
 * A named consumer's committed position in one topic (Fluvio's consumer offsets: what
 * `fluvio consumer list` shows, and where a sink with a `consumer.id` resumes).
 */
export interface ConsumerOffset {
  /** Consumer id (`meta.consumer.id`; a sink's default is its connector name). */
  consumer: string;
  topic: string;
  /** The next offset the consumer reads: every record below it was delivered (or dead-lettered). */
  offset: number;
  /**
   * End (exclusive) of the batch the consumer was delivering when this position was written, or
   * `null` between batches: after a crash, records in `[offset, pendingEnd)` may be delivered twice.
   */
  pendingEnd: number | null;
  /** When the position was written, ms since the Unix epoch. */
  updatedAt: number;
}

/** Reads from one topic by offset. */
export interface TopicConsumer {
  readonly topic: string;
  /** Up to `max` records with offset ≥ `from`, in offset order (empty at the end). */
  fetch(from: number, max: number): Promise<TopicRecord[]>;
  /** Offset the next record will get (= number of records ever written). */
  endOffset(): Promise<number>;
  /**
   * The committed position of consumer `id` in this topic, `undefined` when it never committed.
   * Present on backends that store consumer offsets (the local store).
   */
  committed?(id: string): Promise<ConsumerOffset | undefined>;
  /**
   * Durably stores consumer `id`'s position: `offset` is the next offset it reads, `pendingEnd`
   * the end of the batch it starts delivering (`null` when none). Resolves once written.
   */
  commit?(id: string, offset: number, pendingEnd?: number | null): Promise<void>;
  close(): Promise<void>;
}

export interface TopicInfo {
  name: string;
  /** Number of records (= next offset). */
  records: number;
  createdAt: number;
}

/** Topic management. */
export interface TopicAdmin {
  /** Creates the topic. @returns `false` when it already existed. */
  createTopic(name: string): Promise<boolean>;
  topicExists(name: string): Promise<boolean>;
  listTopics(): Promise<TopicInfo[]>;
  /** Deletes the topic and its records. @returns `false` when it did not exist. */
  deleteTopic(name: string): Promise<boolean>;
}

/** A full backend: admin plus producers (and consumers where the backend supports offsets). */
export interface TopicBackend extends TopicAdmin {
  producer(topic: string): TopicProducer;
  consumer?(topic: string): TopicConsumer;
  /** Every stored consumer position, by topic then consumer (where the backend stores them). */
  listConsumerOffsets?(): Promise<ConsumerOffset[]>;
  close(): Promise<void>;
}
