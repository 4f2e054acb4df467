/**
 * Seed 002 (real-time traffic monitoring). Road sensors and probe vehicles
 * share one `traffic.readings` topic (`source` says which: the DSL cannot
 * merge two source topics into one aggregate yet). Per road segment, over
 * 5-minute windows advancing every minute: readings, average speed and the
 * vehicles the sensors counted (sql/004 derives the density in vehicles/km
 * from them). Congestion alerts (average below 25 km/h) are the view
 * `traffic_congestion_alerts` until a table can be continued as a stream;
 * reported accidents become the `traffic.accidents` stream and table.
 */
import { filter } from 'rxjs';
import { avg, count, hopping, postgres, sum, topology } from 'sluice';
import type { TrafficIncident, TrafficReading } from './types/schemas.js';

export default topology('traffic-monitoring')
  .source<TrafficReading>('traffic.readings', { schema: 'traffic-reading', eventTime: 'timestamp' })
  .validate('matched-segment', (r) => r.segment_id !== '' || 'segment_id is missing')
  .validate('plausible-speed', (r) => (r.speed_kmh >= 0 && r.speed_kmh <= 250) || `speed_kmh ${r.speed_kmh} outside 0..250`)
  .validate('vehicle-count', (r) => r.vehicle_count >= 0 || `negative vehicle_count ${r.vehicle_count}`)
  .deadLetter('traffic.dlq')
  .groupBy('by-segment', 'segment_id')
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
