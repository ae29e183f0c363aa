import { z } from 'zod';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Units of a duration, in milliseconds, as Rust's `humantime::parse_duration` reads them (the
 * parser of Fluvio's connectors): case-sensitive, so `M` is a month and `m` a minute.
 */
const UNITS: Readonly<Record<string, number>> = {
  ...Object.fromEntries(['nanos', 'nsec', 'ns'].map((unit) => [unit, 1e-6])),
  ...Object.fromEntries(['usec', 'us', 'µs'].map((unit) => [unit, 1e-3])),
  ...Object.fromEntries(['millis', 'msec', 'ms'].map((unit) => [unit, 1])),
  ...Object.fromEntries(['seconds', 'second', 'secs', 'sec', 's'].map((unit) => [unit, SECOND])),
  ...Object.fromEntries(['minutes', 'minute', 'mins', 'min', 'm'].map((unit) => [unit, MINUTE])),
  ...Object.fromEntries(['hours', 'hour', 'hrs', 'hr', 'h'].map((unit) => [unit, HOUR])),
  ...Object.fromEntries(['days', 'day', 'd'].map((unit) => [unit, DAY])),
  ...Object.fromEntries(['weeks', 'week', 'w'].map((unit) => [unit, 7 * DAY])),
  // humantime: a month is 30.44 days, a year 365.25 days.
  ...Object.fromEntries(['months', 'month', 'M'].map((unit) => [unit, 2_630_016 * SECOND])),
  ...Object.fromEntries(['years', 'year', 'y'].map((unit) => [unit, 31_557_600 * SECOND])),
};

/** One `<number><unit>` part: digits (a decimal fraction is our extension), optional spaces, letters. */
const PART = /(\d+(?:\.\d+)?)[ \t]*([A-Za-zµ]+)[ \t]*/y;

/**
 * The humantime grammar as a regular expression (for JSON Schema's `pattern`): parts such as `1h`,
 * `30m`, `1.5s`, separated by optional spaces.
 */
export const DURATION_PATTERN = `^[ \\t]*(?:\\d+(?:\\.\\d+)?[ \\t]*(?:${Object.keys(UNITS)
  .sort((a, b) => b.length - a.length)
  .join('|')})[ \\t]*)+$`;

/** Why a text is not a duration (for messages), or the parsed milliseconds. */
type Parsed = { ms: number } | { problem: string };

function parse(text: string): Parsed {
  const trimmed = text.trim();
  if (!/^\d/.test(trimmed)) return { problem: trimmed === '' ? 'it is empty' : 'it does not start with a number' };
  PART.lastIndex = 0;
  let total = 0;
  while (PART.lastIndex < trimmed.length) {
    const at = PART.lastIndex;
    const match = PART.exec(trimmed);
    if (!match) {
      const rest = trimmed.slice(at);
      return { problem: /^\d+(?:\.\d+)?$/.test(rest) ? `the number ${rest} has no unit` : `${JSON.stringify(rest.slice(0, 12))} is not a number with a unit` };
    }
    const [, digits, unit] = match as unknown as [string, string, string];
    const size = UNITS[unit];
    if (size === undefined) return { problem: `"${unit}" is not a unit (ns, us, ms, s, m, h, d, w, M, y)` };
    // humantime refuses numbers beyond u64; 15 digits keep every sum exact in a double.
    if (digits.replace('.', '').length > 15) return { problem: 'the number is too large' };
    total += Number(digits) * size;
  }
  return { ms: total };
}

/**
 * Parses a humantime duration (`2s`, `500ms`, `1m`, `1h 30m`, `100msec`, `500us`) into
 * milliseconds, with the grammar and units of Fluvio's connectors (Rust `humantime`): each number
 * needs a unit (`1s2` and a bare `10` are refused), units are case-sensitive (`M` is a month).
 * A decimal fraction (`1.5s`) is accepted as an extension. Sub-millisecond totals round up to 1 ms,
 * others to the nearest millisecond.
 *
 * @returns milliseconds, or `undefined` when `text` is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const parsed = parse(text);
  return 'ms' in parsed ? roundMs(parsed.ms) : undefined;
}

function roundMs(ms: number): number {
  return ms > 0 && ms < 1 ? 1 : Math.round(ms);
}

/** Formats milliseconds back into a humantime string (`2s`, `1m 30s`, `250ms`, `24d`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
    ['ms', 1],
  ] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return parts.join(' ');
}

/**
 * Longest duration a timer-backed field accepts: 24 days, below Node's timer limit of 2^31 - 1 ms
 * (about 24.8 days; a longer `setTimeout` fires after 1 ms, so `interval: 30d` would poll as fast
 * as it can). The default maximum of {@link durationSchema}.
 */
export const MAX_TIMER_DURATION = '24d';

/** Bounds of a duration field, in ms (both inclusive). */
export interface DurationBounds {
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * A lower minimum allowed only when a boolean sibling field is `true` (e.g. http-source
   * `interval` ≥ 100 ms, ≥ 1 ms with `allow_fast_interval: true`); enforced by
   * {@link withDurationOptIns} on the object.
   */
  readonly optIn?: { readonly minMs: number; readonly flag: string };
}

/** Options of {@link durationSchema}: bounds as humantime strings (`'100ms'`) or ms. */
export interface DurationOptions {
  /** Smallest value (inclusive); default `1ms`. */
  min?: string | number;
  /** Largest value (inclusive); default {@link MAX_TIMER_DURATION}. */
  max?: string | number;
  /** A lower minimum, allowed only when the boolean field `flag` of the same object is true. */
  optIn?: { min: string | number; flag: string };
}

