import { avg, count, max, postgres, sum, topology, tumbling } from 'sluice';
import type { AvroRecordSchema } from '../../src/serde/avro-schema.js';

/** The bus-telemetry event of DESIGN.md. */
export interface BusTelemetry {
  bus_id: string;
  route_id: string;
  speed_kmh: number;
  passengers: number;
  timestamp: number;
}

/** Its Avro schema (inline, so the tests need no schema files). */
export const busTelemetrySchema: AvroRecordSchema = {
  type: 'record',
  name: 'BusTelemetry',
  namespace: 'sluice.test',
  fields: [
    { name: 'bus_id', type: 'string' },
    { name: 'route_id', type: 'string' },
    { name: 'speed_kmh', type: 'double' },
    { name: 'passengers', type: 'int' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

/** The schemas option every bus case passes to its driver. */
export const busSchemas = { 'bus-telemetry': busTelemetrySchema };

/** The DESIGN.md topology, as a user writes it. */
export const busTelemetryTopology = topology('bus-telemetry')
  .source<BusTelemetry>('bus.telemetry', { schema: 'bus-telemetry', eventTime: (e) => e.timestamp })
  .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
  .deadLetter('bus.telemetry.dlq')
  .groupBy('by-route', 'route_id')
  .window('per-minute', tumbling('1m'), { grace: '30s' })
  .aggregate('route-stats', {
    events: count(),
    avg_speed: avg((e) => e.speed_kmh),
    max_speed: max((e) => e.speed_kmh),
    passengers: sum((e) => e.passengers),
  })
  .toTable('bus.route-stats.1m')
  .sink('route-stats-pg', postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] }));
