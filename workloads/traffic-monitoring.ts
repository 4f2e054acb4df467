import type { IncidentReporter, IncidentType, RoadSensorReading, TrafficIncident, VehicleGpsFix } from '../topologies/types/schemas.js';
import type { EventGenerator, GeneratedRecord, GeneratorOptions } from '../src/cli/generators/event-generator.js';
import { mixRecords } from '../src/cli/generators/mix-records.js';
import { expectedDeadLetters, firstPerKey, mean, valuesOf, windowsOf, type ExpectedDeadLetters } from '../src/cli/generators/oracle-support.js';
import { round } from '../src/cli/generators/round.js';
import { SeededRandom } from '../src/cli/generators/seeded-random.js';

/** A sensor summary, a GPS fix or an incident: the three source topics of `traffic-monitoring`. */
export type TrafficEvent = RoadSensorReading | VehicleGpsFix | TrafficIncident;

/** The topics, each keyed by `segment_id` (the two merged ones have as many partitions: co-partitioned). */
export const ROAD_SENSORS = 'traffic.road-sensors';
export const VEHICLE_GPS = 'traffic.vehicle-gps';
export const INCIDENTS = 'traffic.incidents';

/** Congestion threshold of the `traffic_congestion_alerts` view, km/h. */
export const CONGESTED_BELOW_KMH = 25;

const ROADS = [
  { road: 'A10', freeFlowKmh: 100 },
  { road: 'N7', freeFlowKmh: 70 },
  { road: 'RING', freeFlowKmh: 50 },
];
/** Probe vehicles: at least 60, more at high rates (a fix every ~15 s each). */
const vehiclesFor = (eventsPerSecond: number): number => Math.max(60, Math.round(eventsPerSecond * 15 * 0.75));

/** One row of `traffic_segment_stats` (without the derived density). */
export interface SegmentStats {
  readonly segment_id: string;
  readonly window_start: number;
  readonly window_end: number;
  readonly readings: number;
  readonly avg_speed_kmh: number;
  readonly vehicles: number;
}

/**
 * What `traffic-monitoring` must produce from a generated input.
 *
 * @example
 * ```ts
 * trafficMonitoringWorkload.oracle(records).congested; // windows of the traffic_congestion_alerts view
 * ```
 */
export interface TrafficMonitoringOracle {
  readonly segmentStats: readonly SegmentStats[];
  /** Rows of the `traffic_congestion_alerts` view. */
  readonly congested: readonly SegmentStats[];
  /** Rows of `traffic_accidents`. */
  readonly accidents: readonly TrafficIncident[];
  /** `traffic.dlq`: invalid sensor summaries, GPS fixes and incidents; late summaries and fixes. */
  readonly deadLetters: ExpectedDeadLetters;
}

const isSensor = (e: TrafficEvent): e is RoadSensorReading => 'sensor_id' in e;
const isGps = (e: TrafficEvent): e is VehicleGpsFix => 'vehicle_id' in e;
/** What a record contributes to its segment's windows (a GPS fix counts no vehicles), written apart from the topology's mapping. */
const contribution = (e: RoadSensorReading | VehicleGpsFix): { segment: string; speed: number; vehicles: number; at: number } =>
  isSensor(e) ? { segment: e.segment_id, speed: e.avg_speed_kmh, vehicles: e.vehicle_count, at: e.timestamp } : { segment: e.segment_id, speed: e.speed_kmh, vehicles: 0, at: e.timestamp };

/**
 * 12 road segments on three roads; each has a loop sensor reporting its
 * interval's vehicle count and mean speed on `traffic.road-sensors`, and 60+
 * probe vehicles send GPS fixes on `traffic.vehicle-gps`. Congestion builds
 * and clears per segment (the ring road jams); accidents are reported now
 * and then and slow their segment down. Sensor summaries and GPS fixes are
 * keyed by segment (an unmatched fix keeps the key it was sent with),
 * incidents by incident id. Invalid: an impossible speed, a negative count,
 * a fix not matched to a segment, a severity off the 1..5 scale. Late: a
 * summary or fix 10 minutes old (window 5m + grace 1m).
 *
 * @example
 * ```ts
 * take(trafficMonitoringWorkload.records(options), 5_000);
 * ```
 */
