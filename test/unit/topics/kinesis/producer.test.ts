import {
  AccessDeniedException,
  InternalFailureException,
  KinesisClient,
  PutRecordsCommand,
  type PutRecordsCommandInput,
  type PutRecordsCommandOutput,
  ResourceNotFoundException,
} from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { ErrorCode, RecordTooLargeError, TopicNotFoundError, TopicWriteError } from '../../../../lib/core/errors';
import { KinesisLimits, KinesisTopicProducer } from '../../../../lib/topics/kinesis';
import type { ProducerRecord } from '../../../../lib/core/topics';
import { CapturingLogger } from '../../../support/source-context';

const fast = { minMs: 1, maxMs: 2 };
const $metadata = {};

/** `n` records `r0`, `r1`… keyed `k0`, `k1`… */
function records(n: number, prefix = 'r'): ProducerRecord[] {
  return Array.from({ length: n }, (_, i) => ({ key: Buffer.from(`k${i}`), value: Buffer.from(`${prefix}${i}`) }));
}

/** A PutRecords response accepting every entry except those at `failedIndexes`. */
function response(count: number, failedIndexes: readonly number[] = []): PutRecordsCommandOutput {
  return {
    $metadata,
    FailedRecordCount: failedIndexes.length,
    Records: Array.from({ length: count }, (_, i) =>
      failedIndexes.includes(i)
        ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'Rate exceeded for shard shardId-000000000000' }
        : { SequenceNumber: `${1000 + i}`, ShardId: 'shardId-000000000000' },
    ),
  };
}

const awsError = (name: string, status: number): Error => Object.assign(new Error(`${name} happened`), { name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });

