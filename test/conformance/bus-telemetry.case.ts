import { defineCase, type ConformanceCase } from './conformance-case.js';
import { busSchemas, busTelemetryTopology, type BusTelemetry } from './bus-telemetry-fixture.js';

const T0 = 1_700_000_040_000; // a minute boundary
const bus = (bus_id: string, route_id: string, speed_kmh: number, passengers: number, at: number) => ({
  value: { bus_id, route_id, speed_kmh, passengers, timestamp: T0 + at } satisfies BusTelemetry,
  key: bus_id,
});

export const busTelemetryCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'bus telemetry (DESIGN.md): per-route minute stats; invalid and late records to the DLQ',
    topology: busTelemetryTopology,
    schemas: busSchemas,
    steps: [
      {
        send: 'bus.telemetry',
        records: [
          bus('b1', 'R1', 40, 10, 1_000),
          bus('b2', 'R1', 60, 20, 30_000),
          bus('b3', 'R2', 151, 5, 31_000), // invalid: over 150
          bus('b3', 'R2', 30, 5, 59_999),
          bus('b1', 'R1', 50, 12, 61_000), // next minute
          bus('b2', 'R1', 20, 8, 58_000), // out of order, within grace
        ],
      },
      { send: 'bus.telemetry', records: [bus('b4', 'R2', 80, 2, 95_000)] }, // watermark 95s closes minute 0 (60s + 30s)
      { send: 'bus.telemetry', records: [bus('b1', 'R1', 45, 9, 59_000)] }, // late
    ],
    expect: {
      tables: {
        'bus.route-stats.1m': [
          { route_id: 'R1', window_start: T0, window_end: T0 + 60_000, events: 3, avg_speed: 40, max_speed: 60, passengers: 38 },
          { route_id: 'R1', window_start: T0 + 60_000, events: 1, avg_speed: 50, max_speed: 50, passengers: 12 },
          { route_id: 'R2', window_start: T0, events: 1, avg_speed: 30, max_speed: 30, passengers: 5 },
          { route_id: 'R2', window_start: T0 + 60_000, events: 1, avg_speed: 80, max_speed: 80, passengers: 2 },
        ],
      },
      deadLetters: {
        'bus.telemetry.dlq': [
          { reason: 'invalid', step: 'ranges', message: 'speed_kmh out of range' },
          { reason: 'late', step: 'per-minute', source: { topic: 'bus.telemetry' } },
        ],
      },
      late: 1,
    },
  }),
];
