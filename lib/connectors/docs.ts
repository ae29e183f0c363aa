import type { ConnectorDefinition } from '../core';
import { blockMarkers, optionsTable, withGeneratedBlock } from '../schema/docs';

/** Markers around the generated options table in a connector's README.md. */
export const OPTIONS_MARKERS = blockMarkers('options', 'schema.ts');

/**
 * Replaces (or appends) the options table of a connector, generated from its zod schema, in a
 * README text (the connector's own README and the top-level one).
 */
export function withOptionsTable(readme: string, definition: ConnectorDefinition): string {
  return withGeneratedBlock(readme, OPTIONS_MARKERS, optionsTable(definition.schema));
}
