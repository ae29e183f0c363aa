/**
 * Kinesis Data Streams quotas that shape how records are written. Source: the PutRecords API
 * reference ("Each PutRecords request can support up to 500 records. Each record in the request can
 * be as large as 1 MiB, up to a limit of 5 MiB for the entire request, including partition keys.")
 * and the PutRecordsRequestEntry shape (PartitionKey: 1..256 Unicode characters).
 */
export const KinesisLimits = {
  /** Most entries in one PutRecords request. */
  MAX_RECORDS_PER_REQUEST: 500,
  /** Most bytes (data + partition keys, UTF-8) in one PutRecords request: 5 MiB. */
  MAX_REQUEST_BYTES: 5 * 1024 * 1024,
  /** Most bytes (data + partition key, UTF-8) of one record: 1 MiB. */
  MAX_RECORD_BYTES: 1024 * 1024,
  /** Longest partition key, in characters (UTF-16 code units, as the service counts them). */
  MAX_PARTITION_KEY_LENGTH: 256,
} as const;
