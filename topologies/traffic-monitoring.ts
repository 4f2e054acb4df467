/**
 * Seed 002 (real-time traffic monitoring). Road sensors publish interval
 * summaries on `traffic.road-sensors`, probe vehicles GPS fixes on
 * `traffic.vehicle-gps`; each is validated by its own rules, mapped to one
 * `TrafficReading` and merged. Per road segment, over 5-minute windows
 * advancing every minute: readings (sensor summaries and GPS fixes), average
 * speed and the vehicles the sensors counted (a GPS fix counts 0: a probe
 * measures speed, not flow; sql/004 derives the density in vehicles/km from
 * them). Congestion alerts (average below 25 km/h) are the view
 * `traffic_congestion_alerts` until a table can be continued as a stream;
 * reported accidents become the `traffic.accidents` stream and table.
 */
import { filter, map } from 'rxjs';
import { avg, count, hopping, postgres, sum, topology, type SchemaRef } from 'sluice';
import type { RoadSensorReading, TrafficIncident, VehicleGpsFix } from './types/schemas.js';

/** What both sources contribute to a segment's window, once merged. */
interface TrafficReading {
  segment_id: string;
  speed_kmh: number;
  /** Vehicles a sensor counted in its interval; 0 for a GPS fix. */
  vehicle_count: number;
  timestamp: number;
}

// The repartition topic holds the merged records: without it they would be
// written with the first source's schema (road-sensor), which they no longer
// fit. The record keeps the name the single-topic version wrote there
// (sluice.traffic.TrafficReading, with more fields): a stack that ran it holds
// that under the repartition subject, and the registry (BACKWARD) accepts
// fewer fields of the same record but refuses a record of another name.
const TRAFFIC_READING: SchemaRef = {
  type: 'record',
  name: 'TrafficReading',
  namespace: 'sluice.traffic',
  fields: [
    { name: 'segment_id', type: 'string' },
    { name: 'speed_kmh', type: 'double' },
    { name: 'vehicle_count', type: 'int' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

const t = topology('traffic-monitoring');

const gps = t
  .source<VehicleGpsFix>('traffic.vehicle-gps', { schema: 'vehicle-gps', eventTime: 'timestamp' })
  .validate('matched-segment', (g) => g.segment_id !== '' || 'segment_id is missing')
  .validate('plausible-gps-speed', (g) => (g.speed_kmh >= 0 && g.speed_kmh <= 250) || `speed_kmh ${g.speed_kmh} outside 0..250`)
  .deadLetter('traffic.dlq')
  .pipe('gps-as-reading', map((g): TrafficReading => ({ segment_id: g.segment_id, speed_kmh: g.speed_kmh, vehicle_count: 0, timestamp: g.timestamp })));

export default t
  .source<RoadSensorReading>('traffic.road-sensors', { schema: 'road-sensor', eventTime: 'timestamp' })
  .validate('plausible-sensor-speed', (s) => (s.avg_speed_kmh >= 0 && s.avg_speed_kmh <= 250) || `avg_speed_kmh ${s.avg_speed_kmh} outside 0..250`)
  .validate('vehicle-count', (s) => s.vehicle_count >= 0 || `negative vehicle_count ${s.vehicle_count}`)
  .deadLetter('traffic.dlq')
  .pipe(
    'sensor-as-reading',
    map((s): TrafficReading => ({ segment_id: s.segment_id, speed_kmh: s.avg_speed_kmh, vehicle_count: s.vehicle_count, timestamp: s.timestamp })),
  )
  .merge('all-readings', gps)
  .groupBy('by-segment', 'segment_id', { schema: TRAFFIC_READING })
  .window('5m-every-1m', hopping('5m', '1m'), { grace: '1m' })
  .aggregate('segment-stats', {
    readings: count(),
    avg_speed_kmh: avg((r) => r.speed_kmh),
    vehicles: sum((r) => r.vehicle_count),
  })
  .toTable('traffic.segment-stats.5m')
  .sink('segment-stats-pg', postgres({ table: 'traffic_segment_stats', key: ['segment_id', 'window_start'] }))

  .source<TrafficIncident>('traffic.incidents', { schema: 'traffic-incident', eventTime: 'timestamp' })
  .validate('plausible-incident', (i) => (i.severity >= 1 && i.severity <= 5) || `severity ${i.severity} outside 1..5`)
  .deadLetter('traffic.dlq')
  .pipe('accidents-only', filter((i) => i.incident_type === 'ACCIDENT'))
  .to('traffic.accidents')
  .sink('accidents-pg', postgres({ table: 'traffic_accidents', mode: 'insert-ignore', key: ['incident_id'] }));
