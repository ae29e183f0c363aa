import type { ConnectorDefinition } from '../../core/connector';
import { TestConnectorConfigSchema } from './schema';
import { createTestSource } from './source';

export { TestConnectorConfigSchema, type TestConnectorConfig } from './schema';
export { createTestSource, testRecordValue } from './source';

/** Fluvio's legacy `test-connector` source (apiVersion section `test:`). */
export const testConnector: ConnectorDefinition<typeof TestConnectorConfigSchema> = {
  type: 'test-connector',
  direction: 'source',
  section: 'test',
  schema: TestConnectorConfigSchema,
  summary: 'Produces "Hello, Fluvio! - N" records, for trying out topics and deployments.',
  create: createTestSource,
};
