import type { ProducerRecord, TopicRecord } from '../../core/topics';

/**
 * The record batch format of the local store: the records of one produced batch, encoded into one
 * SQLite BLOB (one row per batch, Kafka/Fluvio style; the row holds the base offset and the record
 * count, so a record's offset is `base offset + its index`).
 *
 * Layout: the records one after the other, each a 16-byte header then its key and value bytes
 * (little-endian):
 *
 * | bytes | field |
 * |---|---|
 * | 0–7 | timestamp, ms since the Unix epoch (float64: any JS number round-trips) |
 * | 8–11 | key length (int32), `-1` for a null key |
 * | 12–15 | value length (uint32) |
 * | 16… | key bytes, then value bytes |
 *
 * A batch with a count but no bytes holds no record: its offsets were skipped (only the version-3
 * migration writes one, to keep a version-2 topic's next offset beyond its last record).
 *
 * Batches are capped ({@link BatchLimits}): a larger `send` becomes several consecutive batches
 * written in the same transaction, so a fetch from the middle of a topic never reads more than
 * one capped batch it does not need.
 */

/** Bytes of a record's header in a batch. */
export const RECORD_HEADER_BYTES = 16;

/** Caps of one stored batch. A single record larger than `maxBytes` gets a batch of its own. */
export interface BatchLimits {
  /** Encoded bytes of a batch (headers included). */
  readonly maxBytes: number;
  /** Records of a batch. */
  readonly maxRecords: number;
}

/** Default {@link BatchLimits}: 1 MiB (Kafka's default `max.message.bytes`, about) and 10,000 records. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxBytes: 1024 * 1024, maxRecords: 10_000 };

/** One encoded batch: `count` records in `bytes`. */
export interface EncodedBatch {
  count: number;
  bytes: Buffer;
}

const NO_KEY = -1;

/** Gives {@link encodeBatches} the buffer of one batch: exactly `size` bytes, contents undefined. */
export type BatchAllocator = (size: number) => Buffer;

const freshBuffer: BatchAllocator = (size) => Buffer.allocUnsafe(size);

/**
 * Reusable memory for the encoded batches of one `send` at a time: the local store encodes, writes
 * (SQLite copies a bound BLOB; a segment write copies into the file) and forgets a send's batches in
 * one synchronous call, so one buffer serves every send of a connection instead of a fresh 64 KiB
 * allocation per stream chunk (and the garbage collections they cause). A send needing more than
 * `maxBytes` in all gets fresh buffers for the rest.
 */
export class ScratchSpace {
  private buffer: Buffer = Buffer.alloc(0);
  private used = 0;

  /** @param maxBytes - most bytes kept between sends. Default 2 MiB (two capped batches). */
  constructor(private readonly maxBytes = 2 * 1024 * 1024) {}

  /** Frees the whole space: nothing handed out before may be used any more. */
  reset(): void {
    this.used = 0;
  }

  /** A {@link BatchAllocator} handing out consecutive parts of the space until the next {@link reset}. */
  readonly take: BatchAllocator = (size) => {
    if (this.used + size > this.buffer.length) {
      if (this.used > 0 || size > this.maxBytes) return Buffer.allocUnsafe(size);
      this.buffer = Buffer.allocUnsafe(Math.min(this.maxBytes, Math.max(size, 64 * 1024 + 4096, this.buffer.length * 2)));
    }
    const part = this.buffer.subarray(this.used, this.used + size);
    this.used += size;
    return part;
  };
}

/**
 * Encodes `records` into batches of at most `limits` each, in order. A record without a timestamp
 * gets `now`. Nothing is shared with the input; each batch's buffer comes from `allocate` (default: a
 * fresh buffer each).
 * @returns no batch for no record.
 */
export function encodeBatches(
  records: readonly ProducerRecord[],
  now: number,
  limits: BatchLimits = DEFAULT_BATCH_LIMITS,
  allocate: BatchAllocator = freshBuffer,
): EncodedBatch[] {
  const batches: EncodedBatch[] = [];
  let start = 0;
  while (start < records.length) {
    // Size this batch first (one pass over lengths), then write it into one buffer.
    let end = start;
    let size = 0;
    while (end < records.length && end - start < limits.maxRecords) {
      const r = records[end]!;
      const bytes = RECORD_HEADER_BYTES + (r.key == null ? 0 : r.key.byteLength) + r.value.byteLength;
      if (end > start && size + bytes > limits.maxBytes) break;
      size += bytes;
      end++;
    }
    const buffer = allocate(size);
    const view = new DataView(buffer.buffer, buffer.byteOffset, size);
    let at = 0;
    for (let i = start; i < end; i++) {
      const r = records[i]!;
      const key = r.key ?? null;
      view.setFloat64(at, r.timestamp ?? now, true);
      view.setInt32(at + 8, key === null ? NO_KEY : key.byteLength, true);
      view.setUint32(at + 12, r.value.byteLength, true);
      at += RECORD_HEADER_BYTES;
      if (key !== null) {
        buffer.set(key, at);
        at += key.byteLength;
      }
      buffer.set(r.value, at);
      at += r.value.byteLength;
    }
    batches.push({ count: end - start, bytes: buffer });
    start = end;
  }
  return batches;
}

/**
 * Appends to `out` the records of one stored batch with offset ≥ `from`, at most `max` of them.
 * Keys and values are views of `bytes` (no copy): a record kept alive keeps its batch's buffer.
 * @param baseOffset - offset of the batch's first record.
 * @param count - records in the batch.
 * @returns how many records were appended.
 * @throws Error when the bytes do not hold `count` well-formed records (a damaged store file).
 */
export function decodeBatch(bytes: Buffer, baseOffset: number, count: number, from: number, max: number, out: TopicRecord[]): number {
  if (bytes.length === 0) return 0; // skipped offsets
  let at = 0;
  let appended = 0;
  for (let i = 0; i < count && appended < max; i++) {
    if (at + RECORD_HEADER_BYTES > bytes.length) throw damaged(baseOffset, i);
    const keyLength = bytes.readInt32LE(at + 8);
    const valueLength = bytes.readUInt32LE(at + 12);
    const keyStart = at + RECORD_HEADER_BYTES;
    const valueStart = keyStart + (keyLength === NO_KEY ? 0 : keyLength);
    const next = valueStart + valueLength;
    if (keyLength < NO_KEY || next > bytes.length) throw damaged(baseOffset, i);
    const offset = baseOffset + i;
    if (offset >= from) {
      out.push({
        offset,
        timestamp: bytes.readDoubleLE(at),
        key: keyLength === NO_KEY ? null : bytes.subarray(keyStart, valueStart),
        value: bytes.subarray(valueStart, next),
      });
      appended++;
    }
    at = next;
  }
  return appended;
}

function damaged(baseOffset: number, index: number): Error {
  return new Error(`local topic store: the batch at offset ${baseOffset} is damaged (record ${index} runs past its end)`);
}
