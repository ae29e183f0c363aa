import { z } from 'zod';
import { blockMarkers, optionsTable, withGeneratedBlock } from '../schema/docs';
import type { TransformRegistry } from './registry';
import { TransformStepSchema } from './schema';

/** Markers around the generated step options table in lib/transforms/README.md. */
export const STEP_OPTIONS_MARKERS = blockMarkers('step-options', 'lib/transforms/schema.ts');
/** Markers around the generated table of built-in transforms. */
export const BUILTIN_MARKERS = blockMarkers('builtin-transforms', 'the transforms registry');

/** The table of the built-in transforms: `uses:`, kind, summary and each `with:` parameter (from its schema). */
export function builtinTransformsTable(registry: TransformRegistry): string {
  const rows = registry.definitions.map((definition) => {
    const json = z.toJSONSchema(definition.params, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, { description?: string }>; required?: string[] };
    const required = new Set(json.required ?? []);
    const params = Object.entries(json.properties ?? {}).map(([name, p]) => `\`${name}\`${required.has(name) ? ' (required)' : ''}: ${(p.description ?? '').replace(/\|/g, '\\|')}`);
    const names = [definition.name, ...(definition.aliases ?? [])].map((name) => `\`${name}@x.y.z\``).join(', ');
    return `| ${names} | ${definition.kind} | ${definition.summary} | ${params.length > 0 ? params.join('<br>') : '(none)'} |`;
  });
  return ['| `uses:` | kind | what it does | `with:` |', '|---|---|---|---|', ...rows].join('\n');
}

/** lib/transforms/README.md with its generated tables brought up to date. */
export function withTransformTables(readme: string, registry: TransformRegistry): string {
  const steps = withGeneratedBlock(readme, STEP_OPTIONS_MARKERS, optionsTable(TransformStepSchema), '## Step options');
  return withGeneratedBlock(steps, BUILTIN_MARKERS, builtinTransformsTable(registry), '## Built-in transforms');
}
