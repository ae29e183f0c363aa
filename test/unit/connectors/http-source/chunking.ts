/** Deterministic chunkings for split tests (a seeded PRNG, so a failure can be replayed). */

/** mulberry32: a tiny seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cuts `bytes` into consecutive chunks of random sizes in [1, maxSize]. */
export function randomChunks(bytes: Uint8Array, random: () => number, maxSize: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(random() * maxSize);
    chunks.push(Buffer.from(bytes.subarray(at, at + size)));
    at += size;
  }
  return chunks;
}

/** Cuts `bytes` into 1-byte chunks. */
export function byteChunks(bytes: Uint8Array): Buffer[] {
  return Array.from(bytes, (b) => Buffer.from([b]));
}

/** Random text over `alphabet` (an array of strings, e.g. characters or delimiter pieces). */
export function randomText(random: () => number, alphabet: readonly string[], length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
}

/** What splitting `text` must give: every delimited segment, plus the last one only if non-empty. */
export function expectedSegments(text: string, delimiter: string): string[] {
  const parts = text.split(delimiter);
  const last = parts.pop()!;
  return last.length > 0 ? [...parts, last] : parts;
}
