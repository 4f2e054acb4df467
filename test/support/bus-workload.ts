import type { AvroRecordSchema } from '../../src/serde/index.js';

/** A bus telemetry event, as in DESIGN.md's example topology. */
export interface BusEvent {
  bus_id: string;
  route_id: string;
  speed_kmh: number;
  passengers: number;
  timestamp: number;
}

export const busEventSchema: AvroRecordSchema = {
  type: 'record',
  name: 'BusEvent',
  namespace: 'dev.sluice.test',
  fields: [
    { name: 'bus_id', type: 'string' },
    { name: 'route_id', type: 'string' },
    { name: 'speed_kmh', type: 'double' },
    { name: 'passengers', type: 'int' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

/** Deterministic PRNG (mulberry32), so a seed always yields the same workload. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const T0 = 1_763_000_040_000; // a minute boundary

/**
 * `count` events over `routes` routes, event times advancing `stepMs` per
 * event with ±`jitterMs` of disorder; every `invalidEvery`-th event has an
 * impossible speed (it must land in the DLQ).
 */
export function busWorkload(options: { count: number; routes: number; seed: number; stepMs?: number; jitterMs?: number; invalidEvery?: number }): { key: string; value: BusEvent; invalid: boolean }[] {
  const random = seededRandom(options.seed);
  const step = options.stepMs ?? 50;
  const jitter = options.jitterMs ?? 5_000;
  const out: { key: string; value: BusEvent; invalid: boolean }[] = [];
  for (let i = 0; i < options.count; i++) {
    const route = Math.floor(random() * options.routes);
    const bus = `bus-${route}-${Math.floor(random() * 5)}`;
    const invalid = options.invalidEvery !== undefined && i % options.invalidEvery === options.invalidEvery - 1;
    const speed = invalid ? 200 + Math.floor(random() * 100) : Math.round(random() * 1200) / 10;
    const value: BusEvent = {
      bus_id: bus,
      route_id: `R${route}`,
      speed_kmh: speed,
      passengers: Math.floor(random() * 60),
      timestamp: T0 + i * step + Math.round((random() * 2 - 1) * jitter),
    };
    out.push({ key: bus, value, invalid });
  }
  return out;
}

/** Expected per-route, per-minute aggregates of the valid events (no event is late by construction). */
export interface RouteMinute {
  events: number;
  avg_speed: number;
  max_speed: number;
  passengers: number;
}

/** The oracle: computed from the generated input alone, independently of Sluice. */
export function busOracle(events: readonly { value: BusEvent; invalid: boolean }[]): Map<string, RouteMinute> {
  const sums = new Map<string, { events: number; speed: number; max: number; passengers: number }>();
  for (const { value, invalid } of events) {
    if (invalid) continue;
    const windowStart = Math.floor(value.timestamp / 60_000) * 60_000;
    const id = `${value.route_id}@${windowStart}`;
    const s = sums.get(id) ?? { events: 0, speed: 0, max: -Infinity, passengers: 0 };
    s.events += 1;
    s.speed += value.speed_kmh;
    s.max = Math.max(s.max, value.speed_kmh);
    s.passengers += value.passengers;
    sums.set(id, s);
  }
  const oracle = new Map<string, RouteMinute>();
  for (const [id, s] of sums) oracle.set(id, { events: s.events, avg_speed: s.speed / s.events, max_speed: s.max, passengers: s.passengers });
  return oracle;
}

/** Differences between a table read back from Kafka and the oracle; undefined when equal. */
export function compareRouteTable(
  table: ReadonlyMap<string, { key: Record<string, unknown>; value: Record<string, unknown> }>,
  oracle: ReadonlyMap<string, RouteMinute>,
): string | undefined {
  const actual = new Map<string, Record<string, unknown>>();
  for (const { key, value } of table.values()) {
    const route = (key.route_id ?? value.route_id) as string;
    const start = Number(key.window_start ?? value.window_start);
    actual.set(`${route}@${start}`, value);
  }
  const problems: string[] = [];
  for (const [id, expected] of oracle) {
    const got = actual.get(id);
    if (!got) problems.push(`missing ${id}`);
    else if (
      got.events !== expected.events ||
      got.passengers !== expected.passengers ||
      got.max_speed !== expected.max_speed ||
      Math.abs((got.avg_speed as number) - expected.avg_speed) > 1e-9
    ) {
      problems.push(`${id}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
    }
  }
  for (const id of actual.keys()) if (!oracle.has(id)) problems.push(`unexpected ${id}`);
  return problems.length === 0 ? undefined : `${problems.length} differences (oracle ${oracle.size} rows, table ${actual.size}): ${problems.slice(0, 5).join('; ')}`;
}
