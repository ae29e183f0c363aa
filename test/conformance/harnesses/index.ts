import type { ConformanceHarness } from '../harness';
import { httpSinkHarness } from './http-sink';
import { httpSourceHarness } from './http-source';
import { mqttHarness } from './mqtt';
import { testConnectorHarness } from './test-connector';

/** The harness of every connector type, by type. */
export const harnesses: readonly ConformanceHarness[] = [httpSourceHarness, httpSinkHarness, mqttHarness, testConnectorHarness];
