import { mkdirSync, writeFileSync } from 'node:fs';
import { configDocumentOf } from '../../../lib/deploy/function';
import { join } from 'node:path';
import type { Context, ScheduledEvent } from 'aws-lambda';
import { createPollHandler } from '../../../functions/poller-full';
import { ConnectorEnv } from '../../../lib/core/env';
import { ErrorCode } from '../../../lib/core/errors';
import { tempDir } from '../../support/cli';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, useKinesalite } from '../../support/kinesalite';
import { writeSmartModule } from '../../support/smartmodules';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

function scheduledEvent(time: number): Pick<ScheduledEvent, 'time'> {
  return { time: new Date(time).toISOString() };
}
function lambdaContext(): Context {
  return { awsRequestId: 'req-t', getRemainingTimeInMillis: () => 70_000 } as unknown as Context;
}

/**
 * The deployed handler (functions/poller) running a config with transforms: the same config text a
 * generated function gets (as CONNECTOR_DOCUMENT), its SmartModule file beside the config file named by
 * CONNECTOR_CONFIG_FILE (as the function's package lays it out), Kinesis streams in kinesalite.
 */
describe('Lambda poller with transforms (kinesalite)', () => {
  // The default Kinesis client (as deployed) reads its credentials and region from the environment.
  const kinesis = useKinesalite(['connectors-dev-shaped', 'connectors-dev-shaped-dlq', 'connectors-dev-totals']);
  let server: TestHttpServer;
  let tmp: ReturnType<typeof tempDir>;
  let served = 0;

  beforeAll(async () => {
    tmp = tempDir('poller-transforms-');
    mkdirSync(join(tmp.dir, 'configs'));
    await writeSmartModule('aggregate', join(tmp.dir, 'configs'));
    // Every other response is not JSON.
    server = await startHttpServer((req, res) => {
      served++;
      if (req.url === '/text') return res.end('x');
      res.end(served % 2 === 0 ? 'not json' : JSON.stringify({ quote: `quote ${served}`, by: 'someone' }));
    });
  });

  afterAll(async () => {
    await server?.close();
    tmp?.cleanup();
  });

  function environment(name: string, text: string): NodeJS.ProcessEnv {
    const file = join(tmp.dir, 'configs', `${name}.yaml`);
    writeFileSync(file, text);
    return {
      ...KINESALITE_ENV,
      [ConnectorEnv.DOCUMENT]: configDocumentOf(text, file),
      [ConnectorEnv.CONFIG_FILE]: file,
      [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-',
      [ConnectorEnv.KINESIS_ENDPOINT]: kinesis().endpoint,
      [ConnectorEnv.WINDOW_MS]: String(MINUTE),
      [ConnectorEnv.WINDOW_ANCHOR]: 'epoch',
    };
  }

  const header = (name: string, topic: string, endpoint: string): string =>
    `apiVersion: 0.2.0\nmeta:\n  version: 0.3.3\n  name: ${name}\n  type: http-source\n  topic: ${topic}\nhttp:\n  endpoint: ${endpoint}\n  interval: 15s\n`;

  it('should shape the records of a window with jolt and dead-letter those it fails on to <topic>-dlq', async () => {
    // Prepare
    served = 0;
    const text = `${header('shaped', 'shaped', `${server.url}/json`)}transforms:\n  - uses: infinyon/jolt@0.4.1\n    with:\n      spec:\n        - operation: shift\n          spec: {quote: text}\n    on_error: dead-letter\n`;
    const poll = createPollHandler({ env: environment('shaped', text), clock: new VirtualClock(T0 + 250), log: new CapturingLogger() });

    // Act: a one-minute window at 15 s: 4 polls, every other body not JSON
    const result = await poll(scheduledEvent(T0), lambdaContext());

    // Assess
    expect(result).toMatchObject({ polls: 4, records: 2, transformErrors: 2, deadLettered: 2, filtered: 0, errors: 0 });
    const shaped = (await kinesis().readAll('connectors-dev-shaped')).map((record) => record.data.toString());
    expect(shaped).toEqual(['{"text":"quote 1"}', '{"text":"quote 3"}']);
    const letters = (await kinesis().readAll('connectors-dev-shaped-dlq')).map((record) => JSON.parse(record.data.toString()) as Record<string, unknown>);
    expect(letters).toEqual([
      expect.objectContaining({ connector: 'shaped', topic: 'shaped', uses: 'infinyon/jolt@0.4.1', value: 'not json', offset: 1, error: expect.stringContaining('record value is not JSON') }),
      expect.objectContaining({ value: 'not json', offset: 3 }),
    ]);
  });

  it('should carry an aggregate across the slots of one window, and start again in the next invocation', async () => {
    // Prepare: the SmartModule file is next to the config (configs/aggregate.wasm)
    const text = `${header('totals', 'totals', `${server.url}/text`)}transforms:\n  - uses: ./aggregate.wasm\n`;
    const env = environment('totals', text);

    // Act: two consecutive windows of 4 slots each
    for (const minute of [0, 1]) {
      const poll = createPollHandler({ env, clock: new VirtualClock(T0 + minute * MINUTE + 250), log: new CapturingLogger() });
      expect((await poll(scheduledEvent(T0 + minute * MINUTE), lambdaContext())).records).toBe(4);
    }

    // Assess
    const values = (await kinesis().readAll('connectors-dev-totals')).map((record) => record.data.toString());
    expect(values).toEqual(['x', 'xx', 'xxx', 'xxxx', 'x', 'xx', 'xxx', 'xxxx']);
  });

  it('should fail the invocation when the dead-letter stream is missing (the stack creates it)', async () => {
    // Prepare
    const text = `${header('orphan', 'orphan', `${server.url}/json`)}transforms:\n  - uses: infinyon/jolt@0.4.1\n    with: {spec: "[]"}\n    on_error: dead-letter\n`;
    const poll = createPollHandler({ env: environment('orphan', text), clock: new VirtualClock(T0 + 250), log: new CapturingLogger() });

    // Act
    const outcome = poll(scheduledEvent(T0), lambdaContext());

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: ErrorCode.TOPIC_NOT_FOUND, message: expect.stringContaining('orphan-dlq') });
  });
});
