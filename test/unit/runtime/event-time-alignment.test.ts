import { count, plan, topology, tumbling, type InputRecord, type OutputRecord } from 'sluice';
import { describe, expect, test } from 'vitest';
import { alignmentBounds } from '../../../src/runtime/alignment-bounds.js';
import { EventTimeAlignment, type AlignmentChunk } from '../../../src/runtime/event-time-alignment.js';
import { partitionKey } from '../../../src/partition-key.js';
import { groupByPartition } from '../../../src/runtime/topology-runner-internals.js';
import type { Reading } from '../../conformance/simple-fixture.js';

const REPARTITION = 'app.by-key-repartition';
const key = (partition: number) => partitionKey('in', partition);

/** Records of partition `partition` from offset `from`, one per event time (the fake task copies it to the repartition record). */
function polled(partition: number, from: number, eventTimes: readonly number[]): InputRecord[] {
  return eventTimes.map((at, i) => ({ topic: 'in', partition, offset: BigInt(from + i), timestamp: at, key: null, value: null, headers: {} }));
}

/** What a stateless task in front of a groupBy writes: one repartition record per input, timestamp = event time. */
const outputsOf = (chunk: AlignmentChunk): OutputRecord[] =>
  chunk.records.map((r) => ({ topic: REPARTITION, partition: undefined, key: null, value: null, timestamp: r.timestamp, headers: {} }));

/** Processes every chunk the alignment releases; returns them in processing order. */
function drain(alignment: EventTimeAlignment, ends: ReadonlyMap<string, bigint> | undefined): AlignmentChunk[] {
  const chunks: AlignmentChunk[] = [];
  for (let chunk = alignment.next(ends); chunk !== undefined; chunk = alignment.next(ends)) {
    alignment.advanced(chunk, outputsOf(chunk));
    chunks.push(chunk);
  }
  return chunks;
}

const times = (from: number, n: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);
const offsetsOf = (chunks: readonly AlignmentChunk[], partition: number) => chunks.filter((c) => c.partition.partition === partition).flatMap((c) => c.records.map((r) => Number(r.offset)));

function aligned(partitions: number, maxAheadMs: number): EventTimeAlignment {
  // A clock that never moves: no partition goes quiet in these tests.
  const alignment = new EventTimeAlignment(maxAheadMs, [REPARTITION], { clock: () => 0 });
  for (let p = 0; p < partitions; p++) alignment.track({ topic: 'in', partition: p });
  return alignment;
}