export const trafficMonitoringWorkload: EventGenerator<TrafficEvent, TrafficMonitoringOracle> = {
  name: 'traffic-monitoring',
  topologies: ['traffic-monitoring'],
  topics: [
    { name: ROAD_SENSORS, partitions: 3, schema: 'road-sensor' },
    { name: VEHICLE_GPS, partitions: 3, schema: 'vehicle-gps' },
    { name: INCIDENTS, partitions: 1, schema: 'traffic-incident' },
  ],
  records: (options: GeneratorOptions) => {
    const random = new SeededRandom(options.seed);
    const segments = ROADS.flatMap(({ road, freeFlowKmh }, r) =>
      Array.from({ length: 4 }, (_, i) => ({
        id: `${road}-${String(i + 1).padStart(2, '0')}`,
        freeFlowKmh,
        congestion: road === 'RING' ? 0.6 : 0.1,
        lat: 52.37 + r * 0.02 + i * 0.004,
        lon: 4.89 + i * 0.006 - r * 0.01,
      })),
    );
    const vehicles = Array.from({ length: vehiclesFor(options.eventsPerSecond) }, (_, i) => ({ id: `veh-${String(i + 1).padStart(4, '0')}`, segment: random.pick(segments) }));
    let sensorTurn = 0;
    let vehicleTurn = 0;
    const speedOn = (s: (typeof segments)[number], noise: number): number =>
      round(Math.max(2, random.gaussian(s.freeFlowKmh * (1 - 0.85 * s.congestion), noise)), 1);
    const reading = (nowMs: number): GeneratedRecord<TrafficEvent> => {
      for (const s of segments) s.congestion = Math.min(1, Math.max(0, s.congestion + random.gaussian(0, 0.01)));
      if (random.chance(0.25)) {
        const segment = segments[sensorTurn++ % segments.length]!;
        const value: RoadSensorReading = {
          sensor_id: `loop-${segment.id}`,
          segment_id: segment.id,
          interval_s: 30,
          // Flow drops as a segment jams: ~20 vehicles per 30 s interval when free.
          vehicle_count: Math.max(0, Math.round(random.gaussian(20 * (1 - 0.5 * segment.congestion), 3))),
          avg_speed_kmh: speedOn(segment, 3),
          timestamp: nowMs - random.int(0, 2_000),
        };
        return { topic: ROAD_SENSORS, key: segment.id, value, kind: 'valid' };
      }
      const vehicle = vehicles[vehicleTurn++ % vehicles.length]!;
      const segment = vehicle.segment;
      if (random.chance(0.05)) vehicle.segment = random.pick(segments); // drove on
      const value: VehicleGpsFix = {
        vehicle_id: vehicle.id,
        segment_id: segment.id,
        speed_kmh: speedOn(segment, 8),
        latitude: round(segment.lat + random.gaussian(0, 0.0005), 6),
        longitude: round(segment.lon + random.gaussian(0, 0.0005), 6),
        timestamp: nowMs - random.int(0, 2_000),
      };
      return { topic: VEHICLE_GPS, key: segment.id, value, kind: 'valid' };
    };
    const incident = (nowMs: number): GeneratedRecord<TrafficEvent> => {
      const segment = random.pick(segments);
      const incident_type = random.weighted<IncidentType>([['ACCIDENT', 4], ['BREAKDOWN', 3], ['HAZARD', 2], ['ROADWORK', 1]]);
      if (incident_type === 'ACCIDENT') segment.congestion = Math.min(1, segment.congestion + 0.5);
      const value: TrafficIncident = {
        incident_id: random.uuid(),
        segment_id: segment.id,
        incident_type,
        severity: random.weighted([[1, 3], [2, 4], [3, 3], [4, 1], [5, 0.5]]),
        reported_by: random.weighted<IncidentReporter>([['CAMERA', 3], ['DRIVER', 4], ['POLICE', 1], ['SENSOR', 2]]),
        latitude: segment.lat,
        longitude: segment.lon,
        timestamp: nowMs - random.int(0, 2_000),
      };
      return { topic: INCIDENTS, key: value.incident_id, value, kind: 'valid' };
    };
    return mixRecords<TrafficEvent>(options, random, {
      lateByMs: 600_000,
      next: (nowMs) => (random.chance(0.02) ? incident(nowMs) : reading(nowMs)),
      spoil: ({ value }) => {
        const impossibleSpeed = (): number => (random.chance(0.5) ? -round(random.between(1, 20), 1) : round(random.between(251, 600), 1));
        if (isSensor(value)) {
          if (random.chance(0.5)) {
            const vehicle_count = -random.int(1, 20);
            return { value: { ...value, vehicle_count }, reason: `negative vehicle_count ${vehicle_count}` };
          }
          const avg_speed_kmh = impossibleSpeed();
          return { value: { ...value, avg_speed_kmh }, reason: `avg_speed_kmh ${avg_speed_kmh} outside 0..250` };
        }
        if (isGps(value)) {
          if (random.chance(0.3)) return { value: { ...value, segment_id: '' }, reason: 'segment_id is missing' };
          const speed_kmh = impossibleSpeed();
          return { value: { ...value, speed_kmh }, reason: `speed_kmh ${speed_kmh} outside 0..250` };
        }
        const severity = random.pick([0, 6, 9, -1]);
        return { value: { ...value, incident_id: random.uuid(), severity }, reason: `severity ${severity} outside 1..5` };
      },
      age: ({ value }, byMs) => (isSensor(value) || isGps(value) ? { ...value, timestamp: value.timestamp - byMs } : undefined),
    });
  },
  oracle: (records) => {
    const sensors = valuesOf(records, ['valid'], ROAD_SENSORS).filter(isSensor);
    const fixes = valuesOf(records, ['valid'], VEHICLE_GPS).filter(isGps);
    const readings = [...sensors, ...fixes].map(contribution);
    const segmentStats = windowsOf(readings, (r) => r.segment, (r) => r.at, 300_000, 60_000).map((w) => ({
      segment_id: w.key,
      window_start: w.start,
      window_end: w.end,
      readings: w.items.length,
      avg_speed_kmh: mean(w.items.map((r) => r.speed)),
      vehicles: w.items.reduce((s, r) => s + r.vehicles, 0),
    }));
    const incidents = valuesOf(records, ['valid'], INCIDENTS).filter((e): e is TrafficIncident => !isSensor(e) && !isGps(e));
    return {
      segmentStats,
      congested: segmentStats.filter((s) => s.avg_speed_kmh < CONGESTED_BELOW_KMH),
      accidents: firstPerKey(incidents.filter((i) => i.incident_type === 'ACCIDENT'), (i) => i.incident_id),
      deadLetters: expectedDeadLetters(records, { windowed: true }),
    };
  },
};

export default trafficMonitoringWorkload;
