import { count, sum, topology, tumbling } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { readingSchemas, type Reading } from '../../conformance/simple-fixture.js';

/**
 * Lateness after a repartition must not depend on the order in which the
 * upstream partitions are processed (issue 17: on a busy machine a backlog
 * turned 12–20 % of valid events into `late` dead letters). The driver's
 * batch size is the schedule here: unbounded, it processes one source
 * partition's whole backlog before the next — the worst interleaving a busy
 * machine can produce.
 *
 * The oracle does not use the runtime: per source partition, in offset
 * order, a record is late when its window's end + grace is at or below the
 * highest event time before it in that partition (the README's rule).
 */
const WINDOW = 60_000;
const GRACE = 30_000;
const SENSORS = ['page_view', 'click', 'add_to_cart', 'purchase', 'signup', 'search', 'share'];

interface Sent {
  readonly partition: number;
  readonly value: Reading;
}

function workload(seed: number): { sent: Sent[]; partitions: number } {
  let state = seed >>> 0 || 1;
  const random = (): number => {
    // xorshift32: a seeded, dependency-free generator
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
  const partitions = 2 + Math.floor(random() * 4);
  const sent: Sent[] = [];
  for (let p = 0; p < partitions; p++) {
    // Each partition covers hours of event time, in order with jitter inside grace,
    // plus a few records far behind (really late within their own partition).
    const n = 200 + Math.floor(random() * 400);
    let t = 1_700_000_000_000 + Math.floor(random() * 600_000);
    for (let i = 0; i < n; i++) {
      t += Math.floor(random() * 20_000);
      const lateBy = random() < 0.03 ? 120_000 + Math.floor(random() * 600_000) : Math.floor(random() * 10_000);
      sent.push({ partition: p, value: { sensor: SENSORS[Math.floor(random() * SENSORS.length)]!, value: 1 + Math.floor(random() * 9), at: t - lateBy } });
    }
  }
  return { sent, partitions };
}

function oracle(sent: readonly Sent[]): { rows: Map<string, { n: number; total: number }>; late: number } {
  const rows = new Map<string, { n: number; total: number }>();
  const highest = new Map<number, number>();
  let late = 0;
  for (const { partition, value } of sent) {
    const start = Math.floor(value.at / WINDOW) * WINDOW;
    const before = highest.get(partition) ?? Number.NEGATIVE_INFINITY;
    if (start + WINDOW + GRACE <= before) {
      late++;
      continue;
    }
    if (value.at > before) highest.set(partition, value.at);
    const key = `${value.sensor}@${start}`;
    const row = rows.get(key) ?? { n: 0, total: 0 };
    row.n++;
    row.total += value.value;
    rows.set(key, row);
  }
  return { rows, late };
}

describe('event time after a repartition is independent of processing order', () => {
  for (const seed of [1, 7, 22, 4242, 90_000]) {
    for (const maxBatchSize of [undefined, 1, 37]) {
      test(`seed ${seed}, batches of ${maxBatchSize ?? 'a whole partition'}`, async () => {
        const { sent, partitions } = workload(seed);
        const t = topology('determinism')
          .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
          .deadLetter('dlq')
          .groupBy('by-sensor', 'sensor')
          .window('minute', tumbling(WINDOW), { grace: GRACE })
          .aggregate('counts', { n: count(), total: sum((e) => e.value) })
          .toTable('per-minute');
        const driver = new TopologyTestDriver(t, { schemas: readingSchemas, partitions, ...(maxBatchSize === undefined ? {} : { maxBatchSize }) });
        // Everything is in the source topic before the topology reads it: a pre-loaded backlog.
        await driver.input<Reading>('readings').sendAll(sent.map((s) => ({ value: s.value, partition: s.partition })));
        const expected = oracle(sent);
        const rows = await driver.table<{ sensor: string; window_start: number; n: number; total: number }>('per-minute').rows();
        const actual = new Map(rows.map((row) => [`${row.sensor}@${row.window_start}`, { n: row.n, total: row.total }]));
        expect(driver.counters.late, `seed ${seed}`).toBe(expected.late);
        expect(expected.late, 'the workload has late records').toBeGreaterThan(0);
        expect(actual).toEqual(expected.rows);
        expect((await driver.deadLetters('dlq').records()).length).toBe(expected.late);
      });
    }
  }
});
