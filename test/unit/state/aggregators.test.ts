import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  avg,
  CompiledAggregates,
  count,
  max,
  min,
  reducer,
  sum,
  type AggregateMap,
  type AggregateResult,
  type AnyAggregatorSpec,
} from '../../../src/state/index.js';
import { randomInt, seededRandom } from './seeded-random.js';

interface Telemetry {
  readonly route: string;
  readonly speed: number;
  readonly passengers: number;
}

const t = (speed: number, passengers = 0): Telemetry => ({ route: 'r1', speed, passengers });

function fold<A, R>(spec: { init(): A; add(acc: A, r: Telemetry): A; result(acc: A): R }, records: readonly Telemetry[]): R {
  let acc = spec.init();
  for (const r of records) acc = spec.add(acc, r);
  return spec.result(acc);
}

const distinctRoutes = reducer<Telemetry, string[], number>({
  init: () => [],
  add: (routes, e) => (routes.includes(e.route) ? routes : [...routes, e.route]),
  merge: (a, b) => [...new Set([...a, ...b])].sort(),
  result: (routes) => routes.length,
  resultAvroType: 'long',
  state: { avroType: { type: 'array', items: 'string' }, toState: (routes) => routes, fromState: (v) => v as string[] },
});

describe('aggregator types', () => {
  it('infer the record type from the map and the result type from the aggregators', () => {
    function aggregate<T, M extends AggregateMap<T>>(_records: readonly T[], map: M): AggregateResult<M> {
      return new CompiledAggregates<T>(map).results(new CompiledAggregates<T>(map).init()) as AggregateResult<M>;
    }
    const result = aggregate([t(1)], {
      events: count(),
      avg_speed: avg((e) => e.speed),
      low: min((e) => e.speed),
      routes: distinctRoutes,
    });
    expectTypeOf(result).toEqualTypeOf<{ events: number; avg_speed: number; low: number | null; routes: number }>();
    // @ts-expect-error — `colour` is not a field of Telemetry
    aggregate([t(1)], { bad: sum((e) => e.colour) });
  });

  it('are pure frozen data with the agreed Avro result types', () => {
    const specs: [AnyAggregatorSpec<Telemetry>, unknown][] = [
      [count(), 'long'],
      [sum((e: Telemetry) => e.speed), 'double'],
      [avg((e: Telemetry) => e.speed), 'double'],
      [min((e: Telemetry) => e.speed), ['null', 'double']],
      [max((e: Telemetry) => e.speed), ['null', 'double']],
      [distinctRoutes, 'long'],
    ];
    for (const [spec, type] of specs) {
      expect(spec.resultAvroType).toEqual(type);
      expect(Object.isFrozen(spec)).toBe(true);
    }
    expect(specs.map(([s]) => s.kind)).toEqual(['count', 'sum', 'avg', 'min', 'max', 'reducer']);
  });
});

