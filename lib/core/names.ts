import { createHash } from 'node:crypto';

/** First `length` hex characters of the sha256 of `text`: a stable short suffix. */
export function shortHash(text: string, length = 8): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * `base` cut to at most `max` characters; a cut name ends with `-` and 8 hex characters of its
 * hash, so two long names stay distinct. Used for every name with an AWS length limit (function
 * names, stream names), by the generator and the runtime alike.
 * @example fitName('a'.repeat(200), 128).length // 128
 */
export function fitName(base: string, max: number): string {
  if (base.length <= max) return base;
  const suffix = `-${shortHash(base)}`;
  return base.slice(0, max - suffix.length).replace(/[-_.]+$/, '') + suffix;
}
