import type { Context, ScheduledEvent } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { createPollHandler, FULL_VCPU_MEMORY_MB, handler, loadsSdkAtInit } from '../../../functions/poller-full';
import { periodicRegistry } from '../../../lib/connectors/periodic';
import { parseConnectorConfig } from '../../../lib/config';
import { defaultRegistry } from '../../../lib/connectors';
import { ConnectorEnv } from '../../../lib/core/env';
import { configDocumentOf } from '../../../lib/deploy/function';
import { DescribeStreamSummaryCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorCode, TopicWriteError } from '../../../lib/core/errors';
import { openKinesisTopics } from '../../../lib/topics/kinesis';
import { nodeHttpTransport } from '../../../lib/core/http';
import { startHttpServer, type TestHttpServer } from '../../support/http-server';
import { KINESALITE_ENV, useKinesalite } from '../../support/kinesalite';
import { CapturingLogger } from '../../support/source-context';
import { VirtualClock } from '../../support/virtual-clock';

const MINUTE = 60_000;
/** 2026-11-21T10:00:00Z: a whole minute, and a multiple of 180 s (so 45 s and 90 s slots start a cycle here). */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** A real EventBridge scheduled event (the shape rules send; the Scheduler input has the same shape). */
function scheduledEvent(time: number): ScheduledEvent {
  return {
    version: '0',
    id: '89d1a02d-5ec7-412e-82f5-13505f849b41',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date(time).toISOString().replace('.000Z', 'Z'),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:123456789012:rule/connectors-dev-poller'],
    detail: {},
  };
}

/** The parts of a Lambda context the handler uses; 70 s left: the generated timeout of a one-minute window. */
function lambdaContext(remainingMs = 70_000): Context {
  return { awsRequestId: 'req-1', getRemainingTimeInMillis: () => remainingMs } as unknown as Context;
}

const config = (name: string, endpoint: string, interval: string): string => `apiVersion: 0.2.0
meta:
  version: 0.3.3
  name: ${name}
  type: http-source
  topic: quotes
http:
  endpoint: ${endpoint}
  interval: ${interval}
`;