describe('numeric aggregators', () => {
  it('count, sum, avg, min, max over a few records', () => {
    const records = [t(10, 1), t(30, 2), t(20, 3)];
    expect(fold(count(), records)).toBe(3);
    expect(fold(sum((e: Telemetry) => e.passengers), records)).toBe(6);
    expect(fold(avg((e: Telemetry) => e.speed), records)).toBe(20);
    expect(fold(min((e: Telemetry) => e.speed), records)).toBe(10);
    expect(fold(max((e: Telemetry) => e.speed), records)).toBe(30);
  });

  it('min and max of nothing are null, and ignore NaN', () => {
    expect(fold(min((e: Telemetry) => e.speed), [])).toBeNull();
    expect(fold(max((e: Telemetry) => e.speed), [])).toBeNull();
    expect(fold(max((e: Telemetry) => e.speed), [t(Number.NaN)])).toBeNull();
    expect(fold(min((e: Telemetry) => e.speed), [t(Number.NaN), t(-3), t(Number.NaN)])).toBe(-3);
    expect(min((e: Telemetry) => e.speed).merge(null, null)).toBeNull();
    expect(max((e: Telemetry) => e.speed).merge(null, 4)).toBe(4);
  });

  it('sum of nothing is 0, count 0, avg NaN', () => {
    expect(fold(sum((e: Telemetry) => e.speed), [])).toBe(0);
    expect(fold(count(), [])).toBe(0);
    expect(fold(avg((e: Telemetry) => e.speed), [])).toBeNaN();
  });

  it('count, sum and avg are exact against an independent oracle, including merges (seed 7)', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 200; round++) {
      const n = randomInt(random, 1, 300);
      // Integer cents keep every partial sum exactly representable, so any order must agree.
      const records = Array.from({ length: n }, () => t(randomInt(random, 0, 15_000) / 100, randomInt(random, 0, 80)));
      let oracleCount = 0;
      let oracleCents = 0;
      let oraclePassengers = 0;
      for (const r of records) {
        oracleCount++;
        oracleCents += Math.round(r.speed * 100);
        oraclePassengers += r.passengers;
      }
      const split = randomInt(random, 0, n);
      for (const spec of [count<Telemetry>(), sum((e: Telemetry) => e.passengers), avg((e: Telemetry) => e.speed * 100)] as const) {
        const s = spec as AnyAggregatorSpec<Telemetry>;
        let left = s.init();
        let right = s.init();
        records.slice(0, split).forEach((r) => (left = s.add(left, r)));
        records.slice(split).forEach((r) => (right = s.add(right, r)));
        const merged = s.result(s.merge(left, right));
        const expected = s.kind === 'count' ? oracleCount : s.kind === 'sum' ? oraclePassengers : oracleCents / oracleCount;
        if (s.kind === 'avg') expect(merged as number).toBeCloseTo(expected, 9);
        else expect(merged).toBe(expected);
      }
      const whole = fold(avg((e: Telemetry) => Math.round(e.speed * 100)), records);
      expect(whole * oracleCount).toBeCloseTo(oracleCents, 6);
    }
  });

  it('min and max agree with Math.min / Math.max on random input (seed 11)', () => {
    const random = seededRandom(11);
    for (let round = 0; round < 200; round++) {
      const records = Array.from({ length: randomInt(random, 1, 100) }, () => t(random() * 200 - 50));
      expect(fold(min((e: Telemetry) => e.speed), records)).toBe(Math.min(...records.map((r) => r.speed)));
      expect(fold(max((e: Telemetry) => e.speed), records)).toBe(Math.max(...records.map((r) => r.speed)));
    }
  });
});

