import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import type { InputRecord, OutputRecord } from 'sluice';
import { describe, expect, test } from 'vitest';
import { packedTransferList, packRecords, unpackInputRecords, unpackOutputRecords, type PackedRecords } from '../../../src/worker/packed-records.js';

const inputs: InputRecord[] = [
  { topic: 'orders', partition: 2, offset: 0n, timestamp: 1_700_000_000_123, key: Buffer.from('k-1'), value: Buffer.from([0, 0, 0, 0, 7, 42]), headers: {} },
  { topic: 'orders', partition: 2, offset: 9_007_199_254_740_000n, timestamp: 0, key: null, value: null, headers: {} },
  { topic: 'orders.dlq', partition: 0, offset: 5n, timestamp: 12, key: Buffer.alloc(0), value: Buffer.alloc(0), headers: { 'sluice.error.reason': Buffer.from('late'), 'ünïcode-名前': Buffer.from([1, 2, 3]), empty: Buffer.alloc(0) } },
  { topic: 'orders', partition: 0, offset: 3n, timestamp: 13, key: Buffer.from('k-2'), value: Buffer.from('v'), headers: {} },
];

/** Sends a packed batch through a real port, as between threads (structured clone, buffers transferred). */
function acrossPort(packed: PackedRecords): PackedRecords {
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(packed, packedTransferList(packed));
  const received = receiveMessageOnPort(port2)?.message as PackedRecords;
  port1.close();
  return received;
}

describe('packed records', () => {
  test('input records come back equal: offsets, timestamps, null and empty keys and values, headers with any names, order', () => {
    const back = unpackInputRecords(acrossPort(packRecords(inputs)));
    expect(back).toEqual(inputs);
    expect(back.map((r) => typeof r.offset)).toEqual(['bigint', 'bigint', 'bigint', 'bigint']);
  });

  test('output records keep "partition by key" (undefined) apart from partition 0', () => {
    const outputs: OutputRecord[] = [
      { topic: 'table', partition: 0, key: Buffer.from('a'), value: Buffer.from('1'), timestamp: 5, headers: {} },
      { topic: 'repartition', partition: undefined, key: Buffer.from('b'), value: null, timestamp: 6, headers: { 'sluice.event-time': Buffer.from('6') } },
    ];
    expect(unpackOutputRecords(acrossPort(packRecords(outputs)))).toEqual(outputs);
  });

  test('the sender transfers its buffers; the receiver gets views of one buffer, not copies per record', () => {
    const packed = packRecords(inputs);
    const received = acrossPort(packed);
    expect(packed.bytes.byteLength).toBe(0); // detached by the transfer
    const back = unpackInputRecords(received);
    expect(back[0]!.value!.buffer).toBe(received.bytes.buffer);
    expect(back[3]!.key!.buffer).toBe(received.bytes.buffer);
  });

  test('an empty batch packs and unpacks', () => {
    expect(unpackInputRecords(acrossPort(packRecords([])))).toEqual([]);
  });

  test('a view into a larger buffer packs only its own bytes', () => {
    const big = Buffer.from('xxhelloyy');
    const record: InputRecord = { topic: 't', partition: 1, offset: 1n, timestamp: 1, key: null, value: big.subarray(2, 7), headers: {} };
    expect(unpackInputRecords(packRecords([record]))[0]!.value!.toString()).toBe('hello');
  });
});
