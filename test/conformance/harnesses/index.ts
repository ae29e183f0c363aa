import type { ConformanceHarness } from '../harness';
import { httpSourceHarness } from './http-source';
import { testConnectorHarness } from './test-connector';

/** The harness of every connector type, by type. */
export const harnesses: readonly ConformanceHarness[] = [httpSourceHarness, testConnectorHarness];
