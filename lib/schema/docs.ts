import { z } from 'zod';

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaProperty;
  anyOf?: JsonSchemaProperty[];
  properties?: Record<string, JsonSchemaProperty>;
  required?: string[];
}

/** Markers around a generated block in a Markdown file: `<!-- NAME:start (…; do not edit) -->` … `<!-- NAME:end -->`. */
export function blockMarkers(name: string, source: string): { start: string; end: string } {
  return { start: `<!-- ${name}:start (generated from ${source} by \`npm run docs\`; do not edit) -->`, end: `<!-- ${name}:end -->` };
}

function typeOf(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' \\| ');
  if (p.type === 'array') return `list of ${p.items ? typeOf(p.items) : 'values'}`;
  return Array.isArray(p.type) ? p.type.join(' \\| ') : (p.type ?? 'any');
}

/** The rows of an object schema's properties; nested objects (with their own properties) become `parent.child` rows. */
function rows(properties: Record<string, JsonSchemaProperty>, required: ReadonlySet<string>, prefix: string, omit: ReadonlySet<string>): string[] {
  return Object.entries(properties).flatMap(([key, p]) => {
    const name = prefix + key;
    if (omit.has(name)) return [];
    if (p.type === 'object' && p.properties) return rows(p.properties, new Set(p.required ?? []), `${name}.`, omit);
    const isEmptyObject = typeof p.default === 'object' && p.default !== null && Object.keys(p.default).length === 0 && !Array.isArray(p.default);
    const def = p.default === undefined || isEmptyObject ? (required.has(key) ? '(required)' : '(none)') : `\`${JSON.stringify(p.default)}\``;
    const description = (p.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return [`| \`${name}\` | ${typeOf(p)} | ${def} | ${description} |`];
  });
}

/**
 * The Markdown options table of a zod object schema (`z.toJSONSchema(schema, { io: 'input' })`):
 * option, type, default, description; nested objects flattened to dotted names. The schema is the
 * single source of truth: READMEs embed this table between {@link blockMarkers}.
 * @param options.omit - dotted names to leave out (e.g. values that are not user options).
 */
export function optionsTable(schema: z.ZodType, options: { omit?: readonly string[] } = {}): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchemaProperty;
  const body = rows(json.properties ?? {}, new Set(json.required ?? []), '', new Set(options.omit ?? []));
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
