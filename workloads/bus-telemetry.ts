import type { BusTelemetry } from '../topologies/types/schemas.js';
import type { EventGenerator, GeneratorOptions } from '../src/cli/generators/event-generator.js';
import { mixRecords } from '../src/cli/generators/mix-records.js';
import { round } from '../src/cli/generators/round.js';
import { expectedDeadLetters, firstPerKey, mean, valuesOf, windowsOf, type ExpectedDeadLetters } from '../src/cli/generators/oracle-support.js';
import { SeededRandom } from '../src/cli/generators/seeded-random.js';

/** Eight lines across Stockholm: a start, a heading, a length and how fast traffic lets buses go. */
const ROUTES = Array.from({ length: 8 }, (_, i) => ({
  id: `R${i + 1}`,
  lat: 59.33 + (i % 4) * 0.01 - 0.015,
  lon: 18.06 + Math.floor(i / 4) * 0.02 - 0.01,
  heading: (i * Math.PI) / 4,
  lengthKm: 8 + (i % 3) * 3,
  cruiseKmh: i < 5 ? 28 : 48, // inner-city lines crawl; the outer ones have bus lanes
}));
/** Each bus reports about every 8 s of event time: the fleet grows with the rate (at least 40 buses). */
const busesFor = (eventsPerSecond: number): number => Math.max(40, Math.round(eventsPerSecond * 8));
const CAPACITY = 90;

/** One route-minute as `bus_route_minute` must hold it. */
export interface BusRouteMinute {
  readonly route_id: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly events: number;
  readonly avg_speed_kmh: number;
  readonly max_speed_kmh: number;
  readonly avg_passengers: number;
  readonly max_passengers: number;
}

/**
 * What `bus-telemetry` must produce from a generated input.
 *
 * @example
 * ```ts
 * busTelemetryWorkload.oracle(records).routeMinutes[0]; // { route_id: 'R1', events: 31, avg_speed_kmh: 27.4, ... }
 * ```
 */
export interface BusTelemetryOracle {
  /** Rows of `bus_telemetry`: valid and late readings (late only matters to windows), first per (bus_id, timestamp). */
  readonly telemetry: readonly BusTelemetry[];
  readonly routeMinutes: readonly BusRouteMinute[];
  readonly deadLetters: ExpectedDeadLetters;
}

/**
 * 40 buses (more at high rates: one report per bus every ~8 s) on 8 routes: speeds follow the route's traffic with stops at
 * 0 km/h, passengers board and alight at stops, positions move along the
 * line. Keyed by bus_id. Invalid: impossible speed, load or position.
 * Late: a reading re-sent 3 minutes after the fact (window 1m + grace 30s).
 *
 * @example
 * ```ts
 * take(busTelemetryWorkload.records({ seed: 1, startMs, eventsPerSecond: 20, invalidRatio: 0.02, lateRatio: 0.01 }), 5);
 * ```
 */
export const busTelemetryWorkload: EventGenerator<BusTelemetry, BusTelemetryOracle> = {
  name: 'bus-telemetry',
  topologies: ['bus-telemetry'],
  topics: [{ name: 'bus.telemetry', partitions: 3, schema: 'bus-telemetry' }],
  records: (options: GeneratorOptions) => {
    const random = new SeededRandom(options.seed);
    const buses = Array.from({ length: busesFor(options.eventsPerSecond) }, (_, i) => ({
      id: `bus-${String(i + 1).padStart(3, '0')}`,
      route: ROUTES[i % ROUTES.length]!,
      progress: random.next(),
      direction: random.chance(0.5) ? 1 : -1,
      passengers: random.int(0, 40),
      lastMs: options.startMs,
    }));
    let turn = 0;
    return mixRecords<BusTelemetry>(options, random, {
      lateByMs: 180_000,
      next: (nowMs) => {
        const bus = buses[turn++ % buses.length]!;
        const atStop = random.chance(0.15);
        const speed = atStop ? 0 : Math.min(90, Math.max(3, random.gaussian(bus.route.cruiseKmh, 8)));
        if (atStop) bus.passengers = Math.min(CAPACITY, Math.max(0, bus.passengers + random.int(-8, 10)));
        bus.progress += (bus.direction * speed * ((nowMs - bus.lastMs) / 3_600_000)) / bus.route.lengthKm;
        if (bus.progress > 1 || bus.progress < 0) {
          bus.direction = -bus.direction; // end of the line: turn around
          bus.progress = Math.min(1, Math.max(0, bus.progress));
        }
        bus.lastMs = nowMs;
        const km = bus.progress * bus.route.lengthKm;
        const value: BusTelemetry = {
          bus_id: bus.id,
          route_id: bus.route.id,
          latitude: round(bus.route.lat + (km / 111) * Math.cos(bus.route.heading), 6),
          longitude: round(bus.route.lon + (km / 56) * Math.sin(bus.route.heading), 6),
          speed_kmh: round(speed, 1),
          passengers: bus.passengers,
          timestamp: nowMs - random.int(0, 1_000), // radio delay: slightly out of order
        };
        return { topic: 'bus.telemetry', key: bus.id, value, kind: 'valid' };
      },
      spoil: ({ value }) => {
        const fault = random.int(0, 3);
        if (fault < 2) {
          const speed = fault === 0 ? round(random.between(151, 400), 1) : -round(random.between(1, 30), 1);
          return { value: { ...value, speed_kmh: speed }, reason: `speed_kmh ${speed} outside 0..150` };
        }
        if (fault === 2) {
          const passengers = random.int(201, 999);
          return { value: { ...value, passengers }, reason: `passengers ${passengers} outside 0..200` };
        }
        return { value: { ...value, latitude: 0, longitude: 999 }, reason: 'position off the globe' };
      },
      age: ({ value }, byMs) => ({ ...value, timestamp: value.timestamp - byMs }),
    });
  },
  oracle: (records) => {
    const windowed = valuesOf(records, ['valid']);
    return {
      telemetry: firstPerKey(valuesOf(records, ['valid', 'late']), (e) => `${e.bus_id}@${e.timestamp}`),
      routeMinutes: windowsOf(windowed, (e) => e.route_id, (e) => e.timestamp, 60_000).map((w) => ({
        route_id: w.key,
        window_start: w.start,
        window_end: w.end,
        events: w.items.length,
        avg_speed_kmh: mean(w.items.map((e) => e.speed_kmh)),
        max_speed_kmh: Math.max(...w.items.map((e) => e.speed_kmh)),
        avg_passengers: mean(w.items.map((e) => e.passengers)),
        max_passengers: Math.max(...w.items.map((e) => e.passengers)),
      })),
      deadLetters: expectedDeadLetters(records, { windowed: true }),
    };
  },
};

export default busTelemetryWorkload;
