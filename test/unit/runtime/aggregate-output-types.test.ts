import { count, countWhere, describe as describePlan, first, last, plan, session, sum, topology, TopologyDefinitionError, tumbling, type TableSinkNode } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { CompiledAggregates } from '../../../src/state/index.js';
import { readingSchemas, type Reading } from '../../conformance/simple-fixture.js';
import { randomInt, seededRandom } from '../state/seeded-random.js';

// Issue 18: sum(f, { type: 'long' }) (a fraction is dead-lettered, not rounded), countWhere(p),
// first/last by an order; each checked against an oracle computed from the records directly.

const WINDOW = 60_000;
const SENSORS = ['s1', 's2', 's3'];

const stats = (name = 'typed') =>
  topology(name)
    .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
    .deadLetter('dlq')
    .groupBy('by-sensor', 'sensor')
    .window('minute', tumbling(WINDOW), { grace: '1h' })
    .aggregate('stats', {
      n: count(),
      high: countWhere((e) => e.value > 50),
      total: sum((e) => e.value, { type: 'long' }),
      plain: sum((e) => e.value),
      opening: first((e) => e.value, { by: (e) => e.at }),
      closing: last((e) => e.value, { by: (e) => e.at }),
    })
    .toTable('stats');

interface StatsRow {
  sensor: string;
  window_start: number;
  n: number;
  high: number;
  total: number;
  plain: number;
  opening: number | null;
  closing: number | null;
}

/** Readings over a few windows, out of order within the grace, about one in eight with a fraction; ties in `at` on purpose. */
function readings(seed: number, n: number): Reading[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const whole = randomInt(random, 0, 100);
    return {
      sensor: SENSORS[randomInt(random, 0, SENSORS.length - 1)]!,
      value: random() < 0.125 ? whole + 0.5 : whole,
      at: 1_000_000 + randomInt(random, 0, 4 * WINDOW / 1000) * 1000,
    };
  });
}

/** The rows the table should hold, from the accepted records alone. */
function oracle(records: readonly Reading[]): StatsRow[] {
  const rows = new Map<string, StatsRow & { firstAt: number; lastAt: number }>();
  for (const e of records) {
    if (!Number.isInteger(e.value)) continue;
    const start = e.at - (e.at % WINDOW);
    const id = `${e.sensor}@${start}`;
    const row = rows.get(id) ?? { sensor: e.sensor, window_start: start, n: 0, high: 0, total: 0, plain: 0, opening: null, closing: null, firstAt: Infinity, lastAt: -Infinity };
    row.n += 1;
    row.high += e.value > 50 ? 1 : 0;
    row.total += e.value;
    row.plain += e.value;
    if (e.at < row.firstAt || (e.at === row.firstAt && e.value < row.opening!)) [row.firstAt, row.opening] = [e.at, e.value];
    if (e.at > row.lastAt || (e.at === row.lastAt && e.value > row.closing!)) [row.lastAt, row.closing] = [e.at, e.value];
    rows.set(id, row);
  }
  return [...rows.values()].map(({ firstAt: _f, lastAt: _l, ...row }) => row).sort(byKey);
}

const byKey = (a: { sensor: string; window_start: number }, b: { sensor: string; window_start: number }): number =>
  a.sensor.localeCompare(b.sensor) || a.window_start - b.window_start;

const pick = (row: StatsRow): StatsRow => ({
  sensor: row.sensor, window_start: row.window_start, n: row.n, high: row.high, total: row.total, plain: row.plain, opening: row.opening, closing: row.closing,
});

