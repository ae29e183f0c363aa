import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { ErrorCode, RecordTooLargeError, TopicNotFoundError, TopicWriteError } from '../../../lib/core/errors';
import { createKinesisClient, KinesisLimits, openKinesisTopics, prefixedStreamNames } from '../../../lib/topics/kinesis';
import type { ProducerRecord } from '../../../lib/core/topics';
import { CLI, type CliResult, connector, requireBuild, tempDir } from '../../support/cli';
import { KINESALITE_ENV, type Kinesalite, startKinesalite } from '../../support/kinesalite';

/** Kinesis backend and `connector run --topics kinesis` against kinesalite (the Kinesis API on loopback). */

let k: Kinesalite;
let seq = 0;
/** A stream/topic name no other test uses (tests run in random order against one kinesalite). */
const unique = (base: string): string => `${base}-${process.pid}-${++seq}`;

beforeAll(async () => {
  k = await startKinesalite();
});
afterAll(async () => {
  await k.close();
});

/** Counts the PutRecords requests a client sends (SDK middleware, so the real HTTP calls still happen). */
function countPutRecords(client: KinesisClient): { requests: number[] } {
  const counter = { requests: [] as number[] };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'PutRecordsCommand') counter.requests.push(((args.input as { Records?: unknown[] }).Records ?? []).length);
      return next(args);
    },
    { step: 'initialize', name: 'countPutRecords' },
  );
  return counter;
}

