import type { PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { RecordTooLargeError } from '../../core/errors';
import type { ProducerRecord } from '../../core/topics';
import { KinesisLimits } from './limits';
import { partitionKeyBytes, partitionKeyOf } from './partition-key';

/** One record ready for PutRecords, with its size as Kinesis counts it. */
export interface SizedEntry {
  entry: PutRecordsRequestEntry;
  /** Data bytes + partition key UTF-8 bytes. */
  bytes: number;
}

/**
 * Turns records into PutRecords entries (partition key per {@link partitionKeyOf}; the record's
 * `timestamp` is not stored: Kinesis stamps ApproximateArrivalTimestamp itself).
 *
 * @throws RecordTooLargeError (TOPIC_RECORD_TOO_LARGE) for the first record whose data + partition key
 *   exceed 1 MiB: Kinesis can never accept it, so the caller must not write any of the records.
 */
export function toEntries(records: readonly ProducerRecord[], options: { topic: string; fallbackKey: string }): SizedEntry[] {
  return records.map((record, index) => {
    const PartitionKey = partitionKeyOf(record.key, options.fallbackKey);
    const bytes = record.value.byteLength + partitionKeyBytes(PartitionKey);
    if (bytes > KinesisLimits.MAX_RECORD_BYTES) {
      throw new RecordTooLargeError(options.topic, { index, size: bytes, limit: KinesisLimits.MAX_RECORD_BYTES, undelivered: records.length });
    }
    return { entry: { PartitionKey, Data: record.value }, bytes };
  });
}

/**
 * Splits entries, in order, into PutRecords requests of at most 500 entries and 5 MiB (data +
 * partition keys). Every entry must be ≤ 1 MiB (see {@link toEntries}), so no request is empty.
 */
export function splitIntoRequests(entries: readonly SizedEntry[]): SizedEntry[][] {
  const requests: SizedEntry[][] = [];
  let current: SizedEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const full = current.length === KinesisLimits.MAX_RECORDS_PER_REQUEST || bytes + entry.bytes > KinesisLimits.MAX_REQUEST_BYTES;
    if (full && current.length > 0) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += entry.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
