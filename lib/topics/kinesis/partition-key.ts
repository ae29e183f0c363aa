import { createHash } from 'node:crypto';
import { KinesisLimits } from './limits';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The Kinesis partition key for a record key.
 *
 * - The key itself, decoded as UTF-8, when it is valid UTF-8 and 1..256 characters long (counted in
 *   UTF-16 code units, as the service does: a key of 200 emoji is 400 units and gets hashed).
 * - Otherwise (invalid UTF-8, empty, too long) the lowercase sha256 hex digest of the key bytes
 *   (64 characters): records with the same key still land in the same shard, but the original key
 *   cannot be read back from the stream.
 *
 * Kinesis has no separate record key: the partition key is the only key a consumer sees.
 *
 * @example
 * partitionKeyFromBytes(Buffer.from('user-42')); // 'user-42'
 * partitionKeyFromBytes(Buffer.from([0xff]));    // 'a8100ae6aa1940d0b663bb31cd466142ebbdbd5187131b92d93818987832eb89'
 */
export function partitionKeyFromBytes(key: Uint8Array): string {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(key);
  } catch {
    text = undefined; // not valid UTF-8
  }
  if (text !== undefined && text.length >= 1 && text.length <= KinesisLimits.MAX_PARTITION_KEY_LENGTH) return text;
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The partition key of a record: {@link partitionKeyFromBytes} of its key, or `fallback` (already a
 * valid partition key, see {@link fallbackPartitionKey}) when the record has no key.
 */
export function partitionKeyOf(key: Uint8Array | null | undefined, fallback: string): string {
  return key == null ? fallback : partitionKeyFromBytes(key);
}

/**
 * The partition key of records without a key: `defaultPartitionKey` (the connector name in
 * deployments, so all of one connector's records go to one shard, in order), else the topic name;
 * run through the same rules as record keys (an empty or over-long name is hashed).
 */
export function fallbackPartitionKey(defaultPartitionKey: string | undefined, topic: string): string {
  return partitionKeyFromBytes(encoder.encode(defaultPartitionKey ?? topic));
}

/** Size of a partition key in bytes (UTF-8), as counted against the record and request limits. */
export function partitionKeyBytes(partitionKey: string): number {
  return Buffer.byteLength(partitionKey, 'utf8');
}
