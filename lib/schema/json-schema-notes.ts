import type { z } from 'zod';
import type { DurationUnit } from '../core';

/** A JSON Schema (draft 2020-12) object, as zod's `z.toJSONSchema` emits it. */
export type JsonSchema = z.core.JSONSchema.JSONSchema;

/**
 * What a zod schema accepts as input beyond what zod can express in JSON Schema (a prepress step
 * that renames keys or reads strings as numbers, a transform that checks a string's form). Read by
 * `inputJsonSchema` (json-schema.ts). Notes are plain data so that the code running configs (the
 * Lambda bundle) carries only them, not the JSON Schema generator.
 *
 * - `also`: the value may also match this schema (the result is `anyOf`).
 * - `instead`: the schema to use instead of what zod emits (e.g. for a transform of `unknown`).
 * - `aliases`: an object's keys may also be written in each `spellings(key)`, never two spellings together.
 * - `legacy-scalars`: the fields of `schema` (an object) also take the scalars a legacy config may
 *   write for them (`"true"`, `"5"`, an integer in the field's unit for durations, a scalar for a list…).
 * - `null-when-optional`: `null` stands for an empty object, when no field is required.
 */
export type JsonSchemaNote =
  | { readonly kind: 'also'; readonly schema: JsonSchema }
  | { readonly kind: 'instead'; readonly schema: JsonSchema }
  | { readonly kind: 'aliases'; readonly spellings: (key: string) => string[] }
  | { readonly kind: 'legacy-scalars'; readonly schema: z.ZodType; readonly units: Readonly<Record<string, DurationUnit>> }
  | { readonly kind: 'null-when-optional' };

const notes = new WeakMap<object, JsonSchemaNote[]>();

/**
 * Attaches a {@link JsonSchemaNote} to `schema` (this instance; wrappers built on it, such as
 * `.optional()` or `.describe()`, inherit its JSON Schema). Returns `schema`.
 * @example
 * export const VersionSchema = noteJsonSchema(z.string().min(1), { kind: 'also', schema: { type: 'number' } });
 */
export function noteJsonSchema<S extends z.ZodType>(schema: S, note: JsonSchemaNote): S {
  notes.set(schema, [...(notes.get(schema) ?? []), note]);
  return schema;
}

/** The notes attached to `schema` by {@link noteJsonSchema}. */
export function jsonSchemaNotes(schema: z.ZodType): readonly JsonSchemaNote[] {
  return notes.get(schema) ?? [];
}

/**
 * A JSON Schema `pattern` matching exactly one of `words` in any letter case (`Lz4`, `LZ4`, `lz4`):
 * JSON Schema patterns have no `i` flag.
 * @example anyCasePattern(['Gzip']) // '^(?:[gG][zZ][iI][pP])$'
 */
export function anyCasePattern(words: readonly string[]): string {
  const word = (text: string): string =>
    [...text].map((char) => (char.toLowerCase() !== char.toUpperCase() ? `[${char.toLowerCase()}${char.toUpperCase()}]` : char.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'))).join('');
  return `^(?:${words.map(word).join('|')})$`;
}
