import { UTF8 } from './charset';

/**
 * Splitting a streamed body into records on a delimiter (Fluvio's streaming http-source,
 * `http_streaming_source.rs`): the delimiter is removed, empty segments between two delimiters are
 * kept, and the result does not depend on how the bytes were chunked. Pure: no I/O, no clock.
 */

/**
 * Splits bytes on a byte delimiter. Used for UTF-8 bodies: UTF-8 is self-synchronising, so a
 * delimiter match never starts inside a multi-byte character and segments can be cut on bytes.
 */
export class ByteSplitter {
  private readonly delimiter: Buffer;
  /** Bytes after the last delimiter, kept as received (concatenated only once a delimiter arrives). */
  private chunks: Buffer[] = [];
  private length = 0;

  /** @param delimiter - non-empty delimiter bytes (e.g. the UTF-8 bytes of `"\n\n"`). */
  constructor(delimiter: Uint8Array) {
    if (delimiter.length === 0) throw new RangeError('delimiter must not be empty');
    this.delimiter = Buffer.from(delimiter);
  }

  /** Number of bytes received after the last delimiter (the incomplete segment). */
  get pendingBytes(): number {
    return this.length;
  }

  /**
   * Adds a chunk and returns the segments it completes, in order (possibly none, possibly empty
   * segments). The chunk is kept by reference until a delimiter arrives, so it must not be
   * modified afterwards; returned segments are views of buffers that are never written again.
   *
   * Cost: the segments that lie within the chunk are views of it (no copy); only the segment that
   * began in earlier chunks is concatenated (its bytes, plus at most `delimiter.length - 1` bytes
   * to find a delimiter straddling the two).
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (chunk.length === 0) return [];
    const d = this.delimiter;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const segments: Uint8Array[] = [];
    // Where the search in this chunk starts, and where the segment being cut starts in it (0 while the
    // segment still begins in the pending bytes).
    let start = 0;
    let open = this.length > 0;
    if (open && d.length > 1) {
      // A delimiter may start in the last d.length-1 pending bytes and end in this chunk (the pending
      // bytes hold no whole delimiter: they were searched when they arrived).
      const tail = this.lastBytes(d.length - 1);
      const window = Buffer.concat([tail, bytes.subarray(0, d.length - 1)]);
      const at = window.indexOf(d);
      if (at >= 0 && at < tail.length) {
        segments.push(this.pendingUntil(this.length - tail.length + at));
        start = at + d.length - tail.length;
        open = false;
      }
    }
    for (let at = bytes.indexOf(d, start); at >= 0; at = bytes.indexOf(d, start)) {
      if (open) {
        segments.push(Buffer.concat([...this.chunks, bytes.subarray(0, at)], this.length + at));
        open = false;
      } else {
        // A plain Uint8Array view: Buffer#subarray goes through the species constructor, several times slower.
        segments.push(new Uint8Array(bytes.buffer, bytes.byteOffset + start, at - start));
      }
      start = at + d.length;
    }
    if (open) {
      this.chunks.push(bytes);
      this.length += bytes.length;
    } else {
      const rest = bytes.subarray(start);
      this.chunks = rest.length > 0 ? [rest] : [];
      this.length = rest.length;
    }
    return segments;
  }

  /** The first `end` pending bytes, as one buffer (a view when they are in one chunk). */
  private pendingUntil(end: number): Buffer {
    const first = this.chunks[0]!;
    return end <= first.length ? first.subarray(0, end) : Buffer.concat(this.chunks, this.length).subarray(0, end);
  }

  /** Returns the incomplete segment (possibly empty) and clears it. */
  flush(): Uint8Array {
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.length = 0;
    return rest;
  }

  private lastBytes(count: number): Buffer {
    const n = Math.min(count, this.length);
    if (n === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let needed = n;
    for (let i = this.chunks.length - 1; i >= 0 && needed > 0; i--) {
      const c = this.chunks[i]!;
      const take = Math.min(needed, c.length);
      parts.unshift(c.subarray(c.length - take));
      needed -= take;
    }
    return Buffer.concat(parts);
  }
}

/** Splits text on a text delimiter. Used for non-UTF-8 bodies, after a streaming `TextDecoder`. */
export class TextSplitter {
  private readonly delimiter: string;
  private pending = '';

  /** @param delimiter - non-empty delimiter text. */
  constructor(delimiter: string) {
    if (delimiter.length === 0) throw new RangeError('delimiter must not be empty');
    this.delimiter = delimiter;
  }

  /** The incomplete segment received after the last delimiter. */
  get pendingText(): string {
    return this.pending;
  }

  /** Adds decoded text and returns the segments it completes, in order. */
  push(text: string): string[] {
    if (text.length === 0) return [];
    const d = this.delimiter;
    let from = Math.max(0, this.pending.length - d.length + 1);
    const all = this.pending + text;
    const segments: string[] = [];
    let start = 0;
    for (let at = all.indexOf(d, from); at >= 0; at = all.indexOf(d, from)) {
      segments.push(all.slice(start, at));
      start = from = at + d.length;
    }
    this.pending = all.slice(start);
    return segments;
  }

  /** Returns the incomplete segment (possibly empty) and clears it. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest;
  }
}

/**
 * Turns the chunks of one response into segments: bytes for UTF-8 bodies (split on the
 * delimiter's UTF-8 bytes, segments left untouched), text for other charsets (decoded with a
 * streaming `TextDecoder`, so a multi-byte character may straddle chunks, then split on the
 * delimiter text).
 */
export interface Segmenter {
  /** Adds one chunk; returns the segments it completes. */
  push(chunk: Uint8Array): Array<Uint8Array | string>;
  /**
   * Ends the body cleanly: returns the segments completed by the end of the body, i.e. the final
   * segment when it is not empty (Fluvio discards it; we produce it), preceded by any segment
   * that the decoder's last flush completed (non-UTF-8 only).
   */
  end(): Array<Uint8Array | string>;
  /**
   * Size in bytes of the incomplete segment (received after the last delimiter): exact for UTF-8
   * bodies; for other charsets, the UTF-8 size of the decoded incomplete text (bytes still held
   * by the decoder, at most a partial character, are not counted).
   */
  readonly pendingBytes: number;
}

/**
 * Creates the {@link Segmenter} for one response.
 *
 * @param delimiter - Fluvio's `delimiter` (non-empty; may be several characters, e.g. `"\n\n"`).
 * @param encoding - WHATWG encoding name of the body (see `CharsetResolver`); `utf-8` splits bytes.
 * @throws RangeError when `encoding` is not supported by `TextDecoder` or `delimiter` is empty.
 */
export function createSegmenter(delimiter: string, encoding: string): Segmenter {
  if (encoding === UTF8) {
    const bytes = new ByteSplitter(Buffer.from(delimiter, 'utf8'));
    return {
      push: (chunk) => bytes.push(chunk),
      end: () => {
        const rest = bytes.flush();
        return rest.length > 0 ? [rest] : [];
      },
      get pendingBytes() {
        return bytes.pendingBytes;
      },
    };
  }
  // Always the streaming path of TextDecoder (see decodeText in charset.ts for why).
  const decoder = new TextDecoder(encoding);
  const text = new TextSplitter(delimiter);
  return {
    push: (chunk) => text.push(decoder.decode(chunk, { stream: true })),
    end: () => {
      const segments: Array<Uint8Array | string> = text.push(decoder.decode());
      const rest = text.flush();
      if (rest.length > 0) segments.push(rest);
      return segments;
    },
    get pendingBytes() {
      return Buffer.byteLength(text.pendingText);
    },
  };
}
