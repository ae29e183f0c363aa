import { closeSync, constants, fdatasyncSync, fsyncSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { ConnectorError, ErrorCode } from '../../core/errors';

/**
 * Segment files of the local store (schema version 4): the encoded bytes of a topic's large batches,
 * appended to `<dataDir>/segments/<topicId>/<segment>.log`, where `<segment>` is the base offset of the
 * first batch the file holds, zero-padded to 20 digits (Kafka's naming, so names sort by offset). The
 * batch rows in SQLite say which file, where and how long, and carry the bytes' CRC-32: SQLite stays
 * the index and the write lock, the files only hold bytes a committed row points at.
 *
 * Writes happen inside the producer's `BEGIN IMMEDIATE` transaction, at the explicit end position the
 * topic's last segment row gives (`pwrite`, not `O_APPEND`): bytes a crashed writer left past that end
 * are no batch's, never read, and overwritten by the next write.
 */

/** Batches of at least this many encoded bytes go to a segment file; smaller ones stay inline in their row. */
export const SEGMENT_MIN_BATCH_BYTES = 4 * 1024;

/**
 * A segment file is closed (the next large batch starts a new one) once the next batch would take it
 * past this size. 256 MiB: few files and few cached descriptors for a busy topic (Kafka rolls at 1 GiB),
 * while one file stays small enough to copy or inspect. A batch larger than this gets a file of its own.
 */
export const SEGMENT_MAX_BYTES = 256 * 1024 * 1024;

/** Name of the folder of segment folders inside the data directory. */
export const SEGMENTS_DIR = 'segments';

/** Where a stored batch's bytes are: a segment file and a byte range in it, with their CRC-32. */
export interface SegmentSlice {
  /** The segment (its first batch's base offset, also its file name). */
  readonly segment: number;
  /** Byte position of the batch in the file. */
  readonly position: number;
  /** Bytes of the batch. */
  readonly length: number;
  /** CRC-32 (ISO-HDLC, zlib's) of the bytes, as an unsigned 32-bit integer. */
  readonly crc: number;
}

interface OpenSegment {
  fd: number;
  writable: boolean;
}

/**
 * The segment files of one store connection, with their file descriptors cached per process (one per
 * segment used, opened on first use, closed by {@link SegmentFiles.closeTopic} and {@link SegmentFiles.close}).
 * Topic ids are never reused (AUTOINCREMENT), so a cached descriptor never points at another topic's file;
 * on Linux a descriptor of a file another process removed keeps reading its bytes until closed.
 */
export class SegmentFiles {
  /** `<dataDir>/segments`. */
  readonly root: string;
  private readonly dataDir: string;
  private readonly open = new Map<string, OpenSegment>();
  /** Descriptors written since the last {@link SegmentFiles.sync}. */
  private readonly dirty = new Set<number>();

  /**
   * @param durable - `synchronous: 'full'`: a new file's folders are fsynced when it is opened for writing.
   * @param maxBytes - the roll size, see {@link SEGMENT_MAX_BYTES}.
   */
  constructor(
    dataDir: string,
    private readonly durable: boolean,
    readonly maxBytes: number = SEGMENT_MAX_BYTES,
  ) {
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError(`segment size ${maxBytes}: expected a positive integer of bytes`);
    this.dataDir = dataDir;
    this.root = join(dataDir, SEGMENTS_DIR);
  }

  /** Folder of topic `id`'s segments. */
  topicDir(id: number): string {
    return join(this.root, String(id));
  }

  /** Path of segment `segment` of topic `id`. */
  path(id: number, segment: number): string {
    return join(this.topicDir(id), `${String(segment).padStart(20, '0')}.log`);
  }

  /**
   * Writes `bytes` at `position` of the segment (created with its folders when missing; never truncated)
   * and returns their CRC-32. Call only while holding the store's write lock.
   * @throws Node fs errors (disk full, permissions): the caller's transaction rolls back, and the bytes
   *   written, if any, are past the indexed end.
   */
  write(id: number, segment: number, position: number, bytes: Uint8Array): number {
    const fd = this.descriptor(id, segment, true);
    let done = 0;
    while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
    this.dirty.add(fd);
    return crc32(bytes);
  }

  /** Flushes to disk every segment written since the last call (`fdatasync`), before the commit of `synchronous: 'full'`. */
  sync(): void {
    for (const fd of this.dirty) fdatasyncSync(fd);
    this.dirty.clear();
  }

  /** Forgets the writes of a rolled-back transaction (nothing to flush for them). */
  discard(): void {
    this.dirty.clear();
  }

  /**
   * The bytes of one stored batch, checked against the CRC-32 of its row.
   * @throws ConnectorError TOPIC_STORE_DAMAGED when the file is missing, shorter than the row says, or the
   *   bytes do not match the CRC (naming topic, offset and file).
   *   The caller maps it to TOPIC_NOT_FOUND when the topic was deleted meanwhile (its folder is gone).
   * @throws Node fs errors (EACCES, EIO…).
   */
  read(topic: string, id: number, baseOffset: number, slice: SegmentSlice): Buffer {
    const file = this.path(id, slice.segment);
    let fd: number;
    try {
      fd = this.descriptor(id, slice.segment, false);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      throw damaged(`topic "${topic}": the batch at offset ${baseOffset} is damaged: its segment file ${file} is missing`, err);
    }
    const bytes = Buffer.allocUnsafe(slice.length);
    let done = 0;
    while (done < slice.length) {
      const n = readSync(fd, bytes, done, slice.length - done, slice.position + done);
      if (n === 0) break;
      done += n;
    }
    if (done < slice.length) {
      throw damaged(`topic "${topic}": the batch at offset ${baseOffset} is damaged: ${file} ends before its bytes ${slice.position}..${slice.position + slice.length} (read ${done} of ${slice.length})`);
    }
    const actual = crc32(bytes);
    if (actual !== slice.crc) {
      throw damaged(
        `topic "${topic}": the batch at offset ${baseOffset} is damaged: CRC-32 mismatch in ${file} at bytes ${slice.position}..${slice.position + slice.length} (stored ${hex(slice.crc)}, read ${hex(actual)})`,
      );
    }
    return bytes;
  }

  /** Closes the cached descriptors of topic `id` (deleted). */
  closeTopic(id: number): void {
    const prefix = `${id}/`;
    for (const [key, open] of this.open) {
      if (!key.startsWith(prefix)) continue;
      this.dirty.delete(open.fd);
      closeSync(open.fd);
      this.open.delete(key);
    }
  }

  /** Closes the descriptors of topic `id` and removes its segment folder (after its table was dropped). */
  removeTopic(id: number): void {
    this.closeTopic(id);
    rmSync(this.topicDir(id), { recursive: true, force: true });
  }

  /** Closes every cached descriptor. Idempotent. */
  close(): void {
    for (const open of this.open.values()) closeSync(open.fd);
    this.open.clear();
    this.dirty.clear();
  }

  private descriptor(id: number, segment: number, writable: boolean): number {
    const key = `${id}/${segment}`;
    const cached = this.open.get(key);
    if (cached !== undefined && (cached.writable || !writable)) return cached.fd;
    const file = this.path(id, segment);
    let fd: number;
    if (writable) {
      const flags = constants.O_RDWR | constants.O_CREAT;
      try {
        fd = openSync(file, flags, 0o644);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        mkdirSync(this.topicDir(id), { recursive: true });
        fd = openSync(file, flags, 0o644);
      }
      // A new file survives power loss only once its directory entry (and its folders') are on disk.
      if (this.durable) for (const dir of [this.topicDir(id), this.root, this.dataDir]) syncDir(dir);
    } else {
      fd = openSync(file, constants.O_RDONLY);
    }
    if (cached !== undefined) closeSync(cached.fd);
    this.open.set(key, { fd, writable });
    return fd;
  }
}

function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function damaged(message: string, cause?: unknown): ConnectorError {
  return new ConnectorError(message, ErrorCode.TOPIC_STORE_DAMAGED, { cause });
}
