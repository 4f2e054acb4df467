/**
 * Seed 000 (public-transport telemetry). The seed stores raw telemetry, then
 * a batch job reads the table every minute for averages and max speed; here
 * both happen in the stream: per route and minute, the event count, average
 * and top speed and the load (passengers are a head count on board, so they
 * are averaged and maxed, not summed). Metrics for Prometheus are the
 * runtime's job, not the topology's.
 */
import { avg, count, max, postgres, topology, tumbling } from 'sluice';
import type { BusTelemetry } from './types/schemas.js';

export default topology('bus-telemetry')
  .source<BusTelemetry>('bus.telemetry', { schema: 'bus-telemetry', eventTime: 'timestamp' })
  .validate('speed', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || `speed_kmh ${e.speed_kmh} outside 0..150`)
  .validate('load', (e) => (e.passengers >= 0 && e.passengers <= 200) || `passengers ${e.passengers} outside 0..200`)
  .validate('position', (e) => (Math.abs(e.latitude) <= 90 && Math.abs(e.longitude) <= 180) || 'position off the globe')
  .deadLetter('bus.telemetry.dlq')
  .split('fan-out', {
    raw: (s) => s.to('bus.telemetry.valid')
      .sink('telemetry-pg', postgres({ table: 'bus_telemetry', mode: 'insert-ignore', key: ['bus_id', 'timestamp'] })),
    stats: (s) => s
      .groupBy('by-route', 'route_id')
      .window('per-minute', tumbling('1m'), { grace: '30s' })
      .aggregate('route-stats', {
        events: count(),
        avg_speed_kmh: avg((e) => e.speed_kmh),
        max_speed_kmh: max((e) => e.speed_kmh),
        avg_passengers: avg((e) => e.passengers),
        max_passengers: max((e) => e.passengers),
      })
      .toTable('bus.route-stats.1m')
      .sink('route-stats-pg', postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] })),
  });
