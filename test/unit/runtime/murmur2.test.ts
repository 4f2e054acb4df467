import { murmur2, partitionForKey } from 'sluice';
import { describe, expect, test } from 'vitest';

describe('murmur2, the Java client default partitioner', () => {
  // org.apache.kafka.common.utils.UtilsTest#testMurmur2
  test.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %d', (input, expected) => {
    expect(murmur2(Buffer.from(input))).toBe(expected);
  });

  test('bytes input from the same test', () => {
    expect(murmur2(Uint8Array.from([12, 42, 56, 24, 109, 111]))).toBe(274204207);
  });

  test('partition = toPositive(hash) % partitions', () => {
    expect(partitionForKey(Buffer.from('21'), 1 << 30)).toBe((-973932308 & 0x7fffffff) % (1 << 30));
    expect(partitionForKey(Buffer.from('foobar'), 7)).toBe((-790332482 & 0x7fffffff) % 7);
    expect(partitionForKey(Buffer.alloc(0), 5)).toBeGreaterThanOrEqual(0);
  });
});