describe('EventTimeAlignment', () => {
  test('a single partition is never held, and its records come out in offset order', () => {
    const alignment = aligned(1, 0);
    // A late record (event time 10 after 1,500) stays after the one that made it late: order is never changed.
    alignment.offer(key(0), polled(0, 0, [...times(0, 300, 1_000), 10]));
    const chunks = drain(alignment, new Map());
    expect(offsetsOf(chunks, 0)).toEqual(times(0, 301, 1));
    expect(alignment.held()).toBe(0);
    expect(alignment.pausing()).toEqual({ pause: [], resume: [] });
  });

  test('a partition ahead of the slowest one that still has records is held and paused, then released and resumed as the other catches up', () => {
    const alignment = aligned(2, 10_000);
    // One poll brought 1,000 s of partition 0 and nothing yet of partition 1 (not at its end: records to come).
    alignment.offer(key(0), polled(0, 0, times(0, 1_000, 1_000)));
    const first = drain(alignment, new Map());
    // Only a first probe chunk: partition 1's event time is unknown, so partition 0 may not run ahead of it.
    expect(offsetsOf(first, 0).length).toBeLessThan(100);
    expect(alignment.pausing()).toEqual({ pause: [{ topic: 'in', partition: 0 }], resume: [] });

    alignment.offer(key(1), polled(1, 0, times(0, 1_000, 1_000)));
    const second = drain(alignment, new Map());
    expect(alignment.held()).toBe(0);
    expect(alignment.pausing()).toEqual({ pause: [], resume: [{ topic: 'in', partition: 0 }] });
    // Interleaved: the event time written never runs more than the bound (plus one chunk) ahead of the slower partition.
    const reached = [Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY];
    let worst = 0;
    for (const chunk of [...first, ...second]) {
      const p = chunk.partition.partition;
      reached[p] = Math.max(reached[p]!, ...chunk.records.map((r) => r.timestamp));
      const other = reached[1 - p]!;
      if (other > Number.NEGATIVE_INFINITY && reached[1 - p]! < 999_000) worst = Math.max(worst, reached[p]! - other);
    }
    expect(worst).toBeLessThanOrEqual(10_000 + 10_000);
    expect(offsetsOf(second, 0)).toEqual(times(offsetsOf(first, 0).length, 1_000 - offsetsOf(first, 0).length, 1));
    expect(offsetsOf(second, 1)).toEqual(times(0, 1_000, 1));
  });

  test('a caught-up partition (its end reached, nothing polled since) never holds the others back', () => {
    const alignment = aligned(2, 10_000);
    alignment.offer(key(1), polled(1, 0, [0, 1_000]));
    drain(alignment, new Map());
    alignment.offer(key(0), polled(0, 0, times(500_000, 500, 1_000)));
    // Partition 1 is at its end (offset 2): partition 0 runs through although it is far ahead.
    const chunks = drain(alignment, new Map([[key(1), 2n]]));
    expect(offsetsOf(chunks, 0)).toEqual(times(0, 500, 1));
    // Records of partition 1 polled after that end make it "behind" again: partition 0 waits for it.
    alignment.offer(key(1), polled(1, 2, [2_000]));
    alignment.offer(key(0), polled(0, 500, [1_000_000]));
    const next = drain(alignment, new Map([[key(1), 2n]]));
    expect(offsetsOf(next, 1)).toEqual([2]);
    expect(offsetsOf(next, 0)).toEqual([]);
    expect(alignment.ready(new Map([[key(1), 3n]])), 'partition 1 reached its new end: partition 0 may go').toBe(true);
  });

  test('an empty partition that reported its end does not hold anything; one not heard of yet does', () => {
    const alignment = aligned(2, 10_000);
    alignment.offer(key(0), polled(0, 0, times(0, 500, 1_000)));
    expect(offsetsOf(drain(alignment, new Map()), 0).length).toBeLessThan(500);
    expect(offsetsOf(drain(alignment, new Map([[key(1), 0n]])), 0).length).toBeGreaterThan(0);
    expect(alignment.held()).toBe(0);
  });

  test('a partition that went quiet without an end report stops holding the others after idleMs (a missed report delays, never stalls)', () => {
    const clock = { ms: 0 };
    const alignment = new EventTimeAlignment(10_000, [REPARTITION], { idleMs: 5_000, clock: () => clock.ms });
    alignment.track({ topic: 'in', partition: 0 });
    alignment.track({ topic: 'in', partition: 1 });
    alignment.offer(key(0), polled(0, 0, times(0, 500, 1_000)));
    const probe = offsetsOf(drain(alignment, new Map()), 0).length;
    expect(probe).toBeLessThan(500);
    clock.ms = 4_999;
    expect(alignment.ready(new Map())).toBe(false);
    clock.ms = 5_000;
    expect(offsetsOf(drain(alignment, new Map()), 0).length).toBe(500 - probe);
  });

  test('without end offsets from the transport, only what was polled is ordered (nothing waits for unseen records)', () => {
    const alignment = aligned(2, 10_000);
    alignment.offer(key(0), polled(0, 0, times(0, 500, 1_000)));
    expect(offsetsOf(drain(alignment, undefined), 0)).toEqual(times(0, 500, 1));
  });

  test('clear() drops held records (they are fetched again after the rewind) and forgets event times', () => {
    const alignment = aligned(2, 0);
    alignment.offer(key(0), polled(0, 0, times(0, 200, 1_000)));
    drain(alignment, new Map());
    expect(alignment.held()).toBeGreaterThan(0);
    alignment.pausing();
    alignment.clear();
    expect(alignment.held()).toBe(0);
    expect(alignment.ready(new Map())).toBe(false);
    alignment.offer(key(0), polled(0, 5, [5_000]));
    expect(drain(alignment, new Map()).map((c) => c.records.length)).toEqual([1]);
  });

  test('an untracked (revoked) partition stops holding the others', () => {
    const alignment = aligned(2, 0);
    alignment.offer(key(0), polled(0, 0, times(0, 200, 1_000)));
    drain(alignment, new Map());
    alignment.untrack(key(1));
    drain(alignment, new Map());
    expect(alignment.held()).toBe(0);
  });

  test('chunks follow the event-time rate: dense records in big chunks, sparse ones in small', () => {
    const dense = aligned(1, 10_000);
    dense.offer(key(0), polled(0, 0, times(0, 20_000, 1)));
    const denseChunks = drain(dense, new Map());
    const sparse = aligned(1, 10_000);
    sparse.offer(key(0), polled(0, 0, times(0, 2_000, 1_000)));
    const sparseChunks = drain(sparse, new Map());
    expect(Math.max(...denseChunks.map((c) => c.records.length))).toBeGreaterThan(1_000);
    expect(Math.max(...sparseChunks.map((c) => c.records.length))).toBeLessThanOrEqual(64);
  });
});

describe('alignmentBounds', () => {
  const source = (name: string) => topology(name).source<Reading>('readings', { schema: 'reading', eventTime: 'at' }).deadLetter('readings.dlq');

  test('a sub-topology feeding a windowed repartition is aligned to half the smallest grace', () => {
    const p = plan(source('b1').groupBy('by-sensor', 'sensor').window('w', tumbling(60_000), { grace: 30_000 }).aggregate('n', { n: count() }).toTable('t'));
    expect([...alignmentBounds(p)]).toEqual([[0, { maxAheadMs: 15_000, repartitionTopics: ['b1.by-sensor-repartition'] }]]);
    expect(alignmentBounds(p, 5_000).get(0)?.maxAheadMs).toBe(5_000);
  });

  test('no repartition means nothing to align; a grace of 0 aligns as tightly as chunks allow', () => {
    expect(alignmentBounds(plan(source('b2').to('readings.copy'))).size).toBe(0);
    expect(alignmentBounds(plan(source('b2').to('readings.copy')), 1_000).size).toBe(0);
    const tight = plan(source('b3').groupBy('by-sensor', 'sensor').window('w', tumbling(1_000), { grace: 0 }).aggregate('n', { n: count() }).toTable('t'));
    expect(alignmentBounds(tight).get(0)?.maxAheadMs).toBe(0);
  });
});

describe('groupByPartition', () => {
  test('splits a poll by partition, each in its order, whatever the interleaving', () => {
    const records = [...polled(0, 0, [1, 2]), ...polled(1, 0, [3]), ...polled(0, 2, [4]), { ...polled(0, 0, [5])[0]!, topic: 'other', offset: 9n }];
    const groups = groupByPartition(records);
    expect([...groups.keys()]).toEqual([key(0), key(1), partitionKey('other', 0)]);
    expect(groups.get(key(0))!.map((r) => r.offset)).toEqual([0n, 1n, 2n]);
    expect(groups.get(key(1))!.map((r) => r.offset)).toEqual([0n]);
  });
});