describe('state persistence', () => {
  const roundTrip = <A>(spec: AnyAggregatorSpec<Telemetry>, records: readonly Telemetry[], field: string) => {
    let acc = spec.init();
    for (const r of records) acc = spec.add(acc, r);
    const value: Record<string, unknown> = { [field]: spec.result(acc) };
    spec.toState(acc, field, value);
    // Through JSON, as a decoded Avro record has no shared references with the accumulator.
    const decoded = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    return { acc: acc as A, value, restored: spec.fromState(decoded, field) as A };
  };

  it.each([
    ['count', count<Telemetry>()],
    ['sum', sum((e: Telemetry) => e.speed)],
    ['avg', avg((e: Telemetry) => e.speed)],
    ['min', min((e: Telemetry) => e.speed)],
    ['max', max((e: Telemetry) => e.speed)],
    ['reducer', distinctRoutes],
  ] as const)('%s restores an accumulator that carries on exactly', (_, spec) => {
    const s = spec as AnyAggregatorSpec<Telemetry>;
    const before = [t(10, 1), t(25, 4), { route: 'r2', speed: 7, passengers: 2 }];
    const after = [t(40, 3), { route: 'r3', speed: 1, passengers: 9 }];
    const { restored } = roundTrip(s, before, 'f');
    let carried = restored;
    for (const r of after) carried = s.add(carried, r);
    expect(s.result(carried)).toEqual(fold(s, [...before, ...after]));
  });

  it('avg keeps sum and count in two extra, declared fields', () => {
    const spec = avg((e: Telemetry) => e.speed);
    const { value } = roundTrip(spec, [t(10), t(20), t(45)], 'avg_speed');
    expect(value).toEqual({ avg_speed: 25, avg_speed__sum: 75, avg_speed__count: 3 });
    expect(spec.stateAvroFields('avg_speed')).toEqual([
      { name: 'avg_speed__sum', type: 'double' },
      { name: 'avg_speed__count', type: 'long' },
    ]);
    expect(spec.result(spec.fromState(value, 'avg_speed'))).toBe(25);
  });

  it('count, sum, min and max need no extra fields', () => {
    for (const spec of [count(), sum((e: Telemetry) => e.speed), min((e: Telemetry) => e.speed), max((e: Telemetry) => e.speed)]) {
      expect(spec.stateAvroFields('x')).toEqual([]);
    }
  });

  it('min and max of an empty window restore as empty', () => {
    const spec = min((e: Telemetry) => e.speed);
    const { value, restored } = roundTrip<number | null>(spec, [], 'low');
    expect(value).toEqual({ low: null });
    expect(restored).toBeNull();
    expect(spec.add(restored, t(3))).toBe(3);
  });

  it('restore fails loudly on a missing or mistyped field', () => {
    expect(() => avg((e: Telemetry) => e.speed).fromState({ a: 1, a__sum: 2 }, 'a')).toThrow(
      'cannot restore avg state: field "a__count" of the table value should be a number, got nothing (field missing)',
    );
    expect(() => count().fromState({ n: 'x' }, 'n')).toThrow('field "n" of the table value should be a number, got string x');
    expect(count().fromState({ n: 5n }, 'n')).toBe(5);
    expect(() => distinctRoutes.fromState({}, 'r')).toThrow('no field "r__state"');
  });

  it('a reducer without merge says how to fix it when merged', () => {
    const noMerge = reducer<Telemetry, number>({
      init: () => 0,
      add: (a, e) => a + e.speed,
      state: { avroType: 'double', toState: (a) => a, fromState: (v) => v as number },
    });
    expect(noMerge.canMerge).toBe(false);
    expect(noMerge.resultAvroType).toBe('double');
    expect(fold(noMerge, [t(1), t(2)])).toBe(3);
    expect(() => noMerge.merge(1, 2)).toThrow('give it one to use it with session windows');
  });
});

describe('CompiledAggregates', () => {
  const aggs = new CompiledAggregates<Telemetry>({
    events: count(),
    avg_speed: avg((e) => e.speed),
    max_speed: max((e) => e.speed),
    passengers: sum((e) => e.passengers),
  });

  it('builds table values and their Avro fields, in map order', () => {
    const accs = aggs.init();
    aggs.add(accs, t(10, 2));
    aggs.add(accs, t(30, 5));
    expect(aggs.results(accs)).toEqual({ events: 2, avg_speed: 20, max_speed: 30, passengers: 7 });
    const value = aggs.toTableValue(accs);
    expect(Object.keys(value)).toEqual(['events', 'avg_speed', 'avg_speed__sum', 'avg_speed__count', 'max_speed', 'passengers']);
    expect(aggs.avroFields().map((f) => f.name)).toEqual(Object.keys(value));
    expect(aggs.fromTableValue(value)).toEqual(accs);
  });

  it('rejects a field that collides with another field’s state', () => {
    expect(() => new CompiledAggregates<Telemetry>({ a: avg((e) => e.speed), a__sum: sum((e) => e.speed) })).toThrow(
      'aggregate field "a__sum" is defined twice',
    );
    expect(() => new CompiledAggregates<Telemetry>({})).toThrow('at least one field');
  });
});
