/**
 * Caps the memory a WebAssembly module may grow to, by rewriting the limits of the memories it
 * defines (WebAssembly core spec, binary format: §5.5.8 memory section, §5.3.7 limits). Node's
 * `WebAssembly` API has no store limit (wasmtime's `ResourceLimiter`, which fluvio-smartengine uses,
 * 1 GB by default): with the maximum lowered, a `memory.grow` past it returns -1 inside the
 * module (a Rust module then aborts with a trap) instead of taking the process's memory.
 */

/** Bytes of one WebAssembly page. */
export const WASM_PAGE_BYTES = 65_536;
/** Pages a 32-bit memory can have at most (4 GiB). */
const MAX_PAGES = 65_536;
const MEMORY_SECTION = 5;

function readU32(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let shift = 0;
  for (let position = offset; position < bytes.length && shift < 35; position++, shift += 7) {
    const byte = bytes[position] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, next: position + 1 };
  }
  throw new Error('malformed LEB128 number in the WebAssembly binary');
}

function writeU32(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  do {
    let byte = rest & 0x7f;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return out;
}

/**
 * A copy of `binary` whose defined memories have a maximum of at most `maxBytes` (rounded down to
 * whole pages). A module without a memory section is returned as is.
 * @throws Error when `binary` is not WebAssembly, a memory starts bigger than the limit, or it is a
 *   64-bit memory.
 */
export function limitMemory(binary: Uint8Array, maxBytes: number): Uint8Array {
  if (binary.length < 8 || binary[0] !== 0 || binary[1] !== 0x61 || binary[2] !== 0x73 || binary[3] !== 0x6d) {
    throw new Error('not a WebAssembly binary (no \\0asm header)');
  }
  const limitPages = Math.max(1, Math.min(MAX_PAGES, Math.floor(maxBytes / WASM_PAGE_BYTES)));
  let offset = 8;
  while (offset < binary.length) {
    const id = binary[offset] as number;
    const size = readU32(binary, offset + 1);
    const contentStart = size.next;
    const contentEnd = contentStart + size.value;
    if (contentEnd > binary.length) throw new Error('truncated WebAssembly binary');
    if (id !== MEMORY_SECTION) {
      offset = contentEnd;
      continue;
    }
    const count = readU32(binary, contentStart);
    const content: number[] = writeU32(count.value);
    let position = count.next;
    for (let i = 0; i < count.value; i++) {
      const flags = binary[position] as number;
      if (flags & 0x04) throw new Error('64-bit memories are not supported');
      const min = readU32(binary, position + 1);
      position = min.next;
      let max = MAX_PAGES;
      if (flags & 0x01) {
        const declared = readU32(binary, position);
        max = declared.value;
        position = declared.next;
      }
      if (min.value > limitPages) {
        throw new Error(`the module starts with ${min.value} pages of memory (${(min.value * WASM_PAGE_BYTES) / 1_048_576} MiB), over the limit of ${limitPages} pages (max_memory)`);
      }
      content.push(flags | 0x01, ...writeU32(min.value), ...writeU32(Math.min(max, limitPages)));
    }
    if (position !== contentEnd) throw new Error('malformed memory section in the WebAssembly binary');
    const section = [MEMORY_SECTION, ...writeU32(content.length), ...content];
    const out = new Uint8Array(binary.length - (contentEnd - offset) + section.length);
    out.set(binary.subarray(0, offset), 0);
    out.set(section, offset);
    out.set(binary.subarray(contentEnd), offset + section.length);
    return out;
  }
  return binary;
}
