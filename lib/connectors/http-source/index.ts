import type { ConnectorDefinition } from '../../core/connector';
import { HttpSourceConfigSchema } from './schema';
import { createHttpSource } from './source';

export { HttpSourceConfigSchema, type HttpSourceConfig, DEFAULT_USER_AGENT } from './schema';
export { createHttpSource } from './source';

/**
 * http-source: Fluvio's `infinyon/http-source` (apiVersion configs, section `http:`) and the legacy
 * `type: http` connector (section `parameters:`).
 */
export const httpSource: ConnectorDefinition<typeof HttpSourceConfigSchema> = {
  type: 'http-source',
  legacyTypes: ['http'],
  direction: 'source',
  section: 'http',
  schema: HttpSourceConfigSchema,
  summary: 'Polls an HTTP endpoint every interval, or splits a streaming response on a delimiter.',
  create: createHttpSource,
};
