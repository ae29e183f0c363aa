import timestring from 'timestring';
import { z } from 'zod';

/**
 * Parses a humantime duration (`2s`, `500ms`, `1m`, `1h 30m`, `1.5s`) into milliseconds, like
 * Fluvio's connectors (Rust `humantime`). A bare number is rejected (humantime rejects it too);
 * legacy configs convert integer seconds before this is called.
 *
 * @returns milliseconds, or `undefined` when `text` is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  // timestring accepts bare numbers (as ms) and ignores a leading minus; humantime does neither.
  if (!/^\d/.test(trimmed) || /^\d+(\.\d+)?$/.test(trimmed)) return undefined;
  try {
    const ms = timestring(trimmed, 'ms');
    return Number.isFinite(ms) ? Math.round(ms) : undefined;
  } catch {
    return undefined;
  }
}

/** Formats milliseconds back into a humantime string (`2s`, `1m 30s`, `250ms`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}

/** Definitions of the schemas made by {@link durationSchema} (a def survives `.describe()` clones). */
const durationDefs = new WeakSet<object>();

/**
 * Whether `schema` is a {@link durationSchema} (not wrapped in `.optional()`, `.prefault()`…).
 * The config loader uses it to read legacy integer durations as seconds.
 */
export function isDurationSchema(schema: z.ZodType): boolean {
  return durationDefs.has(schema._zod.def);
}

/**
 * zod schema of a duration field: input a humantime string, output milliseconds (a number).
 * @param options.min - smallest accepted value in ms (inclusive), default 1.
 */
export function durationSchema(options: { min?: number } = {}) {
  const min = options.min ?? 1;
  const schema = z
    .string({ error: 'expected a duration such as "2s", "500ms", "1m" or "1h 30m"' })
    .transform((text, ctx) => {
      const ms = parseDuration(text);
      if (ms === undefined) {
        ctx.addIssue({
          code: 'custom',
          input: text,
          message: 'expected a duration such as "2s", "500ms", "1m" or "1h 30m"',
        });
        return z.NEVER;
      }
      if (ms < min) {
        ctx.addIssue({ code: 'custom', input: text, message: `expected a duration of at least ${formatDuration(min)}` });
        return z.NEVER;
      }
      return ms;
    });
  durationDefs.add(schema._zod.def);
  return schema;
}