/** Bounds of the schemas made by {@link durationSchema}, by definition (a def survives `.describe()` clones). */
const durationDefs = new WeakMap<object, DurationBounds>();

function toMs(bound: string | number): number {
  if (typeof bound === 'number') return bound;
  const ms = bound === '0s' ? 0 : parseDuration(bound);
  if (ms === undefined) throw new Error(`invalid duration bound ${JSON.stringify(bound)}`);
  return ms;
}

/**
 * Whether `schema` is a {@link durationSchema} (not wrapped in `.optional()`, `.prefault()`…).
 * The config loader uses it to read legacy integer durations in the connector's unit.
 */
export function isDurationSchema(schema: z.ZodType): boolean {
  return durationDefs.has(schema._zod.def);
}

/** The bounds of a {@link durationSchema} (unwrapped), or `undefined` for any other schema. */
export function durationBounds(schema: z.ZodType): DurationBounds | undefined {
  return durationDefs.get(schema._zod.def);
}

/** How a duration field's bounds read in docs: `100ms … 24d`, `100ms (1ms with allow_fast_interval: true) … 24d`. */
export function describeBounds(bounds: DurationBounds): string {
  const min = formatDuration(bounds.minMs);
  const optIn = bounds.optIn ? ` (${formatDuration(bounds.optIn.minMs)} with ${bounds.optIn.flag}: true)` : '';
  return `${min}${optIn} … ${formatDuration(bounds.maxMs)}`;
}

const EXAMPLES = 'expected a duration such as "2s", "500ms", "1m" or "1h 30m"';

/**
 * zod schema of a duration field: input a humantime string (see {@link parseDuration}), output
 * milliseconds (a number), bounded: `min` ≤ value ≤ `max`. Every duration field of a connector
 * uses it, so no value can overflow a timer or make a connector spin; the bounds are listed in the
 * generated option tables (`npm run docs`). With `optIn`, values down to `optIn.min` pass the field
 * and the object (wrapped in {@link withDurationOptIns}) refuses those below `min` unless `optIn.flag`
 * is true. Representable by `z.toJSONSchema` (a string with a humantime `pattern`).
 *
 * @example
 * durationSchema({ min: '100ms', max: '24d' }).parse('2s'); // 2000
 * @throws Error (at definition time) when a bound is not a duration or `min` > `max`.
 */
export function durationSchema(options: DurationOptions = {}) {
  const minMs = toMs(options.min ?? '1ms');
  const maxMs = toMs(options.max ?? MAX_TIMER_DURATION);
  const optIn = options.optIn ? { minMs: toMs(options.optIn.min), flag: options.optIn.flag } : undefined;
  if (minMs > maxMs || (optIn && optIn.minMs > minMs)) throw new Error(`invalid duration bounds ${JSON.stringify(options)}`);
  const floor = optIn?.minMs ?? minMs;
  const schema = z
    .string({ error: EXAMPLES })
    .transform((text, ctx) => {
      const parsed = parse(text);
      if (!('ms' in parsed)) {
        ctx.addIssue({ code: 'custom', input: text, message: `${EXAMPLES} (${parsed.problem})` });
        return z.NEVER;
      }
      const ms = roundMs(parsed.ms);
      if (ms < floor) {
        const lower = optIn ? ` (${formatDuration(optIn.minMs)} with ${optIn.flag}: true)` : '';
        ctx.addIssue({ code: 'custom', input: text, message: `expected a duration of at least ${formatDuration(minMs)}${lower}` });
        return z.NEVER;
      }
      if (ms > maxMs) {
        const why = maxMs === toMs(MAX_TIMER_DURATION) ? ' (longer waits overflow timers)' : '';
        ctx.addIssue({ code: 'custom', input: text, message: `expected a duration of at most ${formatDuration(maxMs)}${why}` });
        return z.NEVER;
      }
      return ms;
    })
    .meta({ pattern: DURATION_PATTERN });
  durationDefs.set(schema._zod.def, { minMs, maxMs, ...(optIn ? { optIn } : {}) });
  return schema;
}

/**
 * Adds to an object schema the rule of its {@link durationSchema} fields with an `optIn`: a value
 * below the field's `min` is refused unless the object's `optIn.flag` field is `true`. The issue is
 * at the duration field and names the flag.
 */
export function withDurationOptIns<T extends z.ZodObject>(schema: T): T {
  const rules = Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([key, field]) => {
    const bounds = durationBoundsOf(field);
    return bounds?.optIn ? [{ key, minMs: bounds.minMs, optInMs: bounds.optIn.minMs, flag: bounds.optIn.flag }] : [];
  });
  return schema.superRefine((value: Record<string, unknown>, ctx) => {
    for (const rule of rules) {
      const ms = value[rule.key];
      if (typeof ms === 'number' && ms < rule.minMs && value[rule.flag] !== true) {
        ctx.addIssue({
          code: 'custom',
          path: [rule.key],
          input: ms,
          message: `expected a duration of at least ${formatDuration(rule.minMs)} (${formatDuration(rule.optInMs)} with ${rule.flag}: true)`,
        });
      }
    }
  }) as unknown as T;
}

/** Bounds of a field schema, looking through `optional`/`default`/`prefault` wrappers. */
function durationBoundsOf(field: z.ZodType): DurationBounds | undefined {
  let current: z.ZodType | undefined = field;
  for (let guard = 0; current && guard < 10; guard += 1) {
    const bounds = durationBounds(current);
    if (bounds) return bounds;
    current = (current._zod.def as { innerType?: z.ZodType }).innerType;
  }
  return undefined;
}