describe('Lambda poller (functions/poller) against a local HTTP server and kinesalite', () => {
  // The default Kinesis client (as deployed) reads its credentials and region from the environment.
  const kinesis = useKinesalite([['connectors-dev-quotes', 2]]);
  let server: TestHttpServer;
  let served = 0;

  beforeAll(async () => {
    server = await startHttpServer((_req, res) => {
      served++;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ quote: `quote ${served}` }));
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  function environment(name: string, interval: string, window: { ms: number; anchor: 'epoch' | 'event' }): NodeJS.ProcessEnv {
    return {
      ...KINESALITE_ENV,
      [ConnectorEnv.DOCUMENT]: configDocumentOf(config(name, `${server.url}/api/quote`, interval), `configs/${name}.yaml`),
      [ConnectorEnv.CONFIG_FILE]: `configs/${name}.yaml`,
      [ConnectorEnv.STREAM_PREFIX]: 'connectors-dev-',
      [ConnectorEnv.KINESIS_ENDPOINT]: kinesis().endpoint,
      [ConnectorEnv.WINDOW_MS]: String(window.ms),
      [ConnectorEnv.WINDOW_ANCHOR]: window.anchor,
    };
  }

  it.each([
    // interval, window of the generated schedule, polls in three consecutive one-minute windows
    ['2s', { ms: MINUTE, anchor: 'epoch' }, [30, 30, 30]],
    ['15s', { ms: MINUTE, anchor: 'epoch' }, [4, 4, 4]],
    ['45s', { ms: MINUTE, anchor: 'epoch' }, [2, 1, 1]],
    ['60s', { ms: MINUTE, anchor: 'event' }, [1, 1, 1]],
    ['90s', { ms: MINUTE, anchor: 'epoch' }, [1, 1, 0]],
  ] as const)('should poll an interval of %s as the slot rule says and land every record in the stream', async (interval, window, expected) => {
    // Prepare: invocations start 250 ms after their scheduled time, as Lambda does
    const name = `poll-${interval}`;
    const before = (await kinesis().readAll('connectors-dev-quotes')).filter((r) => r.partitionKey === name).length;
    const polls: number[] = [];
    const log = new CapturingLogger();

    for (let minute = 0; minute < 3; minute++) {
      const clock = new VirtualClock(T0 + minute * MINUTE + 250);
      const poll = createPollHandler({ env: environment(name, interval, window), clock, log });

      // Act
      const result = await poll(scheduledEvent(T0 + minute * MINUTE), lambdaContext());
      polls.push(result.polls);

      // Assess (per window)
      expect(result).toMatchObject({ connector: name, topic: 'quotes', errors: 0, records: result.polls });
      expect(result.window.start).toBe(new Date(T0 + minute * MINUTE).toISOString());
    }

    // Assess
    expect(polls).toEqual(expected);
    const records = (await kinesis().readAll('connectors-dev-quotes')).filter((r) => r.partitionKey === name);
    expect(records.length - before).toBe((expected as readonly number[]).reduce((a, b) => a + b, 0));
    expect(JSON.parse(records.at(-1)!.data.toString())).toEqual({ quote: expect.stringMatching(/^quote \d+$/) });
  });

  it('should put the first slot of each window at the event time when the schedule fires at another second of the minute', async () => {
    // Prepare: the schedule fires at :17 every minute; record the (virtual) time of every request
    let clock = new VirtualClock(T0 + 17_000 + 120);
    const times: number[] = [];
    const http = (request: Parameters<typeof nodeHttpTransport>[0]) => {
      times.push(clock.now());
      return nodeHttpTransport(request);
    };
    const env = environment('phase-17', '15s', { ms: MINUTE, anchor: 'epoch' });

    // Act: two consecutive windows, the second invocation starting on time
    const first = await createPollHandler({ env, clock, http, log: new CapturingLogger() })(scheduledEvent(T0 + 17_000), lambdaContext());
    clock = new VirtualClock(T0 + 77_000);
    const second = await createPollHandler({ env, clock, http, log: new CapturingLogger() })(scheduledEvent(T0 + 77_000), lambdaContext());

    // Assess: 4 polls per window, at :17 (late by 120 ms, polled at once), :32, :47, :02, then :17 …
    expect([first.polls, second.polls]).toEqual([4, 4]);
    expect(times.map((t) => t - T0)).toEqual([17_120, 32_000, 47_000, 62_000, 77_000, 92_000, 107_000, 122_000]);
  });

  it.each([
    ['ssm', '/connectors/dev/PATH_SECRET'],
    ['secrets-manager', 'connectors/dev/PATH_SECRET'],
  ])('should fetch declared secrets from %s through the middy middleware of the deployed handler (AWS mocked)', async (source, location) => {
    // Prepare: the function environment the generator writes; AWS itself is mocked (aws-sdk-client-mock)
    const text = config('mw-secret', `${server.url}/api/\${{ secrets.PATH_SECRET }}`, '15s').replace('  topic: quotes\n', '  topic: quotes\n  secrets:\n    - name: PATH_SECRET\n');
    const env = { ...environment(`mw-${source}`, '15s', { ms: MINUTE, anchor: 'epoch' }), [ConnectorEnv.DOCUMENT]: configDocumentOf(text, 'configs/mw-secret.yaml'), [ConnectorEnv.SECRETS_SOURCE]: source, [ConnectorEnv.SECRETS]: JSON.stringify({ PATH_SECRET: location }) };
    Object.assign(process.env, env);
    const requestsBefore = server.requests.length;
    const calls: unknown[] = [];
    let clearCache: (() => void) | undefined;
    try {
      let deployed: typeof handler | undefined;
      jest.isolateModules(() => {
        // middy refreshes cached secrets on a timer: cleared at the end
        clearCache = (require('@middy/util') as { clearCache: () => void }).clearCache;
        // The middleware's SDK client comes from this isolated module registry: mock that one.
        const { mockClient } = require('aws-sdk-client-mock') as typeof import('aws-sdk-client-mock');
        if (source === 'ssm') {
          const { SSMClient, GetParametersCommand } = require('@aws-sdk/client-ssm') as typeof import('@aws-sdk/client-ssm');
          mockClient(SSMClient).on(GetParametersCommand).callsFake(async (input: unknown) => {
            calls.push(input);
            return { Parameters: [{ Name: location, Value: 'path-from-aws' }], InvalidParameters: [] };
          });
        } else {
          const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager') as typeof import('@aws-sdk/client-secrets-manager');
          mockClient(SecretsManagerClient).on(GetSecretValueCommand).callsFake(async (input: unknown) => {
            calls.push(input);
            return { SecretString: 'path-from-aws' };
          });
        }
        deployed = (require('../../../functions/poller-full') as typeof import('../../../functions/poller-full')).handler;
      });

      // Act: the window ends 3 s from now
      const eventTime = Date.now() - 57_000;
      const result = await deployed!(scheduledEvent(eventTime), lambdaContext());

      // Assess: one fetch of exactly the declared secret, used in the request, never logged
      expect(result.polls).toBeGreaterThanOrEqual(1);
      expect(calls).toEqual([source === 'ssm' ? expect.objectContaining({ Names: [location], WithDecryption: true }) : expect.objectContaining({ SecretId: location })]);
      expect(server.requests.slice(requestsBefore).every((r) => r.path === '/api/path-from-aws')).toBe(true);
    } finally {
      clearCache?.();
      for (const key of Object.keys(env)) if (!(key in KINESALITE_ENV)) delete process.env[key];
    }
  });

  it('should run the deployed handler (middy) on a real clock and finish before its window ends', async () => {
    // Prepare: the event was scheduled 57 s ago, so the window ends in 3 s
    const env = environment('deployed-handler', '2s', { ms: MINUTE, anchor: 'epoch' });
    Object.assign(process.env, env);
    const eventTime = Date.now() - 57_000;
    try {
      // Act
      const result = await handler(scheduledEvent(eventTime), lambdaContext());

      // Assess: the latest passed slot is polled at once; nothing runs past the window end
      expect(result.polls).toBeGreaterThanOrEqual(1);
      expect(result.records).toBe(result.polls);
      expect(Date.now()).toBeLessThan(eventTime + MINUTE);
      const records = (await kinesis().readAll('connectors-dev-quotes')).filter((r) => r.partitionKey === 'deployed-handler');
      expect(records).toHaveLength(result.polls);
    } finally {
      for (const key of Object.keys(env)) if (!(key in KINESALITE_ENV)) delete process.env[key];
    }
  });

  it('should report records the stream keeps refusing soon after the window, within the function timeout', async () => {
    // Prepare: Kinesis throttles every PutRecords (AWS mocked); the window ends 3 s from now
    const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    const kinesisMock = mockClient(client);
    kinesisMock.on(DescribeStreamSummaryCommand).resolves({ StreamDescriptionSummary: { StreamStatus: 'ACTIVE' } as never });
    kinesisMock.on(PutRecordsCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException', $metadata: { httpStatusCode: 400 } }));
    const log = new CapturingLogger();
    const topics = (connector: string) => openKinesisTopics({ client, defaultPartitionKey: connector, retry: { maxAttempts: 2, minMs: 10, maxMs: 20 } });
    const poll = createPollHandler({ env: environment('throttled', '2s', { ms: MINUTE, anchor: 'epoch' }), topics, log });
    const eventTime = Date.now() - 57_000;

    // Act
    const outcome = await poll(scheduledEvent(eventTime), lambdaContext()).catch((err: unknown) => err);

    // Assess: failed with the undelivered count and logged, before the generated timeout (window + 10 s)
    expect(outcome).toBeInstanceOf(TopicWriteError);
    expect((outcome as TopicWriteError).undelivered).toBeGreaterThanOrEqual(1);
    expect(Date.now()).toBeLessThan(eventTime + MINUTE + 10_000);
    expect(log.find('records not delivered to the topic').length).toBeGreaterThanOrEqual(1);
    client.destroy();
  });

  it('should fail the invocation (for the DLQ) when every poll of the window failed', async () => {
    // Prepare: nothing listens on port 9 (discard)
    const env = { ...environment('down', '15s', { ms: MINUTE, anchor: 'epoch' }), [ConnectorEnv.DOCUMENT]: configDocumentOf(config('down', 'http://127.0.0.1:9/x', '15s').replace('interval: 15s', 'interval: 15s\n  max_retries: 0'), 'configs/down.yaml') };
    const poll = createPollHandler({ env, clock: new VirtualClock(T0), log: new CapturingLogger() });

    // Act
    const outcome = poll(scheduledEvent(T0), lambdaContext());

    // Assess
    await expect(outcome).rejects.toMatchObject({ code: ErrorCode.CONNECTOR_POLLS_FAILED });
  });

  it('should fail with a clear error when the topic\'s stream does not exist', async () => {
    // Prepare: legacy config without create_topic, stream missing
    const env = { ...environment('no-stream', '15s', { ms: MINUTE, anchor: 'epoch' }), [ConnectorEnv.STREAM_PREFIX]: 'missing-' };
    const poll = createPollHandler({ env, clock: new VirtualClock(T0), log: new CapturingLogger() });

    // Act
    const outcome = poll(scheduledEvent(T0), lambdaContext());

    // Assess: apiVersion configs may create their topic, but a deployed stream is created by CloudFormation
    await expect(outcome).rejects.toMatchObject({ code: ErrorCode.TOPIC_NOT_FOUND, message: expect.stringContaining('created by the deployment') });
  });

  it('should render secrets from the context the middlewares fill, and reject an event without a time', async () => {
    // Prepare
    const text = config('secret', `${server.url}/api/\${{ secrets.PATH_SECRET }}`, '15s').replace('  topic: quotes\n', '  topic: quotes\n  secrets:\n    - name: PATH_SECRET\n');
    const env = { ...environment('secret', '15s', { ms: MINUTE, anchor: 'epoch' }), [ConnectorEnv.DOCUMENT]: configDocumentOf(text, 'configs/secret.yaml') };
    const poll = createPollHandler({ env, clock: new VirtualClock(T0 + 45_000), log: new CapturingLogger() });
    const context = Object.assign(lambdaContext(), { PATH_SECRET: 'from-ssm' });
    const requestsBefore = server.requests.length;

    // Act
    const result = await poll(scheduledEvent(T0), context);
    const noTime = poll({ time: 'yesterday' } as ScheduledEvent, context);

    // Assess
    expect(result.polls).toBe(1);
    expect(server.requests.slice(requestsBefore).map((r) => r.path)).toEqual(['/api/from-ssm']);
    await expect(noTime).rejects.toMatchObject({ code: ErrorCode.USAGE });
  });
});

describe('Function: loadsSdkAtInit (where the poller loads the AWS SDK)', () => {
  it.each([
    ['256', true],
    [String(FULL_VCPU_MEMORY_MB - 1), true],
    [String(FULL_VCPU_MEMORY_MB), false],
    ['2048', false],
    [undefined, false],
    ['', false],
  ])('should load it at init for AWS_LAMBDA_FUNCTION_MEMORY_SIZE=%s: %s', (memory, atInit) => {
    // Act
    const result = loadsSdkAtInit(memory === undefined ? {} : { AWS_LAMBDA_FUNCTION_MEMORY_SIZE: memory });

    // Assess: below a full vCPU in invocations the init phase's full vCPU loads it faster
    expect(result).toBe(atInit);
  });
});

describe('Value: periodicRegistry (the connector types the poller parses configs with)', () => {
  it('should accept the repository\'s periodic configs and refuse the types that never run in a poll window', () => {
    // Prepare
    const parse = (file: string) => () => parseConnectorConfig(readFileSync(file, 'utf8'), { file, registry: periodicRegistry });

    // Act / Assess: periodic http-source configs parse as with the full registry
    for (const file of ['configs/cat-facts.yaml', 'configs/quotes-periodic.yaml']) {
      const spec = parse(file)();
      expect(spec.definition.direction === 'source' && spec.definition.mode(spec.config)).toMatchObject({ kind: 'periodic' });
    }
    // Every other registered type is continuous or a sink: refused by name
    expect(defaultRegistry.definitions.filter((d) => !periodicRegistry.get(d.type)).map((d) => d.type).sort()).toEqual(['http-sink', 'mqtt', 'test-connector']);
    for (const file of ['configs/mqtt.yaml', 'configs/test-connector.yaml', 'configs/quotes-webhook.yaml']) {
      expect(parse(file)).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_UNKNOWN_CONNECTOR }));
    }
  });
});
