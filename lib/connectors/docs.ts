import { z } from 'zod';
import type { ConnectorDefinition } from '../core';

interface JsonSchemaProperty {
  type?: string | string[];
  enum?: unknown[];
  default?: unknown;
  description?: string;
  items?: JsonSchemaProperty;
  anyOf?: JsonSchemaProperty[];
}

/** Markers around the generated options table in a connector's README.md. */
export const OPTIONS_START = '<!-- options:start (generated from schema.ts by `npm run docs`; do not edit) -->';
export const OPTIONS_END = '<!-- options:end -->';

function typeOf(p: JsonSchemaProperty): string {
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' \\| ');
  if (p.type === 'array') return `list of ${p.items ? typeOf(p.items) : 'values'}`;
  return Array.isArray(p.type) ? p.type.join(' \\| ') : (p.type ?? 'any');
}

/**
 * The Markdown options table of a connector, generated from its zod schema
 * (`z.toJSONSchema(schema, { io: 'input' })`): option, type, default, required, description.
 * The schema is the single source of truth; READMEs embed this table between
 * {@link OPTIONS_START} and {@link OPTIONS_END}.
 */
export function optionsTable(definition: ConnectorDefinition): string {
  const schema = z.toJSONSchema(definition.schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, JsonSchemaProperty>;
    required?: string[];
  };
  const required = new Set(schema.required ?? []);
  const rows = Object.entries(schema.properties ?? {}).map(([name, p]) => {
    const def = p.default === undefined ? (required.has(name) ? '(required)' : '(none)') : `\`${JSON.stringify(p.default)}\``;
    const description = (p.description ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    return `| \`${name}\` | ${typeOf(p)} | ${def} | ${description} |`;
  });
  return ['| option | type | default | description |', '|---|---|---|---|', ...rows].join('\n');
}

/** Replaces (or appends) the generated options block in a README text. */
export function withOptionsTable(readme: string, definition: ConnectorDefinition): string {
  const block = `${OPTIONS_START}\n${optionsTable(definition)}\n${OPTIONS_END}`;
  const start = readme.indexOf(OPTIONS_START);
  const end = readme.indexOf(OPTIONS_END);
  if (start >= 0 && end > start) return readme.slice(0, start) + block + readme.slice(end + OPTIONS_END.length);
  return `${readme.trimEnd()}\n\n## Options\n\n${block}\n`;
}
