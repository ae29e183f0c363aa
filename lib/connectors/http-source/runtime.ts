import type { SourceRuntime } from '../../core';
import type { HttpSourceConfigSchema } from './schema';

/**
 * What running a validated http-source section needs (the `httpSource` definition minus its schema,
 * summary and warnings): no zod here, so a deployed poller running the generator's validated config
 * (`CONNECTOR_SPEC`) bundles no schema (lib/connectors/periodic-runtime.ts).
 */
export const httpSourceRuntime: SourceRuntime<typeof HttpSourceConfigSchema> = {
  type: 'http-source',
  legacyTypes: ['http'],
  direction: 'source',
  section: 'http',
  needs: ['http'],
  legacyDurationUnits: { interval: 's' },
  secretPlaceholders: { endpoint: 'https://secret.invalid/' },
  mode: (config) => (config.stream ? { kind: 'continuous', finite: false } : { kind: 'periodic', intervalMs: config.interval }),
  load: async () => ({ createSource: (await import('./source')).createHttpSource }),
};
