import { createHash } from 'node:crypto';
import { fallbackPartitionKey, partitionKeyFromBytes, partitionKeyOf } from '../../../../lib/topics/kinesis';

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('topics/kinesis/partition-key', () => {
  it.each([
    ['a UTF-8 key', Buffer.from('user-42'), 'user-42'],
    ['a one-character key', Buffer.from('a'), 'a'],
    ['a 256-character key', Buffer.from('x'.repeat(256)), 'x'.repeat(256)],
    ['non-ASCII UTF-8', Buffer.from('clé-ü-€'), 'clé-ü-€'],
    ['a key with a byte-order mark (kept)', Buffer.from('\uFEFFk'), '\uFEFFk'],
  ])('should use %s as the partition key', (_what, key, expected) => {
    // Act
    const partitionKey = partitionKeyFromBytes(key);
    // Assess
    expect(partitionKey).toBe(expected);
  });

  it.each([
    ['a 257-character key', Buffer.from('x'.repeat(257))],
    ['invalid UTF-8', Buffer.from([0x68, 0xff, 0x69])],
    ['a lone surrogate encoded as bytes', Buffer.from([0xed, 0xa0, 0x80])],
    ['an empty key', Buffer.alloc(0)],
    ['129 emoji (258 UTF-16 code units)', Buffer.from('😀'.repeat(129))],
  ])('should use the sha256 hex of the key bytes for %s', (_what, key) => {
    // Act
    const partitionKey = partitionKeyFromBytes(key);
    // Assess
    expect(partitionKey).toBe(sha256(key));
    expect(partitionKey).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should use the fallback for a record without a key', () => {
    // Act / Assess
    expect(partitionKeyOf(null, 'conn')).toBe('conn');
    expect(partitionKeyOf(undefined, 'conn')).toBe('conn');
    expect(partitionKeyOf(Buffer.from('k'), 'conn')).toBe('k');
  });

  it('should take defaultPartitionKey, else the topic, as the fallback, hashing an over-long one', () => {
    // Act / Assess
    expect(fallbackPartitionKey('cat-facts', 'facts')).toBe('cat-facts');
    expect(fallbackPartitionKey(undefined, 'facts')).toBe('facts');
    expect(fallbackPartitionKey('n'.repeat(300), 'facts')).toBe(sha256(Buffer.from('n'.repeat(300))));
  });
});
