import {
  AccessDeniedException,
  CreateStreamCommand,
  DeleteStreamCommand,
  DescribeStreamSummaryCommand,
  type DescribeStreamSummaryCommandOutput,
  KinesisClient,
  ListStreamsCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type StreamStatus,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorCode, TopicAdminError } from '../../../../lib/core/errors';
import { openKinesisTopics, prefixedStreamNames } from '../../../../lib/topics/kinesis';
import { VirtualClock } from '../../../support/virtual-clock';

// Error paths and the on-demand mode (kinesalite rejects CreateStream without ShardCount);
// the normal paths run against kinesalite in test/integration/topics/kinesis.test.ts.
const $metadata = {};
const summary = (status: StreamStatus): DescribeStreamSummaryCommandOutput => ({
  $metadata,
  StreamDescriptionSummary: {
    StreamName: 's',
    StreamARN: 'arn',
    StreamStatus: status,
    RetentionPeriodHours: 24,
    StreamCreationTimestamp: new Date(0),
    EnhancedMonitoring: [],
    OpenShardCount: 1,
  },
});
const notFound = (): ResourceNotFoundException => new ResourceNotFoundException({ message: 'not found', $metadata });

describe('topics/kinesis/backend', () => {
  const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const kinesis = mockClient(client);
  let clock: VirtualClock;
  const open = (options: Partial<Parameters<typeof openKinesisTopics>[0]> = {}) =>
    openKinesisTopics({ client, clock, wait: { timeoutMs: 10_000, pollIntervalMs: 1000 }, ...options });

  beforeEach(() => {
    kinesis.reset();
    clock = new VirtualClock();
  });

  it('should create an on-demand stream by default and wait until it is ACTIVE', async () => {
    // Prepare
    kinesis.on(CreateStreamCommand).resolves({ $metadata });
    kinesis.on(DescribeStreamSummaryCommand).resolvesOnce(summary('CREATING')).resolvesOnce(summary('CREATING')).resolves(summary('ACTIVE'));
    // Act
    const created = await open({ ...prefixedStreamNames('dev-') }).createTopic('events');
    // Assess
    expect(created).toBe(true);
    expect(kinesis.commandCalls(CreateStreamCommand)[0]!.args[0].input).toEqual({ StreamName: 'dev-events', StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 1000]);
  });

  it('should create a provisioned stream with streamMode.shards', async () => {
    // Prepare
    kinesis.on(CreateStreamCommand).resolves({ $metadata });
    kinesis.on(DescribeStreamSummaryCommand).resolves(summary('ACTIVE'));
    // Act
    await open({ streamMode: { shards: 3 } }).createTopic('events');
    // Assess
    expect(kinesis.commandCalls(CreateStreamCommand)[0]!.args[0].input).toEqual({ StreamName: 'events', ShardCount: 3, StreamModeDetails: { StreamMode: 'PROVISIONED' } });
  });

  it('should return false from createTopic when the stream exists, after waiting for it', async () => {
    // Prepare
    kinesis.on(CreateStreamCommand).rejects(new ResourceInUseException({ message: 'in use', $metadata }));
    kinesis.on(DescribeStreamSummaryCommand).resolvesOnce(summary('CREATING')).resolves(summary('ACTIVE'));
    // Act
    const created = await open().createTopic('events');
    // Assess
    expect(created).toBe(false);
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(2);
  });

  it('should throw TopicAdminError when the stream is not ACTIVE within the wait timeout', async () => {
    // Prepare
    kinesis.on(CreateStreamCommand).resolves({ $metadata });
    kinesis.on(DescribeStreamSummaryCommand).resolves(summary('CREATING'));
    // Act
    const error = await open().createTopic('events').catch((e: unknown) => e);
    // Assess: 10 s timeout polled every second on virtual time
    expect(error).toBeInstanceOf(TopicAdminError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_ADMIN_FAILED, topic: 'events' });
    expect((error as Error).message).toMatch(/did not become ACTIVE within 10000 ms \(status CREATING\)/);
    expect(clock.sleeps).toHaveLength(10);
  });

  it('should throw TopicAdminError when CreateStream is refused', async () => {
    // Prepare
    kinesis.on(CreateStreamCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform kinesis:CreateStream', $metadata }));
    // Act
    const error = await open().createTopic('events').catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_ADMIN_FAILED });
    expect((error as Error).message).toContain('kinesis:CreateStream');
  });

  it.each([
    ['ACTIVE', true],
    ['UPDATING', true],
    ['DELETING', false],
  ] as const)('should report a %s stream as existing: %s', async (status, exists) => {
    // Prepare
    kinesis.on(DescribeStreamSummaryCommand).resolves(summary(status));
    // Act / Assess
    expect(await open().topicExists('events')).toBe(exists);
  });

  it('should report a missing stream as not existing, and wait for a CREATING one', async () => {
    // Prepare
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'gone' }).rejects(notFound());
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'new' }).resolvesOnce(summary('CREATING')).resolves(summary('ACTIVE'));
    const topics = open();
    // Act / Assess
    expect(await topics.topicExists('gone')).toBe(false);
    expect(await topics.topicExists('new')).toBe(true);
  });

  it('should describe a stream once for backends sharing knownStreams, and keep asking while it is missing', async () => {
    // Prepare: e.g. one backend per Lambda invocation, one set per container
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'p-events' }).resolves(summary('ACTIVE'));
    kinesis.on(DescribeStreamSummaryCommand, { StreamName: 'p-gone' }).rejects(notFound());
    const knownStreams = new Set<string>();
    const backends = [1, 2, 3].map(() => open({ knownStreams, streamName: (topic) => `p-${topic}` }));

    // Act: one invocation after the other
    const exists: boolean[] = [];
    for (const backend of backends) exists.push(await backend.topicExists('events'), await backend.topicExists('gone'));

    // Assess: `events` described once; `gone` every time (it may be created later)
    expect(exists).toEqual([true, false, true, false, true, false]);
    const described = kinesis.commandCalls(DescribeStreamSummaryCommand).map((call) => call.args[0].input.StreamName);
    expect(described.filter((name) => name === 'p-events')).toHaveLength(1);
    expect(described.filter((name) => name === 'p-gone')).toHaveLength(3);
    expect([...knownStreams]).toEqual(['p-events']);
  });

  it('should throw TopicAdminError when describing is refused', async () => {
    // Prepare
    kinesis.on(DescribeStreamSummaryCommand).rejects(new AccessDeniedException({ message: 'denied', $metadata }));
    // Act / Assess
    await expect(open().topicExists('events')).rejects.toMatchObject({ code: ErrorCode.TOPIC_ADMIN_FAILED });
  });

  it('should delete with EnforceConsumerDeletion and wait until the stream is gone; false when missing', async () => {
    // Prepare
    kinesis.on(DeleteStreamCommand, { StreamName: 'events' }).resolves({ $metadata });
    kinesis.on(DeleteStreamCommand, { StreamName: 'none' }).rejects(notFound());
    kinesis.on(DescribeStreamSummaryCommand).resolvesOnce(summary('DELETING')).rejects(notFound());
    const topics = open();
    // Act / Assess
    expect(await topics.deleteTopic('events')).toBe(true);
    expect(await topics.deleteTopic('none')).toBe(false);
    expect(kinesis.commandCalls(DeleteStreamCommand)[0]!.args[0].input).toEqual({ StreamName: 'events', EnforceConsumerDeletion: true });
    expect(kinesis.commandCalls(DescribeStreamSummaryCommand)).toHaveLength(2);
  });

  it('should list topics over NextToken pages, mapping stream names back and skipping other streams', async () => {
    // Prepare
    const at = (ms: number) => new Date(ms);
    kinesis
      .on(ListStreamsCommand)
      .resolvesOnce({ $metadata, StreamNames: [], HasMoreStreams: true, NextToken: 't1', StreamSummaries: [
        { StreamName: 'dev-a', StreamARN: 'arn:a', StreamStatus: 'ACTIVE', StreamCreationTimestamp: at(1000) },
        { StreamName: 'prod-a', StreamARN: 'arn:pa', StreamStatus: 'ACTIVE', StreamCreationTimestamp: at(1500) },
      ] })
      .resolvesOnce({ $metadata, StreamNames: [], HasMoreStreams: false, StreamSummaries: [{ StreamName: 'dev-b', StreamARN: 'arn:b', StreamStatus: 'ACTIVE', StreamCreationTimestamp: at(2000) }] });
    // Act
    const topics = await open({ ...prefixedStreamNames('dev-') }).listTopics();
    // Assess
    expect(topics).toEqual([
      { name: 'a', records: Number.NaN, createdAt: 1000 },
      { name: 'b', records: Number.NaN, createdAt: 2000 },
    ]);
    expect(kinesis.commandCalls(ListStreamsCommand).map((c) => c.args[0].input)).toEqual([{}, { NextToken: 't1' }]);
  });

  it('should close its producers, and not the client', async () => {
    // Prepare
    const topics = open();
    const producer = topics.producer('events');
    // Act
    await topics.close();
    // Assess
    await expect(producer.send([{ value: Buffer.from('x') }])).rejects.toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED });
    kinesis.on(DescribeStreamSummaryCommand).resolves(summary('ACTIVE'));
    expect(await topics.topicExists('events')).toBe(true);
  });
});
