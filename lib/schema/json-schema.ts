import { z } from 'zod';
import type { DurationUnit } from '../core';
import { type JsonSchema, jsonSchemaNotes, type JsonSchemaNote } from './json-schema-notes';
import { type FieldKind, fieldKind, objectShape } from './walk';

export type { JsonSchema } from './json-schema-notes';

/** Strings `Number()` reads as a finite number (decimal, optional exponent, blanks around): what `z.coerce.number()` takes. */
const COERCIBLE_NUMBER = '^\\s*[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?\\s*$';
/** A decimal number as a string, as legacy configs may write numbers (`"5"`; see `coerceLegacyScalars`). */
const NUMERIC = /^[+-]?\d+(\.\d+)?$/;
const NUMERIC_PATTERN = '^\\s*[+-]?\\d+(\\.\\d+)?\\s*$';

/**
 * Widens `json` in place to `anyOf: [json as it was, ...alternatives]`; `title`, `description` and
 * `default` stay outside (editors show them). A bare `anyOf` gets the new alternatives added.
 */
export function widenJsonSchema(json: JsonSchema, ...alternatives: JsonSchema[]): void {
  const { description, default: defaultValue, title, ...shape } = json;
  const current = Object.keys(shape).length === 1 && Array.isArray(shape.anyOf) ? (shape.anyOf as JsonSchema[]) : [shape];
  const seen = new Set(current.map((branch) => JSON.stringify(branch)));
  const added = alternatives.filter((branch) => !seen.has(JSON.stringify(branch)));
  for (const key of Object.keys(json)) delete json[key];
  Object.assign(json, {
    ...(title !== undefined ? { title } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
    anyOf: [...current, ...added],
  });
}

/** `aliases` note: every other spelling of a property is a property too, a required one may use any spelling, two spellings together are refused. */
function applyAliases(json: JsonSchema, spellingsOf: (key: string) => string[]): void {
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  if (!properties) return;
  const out: Record<string, JsonSchema> = {};
  const dependent: Record<string, JsonSchema> = {};
  const eitherRequired: JsonSchema[] = [];
  let required = (json.required as string[] | undefined) ?? [];
  for (const [key, schema] of Object.entries(properties)) {
    out[key] = schema;
    const spellings = spellingsOf(key);
    for (const spelling of spellings) {
      out[spelling] = schema;
      dependent[spelling] = { not: { required: [key] } };
    }
    if (spellings.length > 0 && required.includes(key)) {
      required = required.filter((name) => name !== key);
      eitherRequired.push({ anyOf: [key, ...spellings].map((name) => ({ required: [name] })) });
    }
  }
  json.properties = out;
  if (json.required) json.required = required;
  if (Object.keys(dependent).length > 0) json.dependentSchemas = { ...(json.dependentSchemas as object | undefined), ...dependent };
  if (eitherRequired.length > 0) json.allOf = [...((json.allOf as JsonSchema[] | undefined) ?? []), ...eitherRequired];
}

/** Whether an object's JSON Schema has a required field (directly, or one with aliases: `allOf`). */
function hasRequired(json: JsonSchema): boolean {
  return (Array.isArray(json.required) && json.required.length > 0) || Array.isArray(json.allOf);
}

/** What a legacy config may write for a field of `kind`, besides the field's own schema (see `coerceLegacyScalars` in lib/config). */
function legacyAlternatives(json: JsonSchema, kind: FieldKind, unit: DurationUnit | undefined): JsonSchema[] {
  switch (kind.kind) {
    case 'duration':
      return unit !== undefined ? [{ type: 'integer', minimum: 0 }] : [];
    case 'boolean':
      return [{ enum: ['true', 'false'] }];
    case 'number':
      return [{ type: 'string', pattern: NUMERIC_PATTERN }];
    case 'string': {
      if (!Array.isArray(json.enum)) return [{ type: ['number', 'boolean'] }];
      const scalars = json.enum.flatMap((value): Array<number | boolean> => (value === 'true' ? [true] : value === 'false' ? [false] : typeof value === 'string' && NUMERIC.test(value) ? [Number(value)] : []));
      return scalars.length > 0 ? [{ enum: scalars }] : [];
    }
    case 'array': {
      const items = json.items;
      if (!items || typeof items !== 'object' || Array.isArray(items)) return [];
      // A scalar is a one-item list; a map, for a list of strings, is `key:value` items.
      const map: JsonSchema[] = kind.element.kind === 'string' ? [{ type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } }] : [];
      return [legacyField(items, kind.element, unit), ...map];
    }
    default:
      return [];
  }
}