describe('topics/kinesis/producer', () => {
  const client = new KinesisClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  const kinesis = mockClient(client);
  const inputs = (): PutRecordsCommandInput[] => kinesis.commandCalls(PutRecordsCommand).map((call) => call.args[0].input);
  const values = (input: PutRecordsCommandInput | undefined): string[] => (input?.Records ?? []).map((r) => Buffer.from(r.Data!).toString());
  const producer = (options: Partial<ConstructorParameters<typeof KinesisTopicProducer>[0]> = {}) =>
    new KinesisTopicProducer({ client, topic: 'events', streamName: 'dev-events', retry: fast, ...options });

  beforeEach(() => kinesis.reset());

  it('should write a batch in one PutRecords request and resolve undefined', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => response(input.Records!.length));
    // Act
    const result = await producer().send(records(3));
    // Assess
    expect(result).toBeUndefined();
    expect(inputs()).toHaveLength(1);
    expect(inputs()[0]).toMatchObject({ StreamName: 'dev-events' });
    expect(values(inputs()[0])).toEqual(['r0', 'r1', 'r2']);
    expect(inputs()[0]!.Records!.map((r) => r.PartitionKey)).toEqual(['k0', 'k1', 'k2']);
  });

  it('should retry only the failed entries of a partial failure, in their relative order', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).resolvesOnce(response(5, [1, 3])).resolvesOnce(response(2));
    const log = new CapturingLogger();
    // Act
    await producer({ log }).send(records(5));
    // Assess
    expect(inputs().map(values)).toEqual([['r0', 'r1', 'r2', 'r3', 'r4'], ['r1', 'r3']]);
    expect(inputs()[1]!.Records!.map((r) => r.PartitionKey)).toEqual(['k1', 'k3']);
    const retries = log.find('retrying');
    expect(retries).toHaveLength(1);
    expect(retries[0]!.fields).toMatchObject({ failed: 2, errorCodes: { ProvisionedThroughputExceededException: 2 }, attempt: 1, topic: 'events', stream: 'dev-events' });
    expect(JSON.stringify(log.entries)).not.toMatch(/r1|r3/); // counts, never contents
  });

  it('should treat a result without a sequence number as not accepted', async () => {
    // Prepare: FailedRecordCount says 0, but the second result is missing
    kinesis.on(PutRecordsCommand).resolvesOnce({ $metadata, FailedRecordCount: 0, Records: [{ SequenceNumber: '1' }] }).resolvesOnce(response(1));
    // Act
    await producer().send(records(2));
    // Assess
    expect(inputs().map(values)).toEqual([['r0', 'r1'], ['r1']]);
  });

  it.each([
    ['ThrottlingException', awsError('ThrottlingException', 400)],
    ['ProvisionedThroughputExceededException', awsError('ProvisionedThroughputExceededException', 400)],
    ['InternalFailureException', new InternalFailureException({ message: 'internal', $metadata: { httpStatusCode: 500 } })],
    ['a 503 without a known name', awsError('UnknownError', 503)],
    ['a connection reset', Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })],
    ['a request timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
  ])('should retry the whole request after %s, then succeed', async (_what, error) => {
    // Prepare
    kinesis.on(PutRecordsCommand).rejectsOnce(error).resolvesOnce(response(3));
    // Act
    const result = await producer().send(records(3));
    // Assess
    expect(result).toBeUndefined();
    expect(inputs().map(values)).toEqual([['r0', 'r1', 'r2'], ['r0', 'r1', 'r2']]);
  });

  it('should give up after maxAttempts with the failed entries as undelivered', async () => {
    // Prepare: entries 0 and 2 are refused every time
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
      const sent = values(input);
      return response(sent.length, sent.flatMap((v, i) => (v === 'r0' || v === 'r2' ? [i] : [])));
    });
    const log = new CapturingLogger();
    // Act
    const error = await producer({ retry: { ...fast, maxAttempts: 3 }, log }).send(records(4)).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TopicWriteError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 2 });
    expect((error as Error).message).toContain('after 3 attempt(s)');
    expect(inputs().map(values)).toEqual([['r0', 'r1', 'r2', 'r3'], ['r0', 'r2'], ['r0', 'r2']]);
    expect(log.find('records not delivered')[0]!.fields).toMatchObject({ undelivered: 2, records: 4 });
  });

  it('should count the records of later requests as undelivered when an earlier request gives up', async () => {
    // Prepare: 1,100 records = requests of 500, 500, 100; the second is throttled every time
    let call = 0;
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => {
      call++;
      if (call === 1) return response(input.Records!.length);
      throw awsError('ProvisionedThroughputExceededException', 400);
    });
    // Act
    const error = await producer({ retry: { ...fast, maxAttempts: 2 } }).send(records(1100)).catch((e: unknown) => e);
    // Assess: the first 500 were accepted; 500 failed + 100 never sent
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 600 });
    expect(inputs().map((i) => i.Records!.length)).toEqual([500, 500, 500]);
  });

  it('should fail at once on AccessDeniedException, with every record undelivered', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).rejects(new AccessDeniedException({ message: 'not authorized to perform kinesis:PutRecords', $metadata: { httpStatusCode: 400 } }));
    // Act
    const error = await producer().send(records(3)).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TopicWriteError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 3 });
    expect((error as Error).message).toContain('AccessDeniedException');
    expect(inputs()).toHaveLength(1);
  });

  it('should fail at once with TopicNotFoundError when the stream does not exist', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).rejects(new ResourceNotFoundException({ message: 'Stream dev-events not found', $metadata: { httpStatusCode: 400 } }));
    // Act
    const error = await producer().send(records(2)).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TopicNotFoundError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_NOT_FOUND, topic: 'events' });
    expect(inputs()).toHaveLength(1);
  });

  it('should split a send at 5 MiB per request (data + partition keys)', async () => {
    // Prepare: six records of 1 MiB - 100 bytes (plus 2-byte keys): five fit in 5 MiB
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => response(input.Records!.length));
    const big = (i: number): ProducerRecord => ({ key: Buffer.from(`k${i}`), value: Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES - 100, i) });
    // Act
    await producer().send([0, 1, 2, 3, 4, 5].map(big));
    // Assess
    const sizes = inputs().map((i) => i.Records!.reduce((sum, r) => sum + r.Data!.byteLength + Buffer.byteLength(r.PartitionKey!), 0));
    expect(inputs().map((i) => i.Records!.length)).toEqual([5, 1]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(KinesisLimits.MAX_REQUEST_BYTES);
    expect(inputs().flatMap((i) => i.Records!.map((r) => r.Data![0]))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('should split a send at 500 records per request, in order', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => response(input.Records!.length));
    // Act
    await producer().send(records(1001));
    // Assess
    expect(inputs().map((i) => i.Records!.length)).toEqual([500, 500, 1]);
    expect(inputs().flatMap(values)).toEqual(records(1001).map((r) => Buffer.from(r.value).toString()));
  });

  it('should reject a record over 1 MiB before writing anything', async () => {
    // Prepare: record 1 is exactly 1 byte over (data + 2-byte key)
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => response(input.Records!.length));
    const batch = [...records(1), { key: Buffer.from('k1'), value: Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES - 1, 'z') }, ...records(1)];
    // Act
    const error = await producer().send(batch).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect(error).toBeInstanceOf(TopicWriteError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_RECORD_TOO_LARGE, index: 1, size: KinesisLimits.MAX_RECORD_BYTES + 1, limit: KinesisLimits.MAX_RECORD_BYTES, undelivered: 3 });
    expect((error as Error).message).not.toContain('zzz');
    expect(inputs()).toHaveLength(0);
  });

  it('should accept a record of exactly 1 MiB including its partition key', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => response(input.Records!.length));
    // Act
    await producer().send([{ key: Buffer.from('k1'), value: Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES - 2) }]);
    // Assess
    expect(inputs()).toHaveLength(1);
  });

  it('should use defaultPartitionKey, else the topic name, for records without a key', async () => {
    // Prepare
    kinesis.on(PutRecordsCommand).callsFake((input: PutRecordsCommandInput) => response(input.Records!.length));
    // Act
    await producer({ defaultPartitionKey: 'cat-facts' }).send([{ value: Buffer.from('a') }, { key: null, value: Buffer.from('b') }]);
    await producer().send([{ value: Buffer.from('c') }]);
    // Assess
    expect(inputs().map((i) => i.Records!.map((r) => r.PartitionKey))).toEqual([['cat-facts', 'cat-facts'], ['events']]);
  });

  it('should reject sends after close without calling Kinesis', async () => {
    // Prepare
    const p = producer();
    await p.close();
    await p.close();
    // Act
    const error = await p.send(records(2)).catch((e: unknown) => e);
    // Assess
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 2 });
    expect(inputs()).toHaveLength(0);
  });

  it('should resolve an empty send without calling Kinesis', async () => {
    // Act
    const result = await producer().send([]);
    // Assess
    expect(result).toBeUndefined();
    expect(inputs()).toHaveLength(0);
  });
});
