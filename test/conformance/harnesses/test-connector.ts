import { CONFORMANCE_TOPIC, type SourceHarness } from '../harness';

const config = (count: string): string => `apiVersion: 0.2.0
meta:
  version: 0.1.0
  name: conformance-test-connector
  type: test-connector
  topic: ${CONFORMANCE_TOPIC}
test:
  timeout: 5ms
${count}`;

/** test-connector: no external side; records are `Hello, Fluvio! - N`. */
export const testConnectorHarness: SourceHarness = {
  type: 'test-connector',
  direction: 'source',
  variants: [
    {
      name: 'unbounded',
      canDrop: false,
      start: async () => ({
        config: config(''),
        expected: (n) => Array.from({ length: n }, (_, i) => `Hello, Fluvio! - ${i + 1}`),
        close: async () => undefined,
      }),
    },
  ],
  badConfig: { text: config('  count: lots\n'), code: 'CONFIG_INVALID_VALUE', path: 'test.count', line: 9 },
};