/** A copy of a field's JSON Schema that also takes what legacy configs may write for it. */
function legacyField(json: JsonSchema, kind: FieldKind, unit: DurationUnit | undefined): JsonSchema {
  const items = json.items;
  const copy: JsonSchema = kind.kind === 'array' && items && typeof items === 'object' && !Array.isArray(items) ? { ...json, items: legacyField(items, kind.element, unit) } : { ...json };
  const alternatives = legacyAlternatives(json, kind, unit);
  if (alternatives.length > 0) widenJsonSchema(copy, ...alternatives);
  return copy;
}

/** `legacy-scalars` note: each field of the object also takes its legacy scalars. */
function applyLegacyScalars(json: JsonSchema, schema: z.ZodType, units: Readonly<Record<string, DurationUnit>>): void {
  const shape = objectShape(schema);
  const properties = json.properties as Record<string, JsonSchema> | undefined;
  if (!shape || !properties) return;
  json.properties = Object.fromEntries(Object.entries(properties).map(([key, field]) => [key, shape[key] ? legacyField(field, fieldKind(shape[key]), units[key]) : field]));
}

function applyNote(json: JsonSchema, note: JsonSchemaNote): void {
  switch (note.kind) {
    case 'also':
      return widenJsonSchema(json, note.schema);
    case 'instead': {
      const { description, default: defaultValue } = json;
      for (const key of Object.keys(json)) delete json[key];
      Object.assign(json, { ...note.schema, ...(description !== undefined ? { description } : {}), ...(defaultValue !== undefined ? { default: defaultValue } : {}) });
      return;
    }
    case 'aliases':
      return applyAliases(json, note.spellings);
    case 'legacy-scalars':
      return applyLegacyScalars(json, note.schema, note.units);
    case 'null-when-optional':
      if (!hasRequired(json)) widenJsonSchema(json, { type: 'null' });
  }
}

/** Where {@link inputJsonSchema} calls `override`: a zod schema and its JSON Schema (notes applied). */
export interface JsonSchemaSite {
  zodSchema: z.ZodType;
  jsonSchema: JsonSchema;
}

/**
 * The JSON Schema (draft 2020-12) of what `schema` accepts as input (zod 4's `z.toJSONSchema` with
 * `io: 'input'`: defaults are documented, fields with a default are not required), with the
 * {@link JsonSchemaNote}s of its parts applied, numeric strings for `z.coerce.number()`, then
 * `override` at each site (for rules of the caller). Transforms zod cannot express become `{}`
 * (anything) unless a note says more. Nested objects of the result are never shared.
 * @throws Error when a regex of `schema` has flags (`/…/i`): JSON Schema patterns cannot carry them,
 *   so the JSON Schema would disagree with the zod schema.
 */
export function inputJsonSchema(schema: z.ZodType, override?: (site: JsonSchemaSite) => void): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      const site: JsonSchemaSite = { zodSchema: ctx.zodSchema as unknown as z.ZodType, jsonSchema: ctx.jsonSchema as JsonSchema };
      const def = site.zodSchema._zod.def as { type: string; coerce?: boolean; checks?: Array<{ _zod: { def: { pattern?: unknown } } }> };
      const flagged = (def.checks ?? []).map((check) => check._zod.def.pattern).find((pattern) => pattern instanceof RegExp && pattern.flags.replace(/[gu]/g, '') !== '');
      if (flagged) throw new Error(`the pattern ${String(flagged)} has flags, which JSON Schema's \`pattern\` cannot carry: spell them out (e.g. [aA] for /a/i)`);
      if (def.type === 'number' && def.coerce === true) widenJsonSchema(site.jsonSchema, { type: 'string', pattern: COERCIBLE_NUMBER });
      for (const note of jsonSchemaNotes(site.zodSchema)) applyNote(site.jsonSchema, note);
      override?.(site);
    },
  });
  return JSON.parse(JSON.stringify(json)) as JsonSchema;
}