describe('aggregator output types on the TopologyTestDriver', () => {
  test('the table schema carries each aggregator’s Avro type', () => {
    const table = plan(stats()).subTopologies[1]!.sources[0]!.next[0]!.next[0]!.next[0] as TableSinkNode;
    const types = Object.fromEntries((table.valueSchema as unknown as { fields: { name: string; type: unknown }[] }).fields.map((f) => [f.name, f.type]));
    expect(types).toMatchObject({
      n: 'long',
      high: 'long',
      total: 'long',
      plain: 'double',
      opening: ['null', 'double'],
      opening__by: ['null', 'double'],
      closing: ['null', 'double'],
      closing__by: ['null', 'double'],
    });
    expect(describePlan(plan(stats()))).toContain('n: count, high: countWhere, total: sum (long), plain: sum, opening: first, closing: last');
  });

  test.each([1, 2, 3, 4, 5])('seed %i: rows equal the oracle; fractions for the long sum are dead-lettered whole, naming field and value; a restart restores', async (seed) => {
    const records = readings(seed, 400);
    const driver = new TopologyTestDriver(stats(), { schemas: readingSchemas, partitions: 3 });
    const input = driver.input<Reading>('readings');
    const half = records.length / 2;
    await input.sendAll(records.slice(0, half).map((value, i) => ({ value, key: `k${i % 5}` })));
    await driver.restart();
    await input.sendAll(records.slice(half).map((value, i) => ({ value, key: `k${i % 5}` })));

    const rows = (await driver.table<StatsRow>('stats').rows()).map(pick).sort(byKey);
    expect(rows).toEqual(oracle(records));
    for (const row of rows) expect(Number.isSafeInteger(row.total), 'a long decodes as a whole number').toBe(true);

    const fractions = records.filter((e) => !Number.isInteger(e.value));
    expect(fractions.length, 'the draw has fractions').toBeGreaterThan(10);
    const letters = await driver.deadLetters('dlq').records();
    expect(letters).toHaveLength(fractions.length);
    for (const letter of letters) {
      expect(letter.reason).toBe('invalid');
      expect(letter.step).toBe('stats');
      expect(letter.message).toMatch(/^aggregate field "total": sum\(…, \{ type: 'long' \}\) takes whole numbers, got \d+\.5$/);
    }
    expect(letters.map((l) => Number(/got (\S+)$/.exec(l.message)![1])).sort((a, b) => a - b)).toEqual(fractions.map((e) => e.value).sort((a, b) => a - b));
  });

  test('first and last merge with session windows: a bridging record joins two sessions', async () => {
    const t = topology('sessions')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .deadLetter('dlq')
      .groupByKey('by-key')
      .window('s', session(1000), { grace: '1h' })
      .aggregate('a', { n: count(), opening: first((e) => e.value, { by: (e) => e.at }), closing: last((e) => e.value, { by: (e) => e.at }), big: countWhere((e) => e.value >= 10) })
      .toTable('sessions');
    const driver = new TopologyTestDriver(t, { schemas: readingSchemas });
    const at = (value: number, time: number) => ({ value: { sensor: 'x', value, at: time }, key: 'x' });
    await driver.input<Reading>('readings').sendAll([at(10, 1000), at(3, 1500), at(7, 5000), at(20, 5400), at(4, 3200), at(12, 2300), at(9, 4100)]);
    const rows = await driver.table<{ window_start: number; n: number; opening: number; closing: number; big: number }>('sessions').rows();
    expect(rows.map(({ window_start, n, opening, closing, big }) => ({ window_start, n, opening, closing, big }))).toEqual([
      { window_start: 1000, n: 7, opening: 10, closing: 20, big: 3 },
    ]);
  });
});

describe('aggregator definitions that cannot work fail when the topology loads', () => {
  test('a long sum needs a dead-letter topic for the records it refuses', () => {
    const t = topology('no-dlq')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .groupBy('g', 'sensor')
      .window('w', tumbling(WINDOW), { late: 'drop' })
      .aggregate('a', { total: sum((e) => e.value, { type: 'long' }) })
      .toTable('t');
    expect(() => plan(t)).toThrow(TopologyDefinitionError);
    expect(() => plan(t)).toThrow(/step "a": aggregate field "total" refuses records .* but the chain has none\.\n {2}Fix: add \.deadLetter/);
    const double = topology('no-dlq-ok')
      .source<Reading>('readings', { schema: 'reading', eventTime: 'at' })
      .groupBy('g', 'sensor')
      .window('w', tumbling(WINDOW), { late: 'drop' })
      .aggregate('a', { total: sum((e) => e.value) })
      .toTable('t');
    expect(() => plan(double)).not.toThrow();
  });

  test('wrong arguments name what to pass', () => {
    expect(() => sum((e: Reading) => e.value, { type: 'int' as 'long' })).toThrow(`sum(): unknown type "int"; use { type: 'double' } (the default) or { type: 'long' }`);
    expect(() => countWhere(true as unknown as () => boolean)).toThrow(/countWhere\(predicate\): pass a function/);
    expect(() => first((e: Reading) => e.value, undefined as never)).toThrow('first(f, { by }): pass the value and what orders the records, e.g. first((e) => e.speed_kmh, { by: (e) => e.timestamp })');
    expect(() => last((e: Reading) => e.value, {} as never)).toThrow(/^last\(f, \{ by \}\)/);
  });
});

describe('the flat and the object accumulators agree, and survive the table value', () => {
  test.each([11, 12, 13])('seed %i', (seed) => {
    const map = {
      high: countWhere((e: Reading) => e.value > 50),
      total: sum((e: Reading) => e.value, { type: 'long' }),
      opening: first((e: Reading) => e.value, { by: (e) => e.at }),
      closing: last((e: Reading) => e.value, { by: (e) => e.at }),
    };
    const aggregates = new CompiledAggregates(map);
    const records = readings(seed, 200).filter((e) => Number.isInteger(e.value));
    const accs = aggregates.init();
    const slots = new Float64Array(aggregates.flatWidth);
    aggregates.initSlots(slots, 0);
    for (const e of records) {
      expect(aggregates.refusal(e)).toBeUndefined();
      aggregates.add(accs, e);
      aggregates.addSlots(slots, 0, undefined, e);
    }
    const viaObjects = aggregates.results(accs);
    expect(aggregates.results(aggregates.readSlots(slots, 0, undefined))).toEqual(viaObjects);
    const restored = aggregates.fromTableValue(aggregates.toTableValue(accs));
    expect(aggregates.results(restored)).toEqual(viaObjects);
    expect(viaObjects['high']).toBe(records.filter((e) => e.value > 50).length);
    expect(viaObjects['total']).toBe(records.reduce((n, e) => n + e.value, 0));
    expect(aggregates.refusal({ sensor: 'x', value: Number.NaN, at: 0 })).toBe(`aggregate field "total": sum(…, { type: 'long' }) takes whole numbers, got NaN`);
    expect(aggregates.refusal({ sensor: 'x', value: 2 ** 53, at: 0 })).toMatch(/takes whole numbers, got 9007199254740992$/);
  });
});
