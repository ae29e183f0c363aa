import { KinesisClient, type KinesisClientConfig } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/** Options of {@link createKinesisClient}. */
export interface KinesisClientOptions {
  /** AWS region; default: the SDK's chain (AWS_REGION, then the shared config profile). */
  region?: string;
  /** Endpoint override (e.g. kinesalite `http://127.0.0.1:4567`); default: the region's Kinesis endpoint. */
  endpoint?: string;
  /** Credentials; default: the SDK's provider chain (environment, container/instance role, profile). */
  credentials?: KinesisClientConfig['credentials'];
  /**
   * Attempts per API call made by the SDK itself (its standard retry mode, for throttled admin calls
   * such as DescribeStreamSummary). Default 3, the SDK default. PutRecords is also retried by the
   * producer's own policy on top of this.
   */
  maxAttempts?: number;
  /** Time allowed to open a connection, in ms. Default 5000. */
  connectionTimeoutMs?: number;
  /** Time allowed for one request and its response, in ms; exceeding it throws `TimeoutError` (retried). Default 30 000. */
  requestTimeoutMs?: number;
}

/**
 * A KinesisClient that talks HTTP/1.1 through `NodeHttpHandler` (`@smithy/node-http-handler`).
 *
 * Why: the SDK's Kinesis client defaults to HTTP/2 (`NodeHttp2Handler`, needed only for
 * SubscribeToShard event streams, which this project does not use). kinesalite, the local Kinesis
 * used in tests and `CONNECTOR_KINESIS_ENDPOINT`, speaks HTTP/1.1 only, and PutRecords/admin calls
 * work the same over HTTP/1.1 in AWS, with keep-alive connections. Timeouts throw `TimeoutError`
 * (`throwOnRequestTimeout`), which the producer retries.
 *
 * The caller owns the client: call `client.destroy()` when done (backends and producers never do).
 *
 * @example
 * const client = createKinesisClient({ region: 'eu-west-1' });
 * const topics = openKinesisTopics({ client, defaultPartitionKey: 'cat-facts' });
 */
export function createKinesisClient(options: KinesisClientOptions = {}): KinesisClient {
  return new KinesisClient({
    ...(options.region ? { region: options.region } : {}),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    requestHandler: new NodeHttpHandler({
      connectionTimeout: options.connectionTimeoutMs ?? 5000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
      throwOnRequestTimeout: true,
    }),
  });
}
