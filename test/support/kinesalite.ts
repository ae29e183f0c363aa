import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  type Shard,
} from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { waitFor } from './wait-for';

// kinesalite ships no types: a function returning an http.Server (listen/close).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: { createStreamMs?: number; deleteStreamMs?: number; updateStreamMs?: number; shardLimit?: number }) => Server;

/** Fake credentials and region that kinesalite accepts (it checks their presence, not their value). */
export const KINESALITE_ENV = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y' } as const;

/** One record read back from a stream. */
export interface StreamRecord {
  partitionKey: string;
  data: Buffer;
  sequenceNumber: string;
}

/** An in-process kinesalite (Kinesis API on loopback, in memory) and a client for it. */
export interface Kinesalite {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` (or CONNECTOR_KINESIS_ENDPOINT to a child process). */
  endpoint: string;
  /** A client for it (HTTP/1.1 handler, fake credentials, us-east-1). Destroyed by `close`. */
  client: KinesisClient;
  /** Creates a provisioned stream with `shards` shards (default 1) and waits until it is ACTIVE. */
  createStream(name: string, shards?: number): Promise<void>;
  /** Every record of the stream: shards in ShardId order, each from TRIM_HORIZON in sequence order. */
  readAll(stream: string): Promise<StreamRecord[]>;
  /** Destroys the client and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts kinesalite on a free port (streams become ACTIVE at once, shard limit 1000). kinesalite
 * rejects on-demand CreateStream (it requires ShardCount): create streams with a shard count.
 * @example
 * const k = await startKinesalite();
 * await k.createStream('events', 2);
 * const records = await k.readAll('events');
 * await k.close();
 */
export async function startKinesalite(): Promise<Kinesalite> {
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 1000 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = createLocalClient(endpoint);

  async function shardsOf(stream: string): Promise<Shard[]> {
    const shards: Shard[] = [];
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: stream }));
      shards.push(...(page.Shards ?? []));
      nextToken = page.NextToken;
    } while (nextToken);
    return shards.sort((a, b) => (a.ShardId ?? '').localeCompare(b.ShardId ?? ''));
  }

  return {
    endpoint,
    client,
    async createStream(name, shards = 1) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await waitFor(async () => {
        const out = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
        return out.StreamDescriptionSummary?.StreamStatus === 'ACTIVE';
      }, 5000);
    },
    async readAll(stream) {
      const records: StreamRecord[] = [];
      for (const shard of await shardsOf(stream)) {
        const it = await client.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }));
        let iterator = it.ShardIterator;
        while (iterator) {
          const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
          const got = page.Records ?? [];
          for (const r of got) {
            records.push({ partitionKey: r.PartitionKey ?? '', data: Buffer.from(r.Data ?? new Uint8Array()), sequenceNumber: r.SequenceNumber ?? '' });
          }
          // kinesalite has everything at once: an empty page is the end of the shard.
          iterator = got.length === 0 ? undefined : page.NextShardIterator;
        }
      }
      return records;
    },
    async close() {
      client.destroy();
      server.closeAllConnections?.();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}

/** A KinesisClient for a kinesalite endpoint (HTTP/1.1, fake credentials). */
export function createLocalClient(endpoint: string): KinesisClient {
  return new KinesisClient({
    endpoint,
    region: KINESALITE_ENV.AWS_REGION,
    credentials: { accessKeyId: KINESALITE_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: KINESALITE_ENV.AWS_SECRET_ACCESS_KEY },
    requestHandler: new NodeHttpHandler(),
  });
}

/**
 * Sets `values` in `process.env` (the default AWS SDK client reads its region and credentials there)
 * and returns the function that puts back what was there before (unset variables are deleted again).
 */
export function setProcessEnv(values: Readonly<Record<string, string>>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  Object.assign(process.env, values);
  return () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Jest hooks for a suite talking to kinesalite through the default AWS SDK client: before all, sets
 * {@link KINESALITE_ENV} in `process.env`, starts kinesalite and creates `streams` (a name, or a name
 * and its shard count; default 1 shard); after all, stops it and puts the environment back.
 * Call inside a `describe`.
 * @returns the running kinesalite (throws when called before the suite's `beforeAll` ran).
 * @example
 * const kinesis = useKinesalite([['connectors-dev-quotes', 2]]);
 * it('…', async () => expect(await kinesis().readAll('connectors-dev-quotes')).toHaveLength(1));
 */
export function useKinesalite(streams: ReadonlyArray<string | readonly [name: string, shards: number]>): () => Kinesalite {
  let running: Kinesalite | undefined;
  let restoreEnv: () => void = () => undefined;
  beforeAll(async () => {
    restoreEnv = setProcessEnv(KINESALITE_ENV);
    running = await startKinesalite();
    for (const stream of streams) {
      const [name, shards] = typeof stream === 'string' ? [stream, 1] : stream;
      await running.createStream(name, shards);
    }
  });
  afterAll(async () => {
    await running?.close();
    restoreEnv();
  });
  return () => {
    if (running === undefined) throw new Error('kinesalite is not running: useKinesalite() is read before its beforeAll ran');
    return running;
  };
}
