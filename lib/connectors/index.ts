import { httpSink } from './http-sink';
import { httpSource } from './http-source';
import { mqttSource } from './mqtt';
import { createRegistry } from '../core/registry';
import { testConnector } from './test-connector';

export { createRegistry, type ConnectorRegistry } from '../core/registry';
export type * from '../core';
export { httpSink } from './http-sink';
export { httpSource } from './http-source';
export { mqttSource } from './mqtt';
export { testConnector } from './test-connector';

/**
 * Every connector type this project ships, in one explicit list. A connector folder that is not
 * listed here is not reachable (a test checks that each folder under lib/connectors is registered).
 */
export const defaultRegistry = createRegistry([httpSource, httpSink, mqttSource, testConnector]);