describe('topics/kinesis (kinesalite)', () => {
  let client: KinesisClient;
  beforeEach(() => {
    client = createKinesisClient({ endpoint: k.endpoint, region: KINESALITE_ENV.AWS_REGION, credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
  });
  afterEach(() => client.destroy());
  // kinesalite rejects on-demand CreateStream (no ShardCount): provisioned streams here.
  const open = (options: Partial<Parameters<typeof openKinesisTopics>[0]> = {}) =>
    openKinesisTopics({ client, streamMode: { shards: 2 }, wait: { timeoutMs: 5000, pollIntervalMs: 10 }, retry: { minMs: 1, maxMs: 5 }, ...options });

  it('should create a topic once, report it as existing, and delete it', async () => {
    // Prepare
    const topics = open();
    const name = unique('admin');
    // Act
    const before = await topics.topicExists(name);
    const first = await topics.createTopic(name);
    const second = await topics.createTopic(name);
    const exists = await topics.topicExists(name);
    const deleted = await topics.deleteTopic(name);
    const deletedAgain = await topics.deleteTopic(name);
    // Assess
    expect([before, first, second, exists, deleted, deletedAgain]).toEqual([false, true, false, true, true, false]);
    expect(await topics.topicExists(name)).toBe(false);
  });

  it('should write 1,200 records in 3 PutRecords requests, all readable with their data and partition keys', async () => {
    // Prepare
    const counter = countPutRecords(client);
    const topics = open();
    const topic = unique('bulk');
    await topics.createTopic(topic);
    const records: ProducerRecord[] = Array.from({ length: 1200 }, (_, i) => ({ key: Buffer.from(`key-${i % 7}`), value: Buffer.from(`value-${i}`) }));
    // Act
    const result = await topics.producer(topic).send(records);
    // Assess
    expect(result).toBeUndefined();
    expect(counter.requests).toEqual([500, 500, 200]);
    const read = await k.readAll(topic);
    expect(read).toHaveLength(1200);
    // Per partition key (= one shard), records are in send order.
    for (let key = 0; key < 7; key++) {
      const expected = records.filter((_, i) => i % 7 === key).map((r) => Buffer.from(r.value).toString());
      expect(read.filter((r) => r.partitionKey === `key-${key}`).map((r) => r.data.toString())).toEqual(expected);
    }
  });

  it('should apply the partition key rules: UTF-8 key, sha256 of other keys, default key for none', async () => {
    // Prepare
    const topic = unique('keys');
    const topics = open({ defaultPartitionKey: 'my-connector' });
    const other = open();
    await topics.createTopic(topic);
    const invalid = Buffer.from([0xc3, 0x28]);
    const long = Buffer.from('k'.repeat(300));
    // Act
    await topics.producer(topic).send([
      { key: Buffer.from('clé'), value: Buffer.from('utf8') },
      { key: invalid, value: Buffer.from('invalid') },
      { key: long, value: Buffer.from('long') },
      { value: Buffer.from('none') },
    ]);
    await other.producer(topic).send([{ key: null, value: Buffer.from('topic-default') }]);
    // Assess
    const byValue = new Map((await k.readAll(topic)).map((r) => [r.data.toString(), r.partitionKey]));
    const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
    expect(Object.fromEntries(byValue)).toEqual({ utf8: 'clé', invalid: sha(invalid), long: sha(long), none: 'my-connector', 'topic-default': topic });
  });

  it('should reject a record over 1 MiB and write nothing of its batch', async () => {
    // Prepare
    const topics = open();
    const topic = unique('big');
    await topics.createTopic(topic);
    const counter = countPutRecords(client);
    // Act
    const error = await topics
      .producer(topic)
      .send([{ value: Buffer.from('a') }, { value: Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES) }, { value: Buffer.from('b') }])
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(RecordTooLargeError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_RECORD_TOO_LARGE, index: 1, undelivered: 3 });
    expect(counter.requests).toEqual([]);
    expect(await k.readAll(topic)).toEqual([]);
  });

  it('should reject with TopicNotFoundError when the stream does not exist', async () => {
    // Act
    const error = await open().producer(unique('missing')).send([{ value: Buffer.from('x') }]).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(TopicNotFoundError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_NOT_FOUND });
  });

  it('should list the topics of its prefix over several ListStreams pages', async () => {
    // Prepare: kinesalite pages ListStreams by 10
    const prefix = `${unique('ls')}-`;
    const topics = open({ ...prefixedStreamNames(prefix), streamMode: { shards: 1 } });
    const names = Array.from({ length: 12 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    for (const name of names) await topics.createTopic(name);
    await k.createStream(`${unique('other')}`);
    // Act
    const listed = await topics.listTopics();
    // Assess
    expect(listed.map((t) => t.name)).toEqual(names);
    expect(listed.every((t) => Number.isNaN(t.records))).toBe(true);
    expect(await k.readAll(`${prefix}t00`)).toEqual([]);
  });

  it('should retry a refused connection, then give up with every record undelivered', async () => {
    // Prepare: a port nothing listens on any more
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const dead = createKinesisClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 1 });
    const counter = countPutRecords(dead);
    // Act
    const error = await openKinesisTopics({ client: dead, retry: { maxAttempts: 3, minMs: 1, maxMs: 5 } })
      .producer('t')
      .send([{ value: Buffer.from('a') }, { value: Buffer.from('b') }])
      .catch((e: unknown) => e);
    dead.destroy();
    // Assess
    expect(error).toBeInstanceOf(TopicWriteError);
    expect(error).toMatchObject({ code: ErrorCode.TOPIC_WRITE_FAILED, undelivered: 2 });
    expect(counter.requests).toEqual([2, 2, 2]);
  });
});

/** `connector ...args` in a child process, asynchronously (kinesalite runs in this process and must keep serving). */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const out = { stdout: '', stderr: '' };
    child.stdout.on('data', (d: Buffer) => (out.stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out.stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, ...out });
    });
  });
}

/** JSON log lines of a run (stderr also carries Node warnings, e.g. the SDK's Node-version notice). */
const logMessages = (stderr: string): string[] =>
  stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { msg: string }).msg);

