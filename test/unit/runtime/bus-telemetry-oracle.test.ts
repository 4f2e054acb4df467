import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { AvroCodec } from '../../../src/serde/index.js';
import { seededRandom } from '../../support/bus-workload.js';
import { busSchemas, busTelemetrySchema, busTelemetryTopology, type BusTelemetry } from '../../conformance/bus-telemetry-fixture.js';

type Kind = 'ok' | 'invalid' | 'late';
const T0 = Date.UTC(2025, 0, 1, 8, 0, 0);

/** 10 minutes of telemetry: 20 buses on 6 routes, jittered, with invalid and very late records. */
function generate(seed: number): { event: BusTelemetry; kind: Kind }[] {
  const rand = seededRandom(seed);
  const out: { event: BusTelemetry; kind: Kind }[] = [];
  for (let k = 0; k < 1200; k++) {
    const now = T0 + k * 500;
    const bus = Math.floor(rand() * 20);
    const roll = rand();
    const kind: Kind = roll < 0.03 ? 'invalid' : roll < 0.05 ? 'late' : 'ok';
    const timestamp = kind === 'late' ? now - 120_000 - Math.floor(rand() * 120_000) : now - Math.floor(rand() * 5_000);
    const speed = kind === 'invalid' ? (rand() < 0.5 ? -1 - Math.floor(rand() * 20) : 151 + Math.floor(rand() * 50)) : Math.round(rand() * 1200) / 10;
    out.push({
      kind,
      event: { bus_id: `bus-${bus}`, route_id: `R${bus % 6}`, speed_kmh: speed, passengers: Math.floor(rand() * 80), timestamp },
    });
  }
  return out;
}

interface Stats {
  events: number;
  sum: number;
  max: number;
  passengers: number;
}

/**
 * The oracle, written from DESIGN.md alone: validate 0..150, then a record is
 * late when its minute's end + 30 s grace <= the highest event time of the
 * valid records seen so far (itself included).
 */
function oracle(input: readonly { event: BusTelemetry }[]) {
  const windows = new Map<string, Stats & { route: string; start: number }>();
  const verdicts: ('ok' | 'invalid' | 'late')[] = [];
  let watermark = Number.NEGATIVE_INFINITY;
  for (const { event: e } of input) {
    if (!(e.speed_kmh >= 0 && e.speed_kmh <= 150)) {
      verdicts.push('invalid');
      continue;
    }
    watermark = Math.max(watermark, e.timestamp);
    const start = Math.floor(e.timestamp / 60_000) * 60_000;
    if (start + 60_000 + 30_000 <= watermark) {
      verdicts.push('late');
      continue;
    }
    verdicts.push('ok');
    const id = `${e.route_id}@${start}`;
    const w = windows.get(id) ?? { route: e.route_id, start, events: 0, sum: 0, max: Number.NEGATIVE_INFINITY, passengers: 0 };
    w.events++;
    w.sum += e.speed_kmh;
    w.max = Math.max(w.max, e.speed_kmh);
    w.passengers += e.passengers;
    windows.set(id, w);
  }
  return { windows, verdicts };
}

interface RouteStats {
  route_id: string;
  window_start: number;
  window_end: number;
  events: number;
  avg_speed: number;
  max_speed: number;
  passengers: number;
}

describe('bus telemetry (DESIGN.md) against an independent oracle', () => {
  test('aggregates, invalid and late records match on 3 partitions', async () => {
    const input = generate(20251122);
    const expected = oracle(input);
    // The generator is meant to produce every case; check it did.
    expect(input.filter((x) => x.kind === 'invalid').length).toBeGreaterThan(10);
    expect(expected.verdicts.filter((v) => v === 'late').length).toBeGreaterThan(10);
    expect(expected.verdicts.filter((v) => v === 'late').length).toBe(input.filter((x) => x.kind === 'late').length);

    const driver = new TopologyTestDriver(busTelemetryTopology, { schemas: busSchemas, partitions: 3 });
    const topic = driver.input<BusTelemetry>('bus.telemetry');
    for (const { event } of input) await topic.send(event, { key: event.bus_id });

    const rows = await driver.table<RouteStats>('bus.route-stats.1m').rows();
    const want = [...expected.windows.values()].sort((a, b) => (a.route < b.route ? -1 : a.route > b.route ? 1 : a.start - b.start));
    expect(rows.map((row) => [row.route_id, row.window_start, row.window_end, row.events, row.max_speed, row.passengers])).toEqual(
      want.map((w) => [w.route, w.start, w.start + 60_000, w.events, w.max, w.passengers]),
    );
    rows.forEach((row, i) => expect(row.avg_speed).toBeCloseTo(want[i]!.sum / want[i]!.events, 9));

    // Dead letters: the right records, with their reasons and their original bytes.
    const letters = await driver.deadLetters('bus.telemetry.dlq').records();
    const reader = new AvroCodec<BusTelemetry>({ registry: driver.registry, subject: 'bus.telemetry-value', readerSchema: busTelemetrySchema });
    await reader.prepare(letters.map((d) => d.value));
    const got = letters.map((d) => {
      const decoded = reader.decode(d.value);
      if (!decoded.ok) throw new Error(decoded.message);
      const original = driver.topics.read(d.source.topic, d.source.partition, d.source.offset)[0];
      expect(original?.value?.equals(d.value!)).toBe(true);
      return `${d.reason}/${d.step}/${decoded.value.bus_id}/${decoded.value.timestamp}`;
    });
    const wantLetters = input
      .map(({ event }, i) => ({ event, verdict: expected.verdicts[i]! }))
      .filter((x) => x.verdict !== 'ok')
      .map(({ event, verdict }) => `${verdict}/${verdict === 'invalid' ? 'ranges' : 'per-minute'}/${event.bus_id}/${event.timestamp}`);
    expect(got).toEqual(wantLetters);
    expect(driver.counters.late).toBe(expected.verdicts.filter((v) => v === 'late').length);
  });
});
