import { createRegistry } from '../core/registry';
import { httpSource } from './http-source';

/**
 * The connector types that can run in a poll window (the Lambda poller, `functions/poller.ts`): those
 * whose `mode` can be periodic, which is http-source alone (mqtt and test-connector are continuous,
 * http-sink is a sink; the generator gives them containers and sink functions). A second registry
 * next to `defaultRegistry` so that the poller's bundle holds, and its init builds, no other
 * connector's code or schema. A connector type that can be periodic is listed here too; a test
 * (test/integration/deploy/poller.test.ts) fails until it is.
 */
export const periodicRegistry = createRegistry([httpSource]);
