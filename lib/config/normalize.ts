import { z } from 'zod';
import type { DurationUnit } from '../core';
import { noteJsonSchema } from '../schema/json-schema-notes';
import { type FieldKind, fieldKind, objectShape } from '../schema/walk';

/** Whether `value` is a YAML mapping read as a plain object. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Maps a key as written to the schema's key; `spellings` lists the other ways to write a schema
 * key (for the JSON Schema of configs).
 */
export interface KeyCanonicalizer {
  (key: string): string;
  spellings(canonical: string): string[];
}

/** Maps kebab-case keys to snake_case (`user-agent` → `user_agent`): the keys of connector sections. */
export const snakeCaseKey: KeyCanonicalizer = Object.assign((key: string): string => key.replace(/-/g, '_'), {
  spellings: (canonical: string): string[] => (canonical.includes('_') ? [canonical.replace(/_/g, '-')] : []),
});

/** Maps the listed alias keys to their canonical key, others unchanged. */
export const aliasKeys = (aliases: Readonly<Record<string, string>>): KeyCanonicalizer =>
  Object.assign((key: string): string => aliases[key] ?? key, {
    spellings: (canonical: string): string[] => Object.keys(aliases).filter((alias) => aliases[alias] === canonical),
  });

/**
 * Wraps an object schema so aliased keys reach their canonical field before validation (e.g.
 * `create_topic` → `create-topic` in `meta`, `user-agent` → `user_agent` in `http:`). Two keys naming
 * the same field are an error at the second key. The config loader maps issue paths back to the keys
 * as written (`-` and `_` match each other when locating).
 *
 * @param canonical - maps a key as written to the schema's key.
 */
export function withKeyAliases<S extends z.ZodType>(schema: S, canonical: KeyCanonicalizer) {
  const aliased = z.preprocess((value, ctx) => {
    if (!isPlainObject(value)) return value;
    const out: Record<string, unknown> = {};
    const writtenAs = new Map<string, string>();
    for (const [key, item] of Object.entries(value)) {
      const name = canonical(key);
      const first = writtenAs.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          input: item,
          message: `duplicate field: "${first}" and "${key}" are the same field, keep one`,
          params: { target: 'key', raw: true },
        });
        continue;
      }
      writtenAs.set(name, key);
      out[name] = item;
    }
    return out;
  }, schema);
  return noteJsonSchema(aliased, { kind: 'aliases', spellings: canonical.spellings });
}

const NUMERIC = /^[+-]?\d+(\.\d+)?$/;

function coerceLegacyValue(value: unknown, kind: FieldKind, unit: DurationUnit | undefined): unknown {
  switch (kind.kind) {
    case 'duration':
      // Only where the connector says which unit its legacy integers had (`legacyDurationUnits`);
      // a quoted integer (`interval: "10"`) is one too, as Fluvio passed every parameter as a flag.
      if (unit === undefined) return value;
      if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return `${value}${unit}`;
      return typeof value === 'string' && /^\s*\d{1,15}\s*$/.test(value) ? `${value.trim()}${unit}` : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'number':
      return typeof value === 'string' && NUMERIC.test(value.trim()) ? Number(value) : value;
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'array':
      if (Array.isArray(value)) return value.map((item) => coerceLegacyValue(item, kind.element, unit));
      // A map parameter became `--key=subkey:value` once per entry; a scalar became one flag.
      if (isPlainObject(value) && kind.element.kind === 'string') {
        return Object.entries(value).map(([key, item]) => `${key}:${String(item)}`);
      }
      if (value !== null && value !== undefined && !isPlainObject(value)) return [coerceLegacyValue(value, kind.element, unit)];
      return value;
    default:
      return value;
  }
}

/**
 * Reads a legacy `parameters:` map the way Fluvio's legacy runner passed it to the connector (as
 * `--key=value` command-line flags, FC `connector-run` `build_args`), for the fields of `schema`:
 * - an integer (or a quoted integer) for a duration field is read in the unit the connector declares for it
 *   (`units`: http-source `interval: 10` → `10s`, test-connector `timeout: 500` → `500ms`); a
 *   duration field without a declared unit takes no integer (the schema then reports it);
 * - `"true"`/`"false"` are booleans, numeric strings are numbers, numbers/booleans for string fields are strings;
 * - a scalar for a list field is a one-item list; a map for a list of strings becomes `key:value` items
 *   (so `headers: {Accept: text/plain}` works as in Fluvio).
 *
 * Keys must already be canonical (see {@link withKeyAliases}); unknown keys are left for the schema to reject.
 */
export function coerceLegacyScalars(value: unknown, schema: z.ZodType, units: Readonly<Record<string, DurationUnit>> = {}): unknown {
  const shape = objectShape(schema);
  if (!shape || !isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => {
      const field = shape[key];
      return [key, field ? coerceLegacyValue(item, fieldKind(field), units[key]) : item];
    }),
  );
}
