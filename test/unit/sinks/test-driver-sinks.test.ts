import { count, memory, postgres, topology, tumbling } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';

interface Ev {
  event_id: string;
  eventType: string;
  n: number;
  timestamp: number;
}
const EV_SCHEMA = {
  type: 'record', name: 'Ev',
  fields: [
    { name: 'event_id', type: 'string' }, { name: 'eventType', type: 'string' }, { name: 'n', type: 'long' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

const pipeline = topology('sinks-under-test')
  .source<Ev>('ev', { schema: EV_SCHEMA, eventTime: 'timestamp' })
  .validate('non-negative', (e) => e.n >= 0 || 'n is negative')
  .deadLetter('ev.dlq', { sink: ['dlq-mem', memory({ mode: 'append' })] })
  .split('fan-out', {
    raw: (s) => s.to('ev.valid').sink('raw-pg', postgres({ table: 'raw', mode: 'insert-ignore', key: ['event_id'] })),
    minutes: (s) => s
      .groupBy('by-type', 'eventType')
      .window('minute', tumbling('1m'), { grace: '30s' })
      .aggregate('counts', { events: count() })
      .toTable('ev.per-minute')
      .sink('agg-pg', postgres({ table: 'agg', key: ['event_type', 'window_start'] })),
  });

function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Events in time order (none late), ids repeating, some invalid. */
function events(seed: number): Ev[] {
  const next = random(seed);
  let at = 1_763_000_000_000;
  return Array.from({ length: 40 + Math.floor(next() * 60) }, () => {
    at += Math.floor(next() * 20_000);
    return { event_id: `e${Math.floor(next() * 30)}`, eventType: ['click', 'view', 'buy'][Math.floor(next() * 3)]!, n: Math.floor(next() * 10) - 2, timestamp: at };
  });
}

const byJson = <T>(rows: readonly T[]): T[] => [...rows].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));

describe('TopologyTestDriver#sink(name).rows()', () => {
  test.each([1, 2, 3, 4])('seed %i: each sink holds the rows its destination would, by an oracle over the input', async (seed) => {
    const input = events(seed);
    const driver = new TopologyTestDriver(pipeline, { partitions: 2 });
    // Half now, half later: rows read in between must not be fed twice.
    const half = Math.floor(input.length / 2);
    await driver.input<Ev>('ev').sendAll(input.slice(0, half).map((value) => ({ value, key: value.event_id, timestamp: value.timestamp })));
    await driver.sink('raw-pg').rows();
    await driver.input<Ev>('ev').sendAll(input.slice(half).map((value) => ({ value, key: value.event_id, timestamp: value.timestamp })));

    const valid = input.filter((e) => e.n >= 0);
    // insert-ignore: the first valid event per id; snake_case columns.
    const firstById = new Map<string, Ev>();
    for (const e of valid) if (!firstById.has(e.event_id)) firstById.set(e.event_id, e);
    const raw = [...firstById.values()].map((e) => ({ event_id: e.event_id, event_type: e.eventType, n: e.n, timestamp: e.timestamp }));
    expect(byJson(await driver.sink('raw-pg').rows())).toEqual(byJson(raw));

    // upsert by (event_type, window_start): one row per type and minute with the final count.
    const counts = new Map<string, { event_type: string; window_start: number; events: number }>();
    for (const e of valid) {
      const start = e.timestamp - (e.timestamp % 60_000);
      const key = `${e.eventType}@${start}`;
      const row = counts.get(key) ?? { event_type: e.eventType, window_start: start, events: 0 };
      row.events += 1;
      counts.set(key, row);
    }
    const agg = await driver.sink<{ event_type: string; window_start: number; events: number }>('agg-pg').rows();
    expect(byJson(agg.map((r) => ({ event_type: r.event_type, window_start: Number(r.window_start), events: Number(r.events) })))).toEqual(byJson([...counts.values()]));
    expect(agg.flatMap((r) => Object.keys(r)).filter((c) => c.includes('__') || c !== c.toLowerCase())).toEqual([]);

    // append: one dead-letter row per invalid event, each field one column.
    const dlq = await driver.sink<{ reason: string; step: string; payload_json: { event_id: string } }>('dlq-mem').rows();
    expect(byJson(dlq.map((r) => [r.reason, r.step, r.payload_json.event_id]))).toEqual(byJson(input.filter((e) => e.n < 0).map((e) => ['invalid', 'non-negative', e.event_id])));
    expect(await driver.sink('raw-pg').rejected()).toEqual([]);
  });

  test('an unknown sink name fails naming the sinks there are', async () => {
    const driver = new TopologyTestDriver(pipeline);
    await expect(driver.sink('raw').rows()).rejects.toThrow(/no sink named "raw" \(sinks: dlq-mem, raw-pg, agg-pg\)|no sink named "raw"/);
  });
});