describe('connector run --topics kinesis (child process)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeAll(() => requireBuild());
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  const testConfig = (name: string, topic: string, createTopic = true): string =>
    `version: latest\nname: ${name}\ntype: test-connector\ntopic: ${topic}\ncreate_topic: ${createTopic}\ndirection: source\nparameters:\n  count: 5\n  timeout: 1ms\n`;
  const kinesisEnv = (prefix: string): NodeJS.ProcessEnv => ({ ...KINESALITE_ENV, CONNECTOR_KINESIS_ENDPOINT: k.endpoint, CONNECTOR_STREAM_PREFIX: prefix, CONNECTOR_TOPICS: '' });
  const expectedValues = [1, 2, 3, 4, 5].map((n) => `Hello, Fluvio! - ${n}`);

  it('should write a test-connector run to the prefixed stream, keyed by the connector name', async () => {
    // Prepare: kinesalite cannot create on-demand streams, so the stream exists before the run
    const prefix = `${unique('cli')}-`;
    await k.createStream(`${prefix}greetings`, 2);
    const config = join(tmp.dir, 'test.yaml');
    writeFileSync(config, testConfig('hello', 'greetings'));
    // Act
    const run = await runCli(['--data-dir', join(tmp.dir, 'data'), 'run', '--config', config, '--topics', 'kinesis'], kinesisEnv(prefix));
    // Assess
    expect(run.stderr).not.toMatch(/"level":50/);
    expect(run.status).toBe(0);
    const records = await k.readAll(`${prefix}greetings`);
    expect(records.map((r) => r.data.toString())).toEqual(expectedValues);
    expect(new Set(records.map((r) => r.partitionKey))).toEqual(new Set(['hello']));
    expect(logMessages(run.stderr)).toEqual(expect.arrayContaining(['connector started', 'connector finished']));
  });

  it('should read the config from --config-env with CONNECTOR_TOPICS=kinesis', async () => {
    // Prepare
    const prefix = `${unique('env')}-`;
    await k.createStream(`${prefix}greetings`, 1);
    // Act
    const run = await runCli(['--data-dir', join(tmp.dir, 'data'), 'run', '--config-env', 'CONNECTOR_CONFIG'], {
      ...kinesisEnv(prefix),
      CONNECTOR_TOPICS: 'kinesis',
      CONNECTOR_CONFIG: testConfig('from-env', 'greetings'),
    });
    // Assess
    expect(run.status).toBe(0);
    const records = await k.readAll(`${prefix}greetings`);
    expect(records.map((r) => r.data.toString())).toEqual(expectedValues);
    expect(records.every((r) => r.partitionKey === 'from-env')).toBe(true);
  });

  it('should exit 1 with TOPIC_NOT_FOUND when the stream is missing and the config may not create it', async () => {
    // Prepare
    const prefix = `${unique('nf')}-`;
    const config = join(tmp.dir, 'test.yaml');
    writeFileSync(config, testConfig('hello', 'greetings', false));
    // Act
    const run = await runCli(['--data-dir', join(tmp.dir, 'data'), 'run', '-c', config, '--topics', 'kinesis'], kinesisEnv(prefix));
    // Assess
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('Topic "greetings" not found');
  });

  it('should name $VAR with line and column in config errors from --config-env', () => {
    // Prepare: `parameters.cuont` (line 8, column 3) is unknown
    const text = testConfig('hello', 'greetings').replace('  count: 5', '  cuont: 5');
    // Act
    const r = connector(join(tmp.dir, 'data'), ['run', '--config-env', 'CONNECTOR_CONFIG'], { env: { CONNECTOR_CONFIG: text } });
    // Assess
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\$CONNECTOR_CONFIG:8:3: parameters\.cuont/);
  });

  const withConfig = { C: testConfig('hello', 'greetings') };
  const noRegion = { ...withConfig, AWS_REGION: '', AWS_PROFILE: '', AWS_CONFIG_FILE: join(__dirname, 'no-such-aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(__dirname, 'no-such-aws-credentials') };
  it.each([
    ['neither --config nor --config-env', ['run'], {}, /--config <file> or --config-env <VAR>/],
    ['both --config and --config-env', ['run', '--config', 'x.yaml', '--config-env', 'C'], withConfig, /cannot be used together/],
    ['an unset --config-env variable', ['run', '--config-env', 'NOT_SET_ANYWHERE'], {}, /\$NOT_SET_ANYWHERE: cannot read the config: environment variable NOT_SET_ANYWHERE is not set \[CONFIG_READ\]/],
    ['an unknown --topics backend', ['run', '--config', 'x.yaml', '--topics', 'kafka'], {}, /Allowed choices are local, kinesis/],
    ['an invalid stream prefix', ['run', '--config-env', 'C', '--topics', 'kinesis', '--stream-prefix', 'dev/'], { ...withConfig, ...KINESALITE_ENV }, /--stream-prefix "dev\/"/],
    ['--topics kinesis without an AWS region', ['run', '--config-env', 'C', '--topics', 'kinesis'], noRegion, /needs an AWS region: set AWS_REGION/],
  ])('should exit 2 for %s', (_what, args, env, message) => {
    // Act
    const r = connector(join(tmp.dir, 'data'), args, { env });
    // Assess
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});
