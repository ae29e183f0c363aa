import type { SourceDefinition } from '../../core';
import { TestConnectorConfigSchema } from './schema';

export { TestConnectorConfigSchema, type TestConnectorConfig } from './schema';

/**
 * Fluvio's legacy `test-connector` source (apiVersion section `test:`). A legacy integer
 * `timeout` is milliseconds, as Fluvio's test-connector documents it.
 */
export const testConnector: SourceDefinition<typeof TestConnectorConfigSchema> = {
  type: 'test-connector',
  direction: 'source',
  section: 'test',
  schema: TestConnectorConfigSchema,
  summary: 'Produces "Hello, Fluvio! - N" records, for trying out topics and deployments.',
  needs: [],
  legacyDurationUnits: { timeout: 'ms' },
  mode: (config) => ({ kind: 'continuous', finite: config.count !== undefined }),
  load: async () => ({ createSource: (await import('./source')).createTestSource }),
};
