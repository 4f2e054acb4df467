import { filter, map } from 'rxjs';
import { avg, count, max, plan, reducer, sum, topology, tumbling, type Output } from 'sluice';
import { describe, expect, expectTypeOf, test } from 'vitest';
import type { BusTelemetry } from '../../conformance/bus-telemetry-fixture.js';

// These tests are checked by `npx tsc --noEmit`: each @ts-expect-error must
// be an error, and everything else must type-check.

const bus = () => topology('types').source<BusTelemetry>('bus.telemetry', { schema: 'bus-telemetry', eventTime: 'timestamp' });

describe('the record type flows through every step', () => {
  test('aggregate rows are inferred from the aggregator map and the key', () => {
    const table = bus()
      .deadLetter('dlq')
      .groupBy('by-route', 'route_id')
      .window('per-minute', tumbling('1m'), { grace: '30s' })
      .aggregate('route-stats', {
        events: count(),
        avg_speed: avg((e) => e.speed_kmh),
        max_speed: max((e) => e.speed_kmh),
        passengers: sum((e) => e.passengers),
      })
      .toTable('bus.route-stats.1m');
    expectTypeOf(table).toEqualTypeOf<
      Output<{
        route_id: string;
        window_start: number;
        window_end: number;
        events: number;
        avg_speed: number;
        max_speed: number | null;
        passengers: number;
      }>
    >();
    expect(plan(table).topology).toBe('types');
  });

  test('a wrong field name in an aggregator is a type error', () => {
    const windowed = bus().deadLetter('dlq').groupBy('by-route', 'route_id').window('w', tumbling('1m'));
    windowed.aggregate('ok', { s: sum((e) => e.speed_kmh) });
    // @ts-expect-error `speedd` is not a field of BusTelemetry
    windowed.aggregate('typo', { s: sum((e) => e.speedd) });
    expect(true).toBe(true);
  });

  test('event time must be a numeric field, a function or record-timestamp', () => {
    topology('t').source<BusTelemetry>('b', { schema: 'b', eventTime: 'timestamp' });
    topology('t').source<BusTelemetry>('b', { schema: 'b', eventTime: (e) => e.timestamp });
    topology('t').source<BusTelemetry>('b', { schema: 'b', eventTime: 'record-timestamp' });
    // @ts-expect-error bus_id is a string, not a time
    topology('t').source<BusTelemetry>('b', { schema: 'b', eventTime: 'bus_id' });
    // @ts-expect-error no such field
    topology('t').source<BusTelemetry>('b', { schema: 'b', eventTime: 'time' });
    expect(true).toBe(true);
  });

  test('pipe changes the record type like rxjs pipe', () => {
    const speeds = bus().pipe('speeds', filter((e) => e.speed_kmh > 0), map((e) => ({ id: e.bus_id, kmh: e.speed_kmh })));
    speeds.validate('fast', (s) => s.kmh < 200 || 'too fast');
    // @ts-expect-error the record no longer has speed_kmh
    speeds.validate('old-field', (s) => s.speed_kmh < 200 || 'too fast');
    // @ts-expect-error groupBy needs a string or number field of the record
    speeds.groupBy('by-nothing', 'route_id');
    expect(true).toBe(true);
  });

  test('groupBy with a function names the key column with `as`', () => {
    const rows = bus()
      .deadLetter('dlq')
      .groupBy('by-line', (e) => e.route_id.slice(0, 1), { as: 'line' })
      .window('w', tumbling('1m'))
      .aggregate('a', {
        n: count(),
        buses: reducer<BusTelemetry, string[], number>({
          init: () => [],
          add: (ids, e) => (ids.includes(e.bus_id) ? ids : [...ids, e.bus_id]),
          merge: (a, b) => [...new Set([...a, ...b])],
          result: (ids) => ids.length,
          resultAvroType: 'long',
          state: { avroType: { type: 'array', items: 'string' }, toState: (ids) => ids, fromState: (v) => v as string[] },
        }),
      })
      .toTable('lines');
    expectTypeOf(rows).toEqualTypeOf<Output<{ line: string; window_start: number; window_end: number; n: number; buses: number }>>();
    expect(true).toBe(true);
  });

  test('aggregate is only available after groupBy and window', () => {
    // Type-level only: these calls would throw at run time, so they are never made.
    const typeOnly = (): void => {
      // @ts-expect-error a stream has no aggregate(): group and window first
      bus().aggregate('a', { n: count() });
      // @ts-expect-error a grouped stream has no aggregate(): window first
      bus().groupBy('g', 'route_id').aggregate('a', { n: count() });
    };
    expect(typeof typeOnly).toBe('function');
    expect('aggregate' in bus()).toBe(false);
  });
});
