/**
 * JSON helpers shared by the built-in transforms, matching what the Hub SmartModules (Rust,
 * `serde_json` without `preserve_order`) do: object keys come out sorted, output is compact.
 */

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** A JSON value as `JSON.parse` returns it. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Whether `value` is a JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The record value as UTF-8 text.
 * @throws Error "record value is not valid UTF-8" (as Rust's `str::from_utf8`).
 */
export function recordText(value: Uint8Array): string {
  try {
    return strictUtf8.decode(value);
  } catch {
    throw new Error(`record value is not valid UTF-8 (${value.byteLength} bytes)`);
  }
}

/**
 * The record value parsed as JSON.
 * @throws Error naming the JSON problem (the Hub SmartModules fail such a record too).
 */
export function parseRecordJson(value: Uint8Array): Json {
  const text = recordText(value);
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new Error(`record value is not JSON: ${(err as Error).message}`);
  }
}

/** Compares object keys as Rust's `BTreeMap<String, _>` orders them (by code unit; UTF-8 order for the BMP). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compact JSON with every object's keys sorted (serde_json's output for a `Value`). */
export function stringifySorted(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(stringifySorted).join(',')}]`;
  if (isJsonObject(value)) {
    const keys = Object.keys(value).sort(compareKeys);
    return `{${keys.map((key) => `${JSON.stringify(key)}:${stringifySorted(value[key] as Json)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Sets an own property, `__proto__` included (a plain assignment of `__proto__` would replace the
 * object's prototype: record data must never do that).
 */
export function setKey(object: { [key: string]: Json }, key: string, value: Json): void {
  if (key === '__proto__') Object.defineProperty(object, key, { value, writable: true, enumerable: true, configurable: true });
  else object[key] = value;
}

/** A deep copy of a JSON value. */
export function cloneJson<T extends Json>(value: T): T {
  if (Array.isArray(value)) return value.map(cloneJson) as T;
  if (isJsonObject(value)) {
    const out: { [key: string]: Json } = {};
    for (const key of Object.keys(value)) setKey(out, key, cloneJson(value[key] as Json));
    return out as T;
  }
  return value;
}
