import { RecordTooLargeError } from '../../../../lib/core/errors';
import { KinesisLimits } from '../../../../lib/topics/kinesis';
import { type SizedEntry, splitIntoRequests, toEntries } from '../../../../lib/topics/kinesis/batches';

const entry = (bytes: number): SizedEntry => ({ entry: { PartitionKey: 'k', Data: new Uint8Array(0) }, bytes });

describe('topics/kinesis/batches', () => {
  it('should count data plus partition key UTF-8 bytes per entry', () => {
    // Act
    const [e] = toEntries([{ key: Buffer.from('é'), value: Buffer.alloc(10) }], { topic: 't', fallbackKey: 'f' });
    // Assess
    expect(e).toMatchObject({ bytes: 12, entry: { PartitionKey: 'é' } });
  });

  it('should throw RecordTooLargeError for the first record over 1 MiB', () => {
    // Prepare
    const records = [{ value: Buffer.alloc(1) }, { value: Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES) }, { value: Buffer.alloc(KinesisLimits.MAX_RECORD_BYTES + 5) }];
    // Act
    const act = (): unknown => toEntries(records, { topic: 't', fallbackKey: 'f' });
    // Assess: record 1 is 1 MiB + the 1-byte fallback key
    expect(act).toThrow(RecordTooLargeError);
    expect(act).toThrow(/record 1 .* 1048577 bytes, over the limit of 1048576 bytes/);
  });

  it('should fill requests up to exactly 5 MiB and no further', () => {
    // Prepare: 5 × 1 MiB fits exactly; the sixth byte-sized entry starts a new request
    const entries = [...Array.from({ length: 5 }, () => entry(KinesisLimits.MAX_RECORD_BYTES)), entry(1)];
    // Act
    const requests = splitIntoRequests(entries);
    // Assess
    expect(requests.map((r) => r.length)).toEqual([5, 1]);
  });

  it('should cut requests at 500 entries', () => {
    // Act
    const requests = splitIntoRequests(Array.from({ length: 1000 }, () => entry(1)));
    // Assess
    expect(requests.map((r) => r.length)).toEqual([500, 500]);
  });

  it('should return no request for no entries', () => {
    // Act / Assess
    expect(splitIntoRequests([])).toEqual([]);
  });
});
