import { z } from 'zod';
import { describeBounds, durationBounds } from './duration';
import { objectShape, unwrapSchema } from './walk';

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaProperty;
  anyOf?: JsonSchemaProperty[];
  properties?: Record<string, JsonSchemaProperty>;
  required?: string[];
  minimum?: number;
  maximum?: number;
}

/** Markers around a generated block in a Markdown file: `<!-- NAME:start (…; do not edit) -->` … `<!-- NAME:end -->`. */
export function blockMarkers(name: string, source: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start (generated from ${source} by \`npm run docs\`; do not edit) -->`, end: `<!-- ${name}:end -->` };
}

function typeOf(p: JsonSchemaProperty, field?: z.ZodType): string {
  const duration = field && durationBounds(unwrapSchema(field));
  if (duration) return `duration, ${describeBounds(duration)}`;
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map((option) => typeOf(option)).join(' \\| ');
  if (p.type === 'array') return `list of ${p.items ? typeOf(p.items) : 'values'}`;
  const type = Array.isArray(p.type) ? p.type.join(' \\| ') : (p.type ?? 'any');
  const max = p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER ? p.maximum : undefined;
  if (p.minimum !== undefined && p.minimum > Number.MIN_SAFE_INTEGER && max !== undefined) return `${type}, ${p.minimum} … ${max}`;
  if (p.minimum !== undefined && p.minimum > Number.MIN_SAFE_INTEGER) return `${type} ≥ ${p.minimum}`;
  return type;
}

/**
 * The rows of an object schema's properties; nested objects (with their own properties) become
 * `parent.child` rows. `shape` holds the zod field schemas (for duration bounds, which JSON Schema
 * cannot say).
 */
function rows(properties: Record<string, JsonSchemaProperty>, required: ReadonlySet<string>, prefix: string, omit: ReadonlySet<string>, shape?: Record<string, z.ZodType>): string[] {
  return Object.entries(properties).flatMap(([key, p]) => {
    const name = prefix + key;
    if (omit.has(name)) return [];
    const field = shape?.[key];
    if (p.type === 'object' && p.properties) return rows(p.properties, new Set(p.required ?? []), `${name}.`, omit, field && objectShape(field));
    const isEmptyObject = typeof p.default === 'object' && p.default !== null && Object.keys(p.default).length === 0 && !Array.isArray(p.default);
    const def = p.default === undefined || isEmptyObject ? (required.has(key) ? '(required)' : '(none)') : `\`${JSON.stringify(p.default)}\``;
    const description = (p.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return [`| \`${name}\` | ${typeOf(p, field)} | ${def} | ${description} |`];
  });
}

/**
 * The Markdown options table of a zod object schema (`z.toJSONSchema(schema, { io: 'input' })`):
 * option, type (with its bounds: `duration, 100ms … 24d`, `integer, 0 … 100`), default,
 * description; nested objects flattened to dotted names. The schema is the
 * single source of truth: READMEs embed this table between {@link blockMarkers}.
 * @param options.omit - dotted names to leave out (e.g. values that are not user options).
 */
export function optionsTable(schema: z.ZodType, options: { omit?: readonly string[] } = {}): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaProperty;
  const body = rows(json.properties ?? {}, new Set(json.required ?? []), '', new Set(options.omit ?? []), objectShape(schema));
  return ['| option | type | default | description |', '|---|---|---|---|', ...body].join('\n');
}

/** Replaces (or appends under `heading`) the generated block `markers` in a Markdown text. */
export function withGeneratedBlock(text: string, markers: { start: string; end: string }, content: string, heading = '## Options'): string {
  const block = `${markers.start}\n${content}\n${markers.end}`;
  const start = text.indexOf(markers.start);
  const end = text.indexOf(markers.end);
  if (start >= 0 && end > start) return text.slice(0, start) + block + text.slice(end + markers.end.length);
  return `${text.trimEnd()}\n\n${heading}\n\n${block}\n`;
}
