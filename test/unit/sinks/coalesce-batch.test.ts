import { describe, expect, it } from 'vitest';
import type { SinkRecord } from '../../../src/sinks/sink.js';
import { coalesceBatch, identity, type RowReader } from '../../../src/sinks/coalesce-batch.js';
import { partitionKey } from '../../../src/partition-key.js';

type Key = { id: string };
type Value = { n: number } | null;

let offset = 0n;
const rec = (id: string, value: Value, partition = 0): SinkRecord<Key, Value> => ({
  topic: 't', partition, offset: offset++, key: { id }, value,
});
const reader: RowReader = {
  key: (r) => [(r.key as Key).id],
  row: (r) => {
    const v = r.value as { n: number };
    if (v.n < 0) throw new Error('negative');
    return { key: [(r.key as Key).id], values: [(r.key as Key).id, v.n] };
  },
};

describe('coalesceBatch', () => {
  it('upsert: last value per key wins, superseded records are skipped', () => {
    offset = 0n;
    const b = coalesceBatch([rec('a', { n: 1 }), rec('b', { n: 2 }), rec('a', { n: 3 })], new Map(), 'upsert', reader);
    expect(b.rows.map((r) => r.values)).toEqual([['a', 3], ['b', 2]]);
    expect(b.deletes).toEqual([]);
    expect(b.skipped).toBe(1);
    expect(b.nextOffsets).toEqual([{ topic: 't', partition: 0, nextOffset: 3n }]);
  });

  it('upsert: a trailing tombstone deletes, a tombstone followed by a value upserts', () => {
    offset = 0n;
    const b = coalesceBatch(
      [rec('a', { n: 1 }), rec('a', null), rec('b', null), rec('b', { n: 5 })],
      new Map(), 'upsert', reader,
    );
    expect(b.deletes.map((r) => r.values)).toEqual([['a']]);
    expect(b.rows.map((r) => r.values)).toEqual([['b', 5]]);
    expect(b.skipped).toBe(2);
  });

  it('insert-ignore: first value after the last tombstone wins, and the tombstone still deletes', () => {
    offset = 0n;
    const b = coalesceBatch(
      [rec('a', { n: 1 }), rec('a', { n: 2 }), rec('b', { n: 1 }), rec('b', null), rec('b', { n: 7 }), rec('b', { n: 8 })],
      new Map(), 'insert-ignore', reader,
    );
    expect(b.rows.map((r) => r.values)).toEqual([['a', 1], ['b', 7]]);
    expect(b.deletes.map((r) => r.values)).toEqual([['b']]);
  });

  it('append: every value is a row, tombstones are skipped', () => {
    offset = 0n;
    const b = coalesceBatch([rec('a', { n: 1 }), rec('a', { n: 1 }), rec('a', null)], new Map(), 'append', reader);
    expect(b.rows).toHaveLength(2);
    expect(b.skipped).toBe(1);
  });

  it('skips records below the stored position and never moves a position back', () => {
    offset = 10n;
    const records = [rec('a', { n: 1 }), rec('b', { n: 2 }), rec('c', { n: 3 }, 1)];
    const stored = new Map([[partitionKey('t', 0), 11n], [partitionKey('t', 1), 50n]]);
    const b = coalesceBatch(records, stored, 'upsert', reader);
    expect(b.rows.map((r) => r.values)).toEqual([['b', 2]]);
    expect(b.skipped).toBe(2);
    expect(b.nextOffsets).toEqual([{ topic: 't', partition: 0, nextOffset: 12n }]);
  });

  it('rejects records that cannot be mapped, keeping the rest and their offsets', () => {
    offset = 0n;
    const b = coalesceBatch([rec('a', { n: -1 }), rec('b', { n: 2 })], new Map(), 'upsert', reader);
    expect(b.rejected).toEqual([expect.objectContaining({ message: 'negative', code: undefined })]);
    expect(b.rejected[0]!.record.offset).toBe(0n);
    expect(b.rows.map((r) => r.values)).toEqual([['b', 2]]);
    expect(b.nextOffsets[0]!.nextOffset).toBe(2n);
  });

  it('identifies keys by value, Dates by instant', () => {
    offset = 0n;
    const dateReader: RowReader = {
      key: () => [],
      row: (r) => ({ key: [new Date((r.value as { n: number }).n)], values: [(r.value as { n: number }).n] }),
    };
    const b = coalesceBatch([rec('x', { n: 5 }), rec('y', { n: 5 })], new Map(), 'upsert', dateReader);
    expect(b.rows).toHaveLength(1);
    expect(b.rows[0]!.record.key).toEqual({ id: 'y' });
  });
});

describe('identity', () => {
  it('is equal for equal key values, Dates by instant', () => {
    expect(identity(['R1', new Date(0)])).toBe(identity(['R1', new Date('1970-01-01T00:00:00Z')]));
    expect(identity([Buffer.from([1, 2]), 5n])).toBe(identity([new Uint8Array([1, 2]), 5n]));
    // A view into a larger buffer is identified by its own bytes only.
    expect(identity([new Uint8Array([9, 1, 2, 9]).subarray(1, 3)])).toBe(identity([Buffer.from([1, 2])]));
  });

  it('never joins two different key tuples into one', () => {
    const tuples: unknown[][] = [['a;b'], ['a', 'b'], ['s1:a'], ['a', ''], ['', 'a'], [1, 2], ['1', '2'], [12], [1n], ['1'], [null], ['null'], [{ x: 1 }], ['{"x":1}'], [new Date(5)], [5], [true], ['true'], [undefined], [Buffer.from([1, 2])], [Buffer.from([1])]];
    const ids = tuples.map(identity);
    expect(new Set(ids).size).toBe(tuples.length);
  });
});
