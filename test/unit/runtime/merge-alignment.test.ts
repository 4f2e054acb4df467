import { map } from 'rxjs';
import { count, plan, topology, tumbling, type InputRecord } from 'sluice';
import { describe, expect, test } from 'vitest';
import { alignmentBounds } from '../../../src/runtime/alignment-bounds.js';
import { EventTimeAlignment, type AlignmentChunk } from '../../../src/runtime/event-time-alignment.js';
import { partitionKey } from '../../../src/runtime/stream-transport.js';
import type { Reading } from '../../conformance/simple-fixture.js';

const readingSchema = { type: 'record', name: 'R', fields: [{ name: 'sensor', type: 'string' }, { name: 'value', type: 'double' }, { name: 'at', type: 'long' }] } as const;

function merged(grace: number) {
  const t = topology('merged');
  const b = t.source<Reading>('b', { schema: readingSchema, eventTime: 'at' }).pipe('b-copy', map((r) => r));
  return t
    .source<Reading>('a', { schema: readingSchema, eventTime: 'at' })
    .deadLetter('dlq')
    .merge('both', b)
    .groupByKey('by-sensor', { as: 'sensor' })
    .window('w', tumbling(60_000), { grace })
    .aggregate('n', { n: count() })
    .toTable('t');
}

/** Records of `topic` partition 0 from offset `from`, one per event time. */
const polled = (topic: string, from: number, eventTimes: readonly number[]): InputRecord[] =>
  eventTimes.map((at, i) => ({ topic, partition: 0, offset: BigInt(from + i), timestamp: at, key: null, value: null, headers: {} }));
const times = (from: number, n: number, step: number) => Array.from({ length: n }, (_, i) => from + i * step);

describe('event-time alignment of a task that reads several topics into its own windows', () => {
  test('a merge into local windows is aligned on half the grace, learning its pace from decoded event times', () => {
    expect([...alignmentBounds(plan(merged(20_000)))]).toEqual([[0, { maxAheadMs: 10_000, repartitionTopics: [] }]]);
    // One input alone needs nothing: its order is its own.
    const single = topology('single').source<Reading>('a', { schema: readingSchema, eventTime: 'at' }).deadLetter('dlq').groupByKey('g', { as: 'sensor' }).window('w', tumbling(1000)).aggregate('n', { n: count() }).toTable('t');
    expect(alignmentBounds(plan(single)).size).toBe(0);
  });

  test('an input whose backlog is polled first waits for the other input to catch up in event time', () => {
    const alignment = new EventTimeAlignment(10_000, [], { clock: () => 0 });
    for (const topic of ['a', 'b']) alignment.track({ topic, partition: 0 });
    // Topic a's whole backlog arrives first: an hour of event time. Of b only its first minute so far.
    alignment.offer(partitionKey('a', 0), polled('a', 0, times(0, 3600, 1000)));
    alignment.offer(partitionKey('b', 0), polled('b', 0, times(500, 60, 1000)));
    // End reports known, none reached yet: both inputs still have records to read.
    const ends = new Map<string, bigint>();
    const processed: AlignmentChunk[] = [];
    let highest = Number.NEGATIVE_INFINITY;
    let lateAgainstTask = 0;
    for (let chunk = alignment.next(ends); chunk !== undefined; chunk = alignment.next(ends)) {
      // The task's watermark is the highest event time it saw, across both inputs: what a window's lateness is measured against.
      for (const r of chunk.records) {
        if (r.timestamp + 20_000 < highest) lateAgainstTask++; // the grace the 10 s bound is half of
        highest = Math.max(highest, r.timestamp);
      }
      const eventTimes = { min: Math.min(...chunk.records.map((r) => r.timestamp)), max: Math.max(...chunk.records.map((r) => r.timestamp)) };
      alignment.advanced(chunk, [], eventTimes);
      processed.push(chunk);
    }
    // b's minute is processed; a is held not far past it (b is not at its end: 60 of 3600 polled).
    const reachedA = Math.max(...processed.filter((c) => c.partition.topic === 'a').flatMap((c) => c.records.map((r) => r.timestamp)));
    expect(reachedA).toBeLessThan(60_000 + 10_000 + 20_000);
    expect(alignment.holds(partitionKey('a', 0))).toBe(true);
    expect(lateAgainstTask).toBe(0);
    expect(alignment.pausing().pause.map((p) => p.topic)).toEqual(['a']);
  });

  test('without the decoded event times (none decoded) the alignment learns nothing and does not hold', () => {
    const alignment = new EventTimeAlignment(10_000, [], { clock: () => 0 });
    alignment.track({ topic: 'a', partition: 0 });
    alignment.offer(partitionKey('a', 0), polled('a', 0, times(0, 100, 1000)));
    let chunks = 0;
    for (let chunk = alignment.next(undefined); chunk !== undefined; chunk = alignment.next(undefined)) {
      alignment.advanced(chunk, []);
      chunks++;
    }
    expect(chunks).toBeGreaterThan(0);
    expect(alignment.holds(partitionKey('a', 0))).toBe(false);
  });
});

describe('the quiet clock after an assignment', () => {
  test('time spent restoring other tasks does not make a partition count as quiet: it still holds the others back', () => {
    let now = 0;
    const alignment = new EventTimeAlignment(10_000, [], { clock: () => now });
    // Tracked as its task is built; the next task's restore then takes 6 s (> the 5 s quiet bound).
    alignment.track({ topic: 'a', partition: 0 });
    now = 6_000;
    alignment.track({ topic: 'b', partition: 0 });
    alignment.restartQuietClocks();
    // b delivers a long backlog first; a has delivered nothing yet (its fetch is slower), and no end is known.
    alignment.offer(partitionKey('b', 0), polled('b', 0, times(0, 3600, 1000)));
    const ends = new Map<string, bigint>();
    let reachedB = Number.NEGATIVE_INFINITY;
    for (let chunk = alignment.next(ends); chunk !== undefined; chunk = alignment.next(ends)) {
      const max = Math.max(...chunk.records.map((r) => r.timestamp));
      reachedB = Math.max(reachedB, max);
      alignment.advanced(chunk, [], { min: Math.min(...chunk.records.map((r) => r.timestamp)), max });
    }
    // Only b's first chunk (which tells its pace): a's records, when they come, must not find b an hour ahead.
    expect(reachedB).toBeLessThan(60_000);
    expect(alignment.holds(partitionKey('b', 0))).toBe(true);
  });
});
