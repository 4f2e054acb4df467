import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AvroRecordSchema } from '../../src/serde/index.js';
import { copyExamples } from './repo-examples.js';

/**
 * A topology a user adds to their project, as issue 18 describes it: parking
 * lots report bay events; a range check dead-letters impossible bays, and a
 * tumbling count per lot per minute follows. Its schema uses every Avro type
 * and the logical types, so whatever generates its records has to handle them.
 */
export const PARKING_SCHEMA: AvroRecordSchema = {
  type: 'record',
  name: 'ParkingEvent',
  namespace: 'user.parking',
  fields: [
    { name: 'lot_id', type: 'string' },
    { name: 'bay', type: 'int' },
    { name: 'kind', type: { type: 'enum', name: 'BayEvent', symbols: ['ARRIVAL', 'DEPARTURE', 'FAULT'] } },
    { name: 'plate', type: ['null', 'string'], default: null },
    { name: 'occupancy', type: 'double' },
    { name: 'battery', type: 'float' },
    { name: 'paid', type: 'boolean' },
    { name: 'visits', type: 'long' },
    { name: 'fee', type: { type: 'bytes', logicalType: 'decimal', precision: 6, scale: 2 } },
    { name: 'deposit', type: { type: 'fixed', name: 'Deposit', size: 4, logicalType: 'decimal', precision: 7, scale: 2 } },
    { name: 'sensor_id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'day', type: { type: 'int', logicalType: 'date' } },
    { name: 'opened_at', type: { type: 'int', logicalType: 'time-millis' } },
    { name: 'closed_at', type: { type: 'long', logicalType: 'time-micros' } },
    { name: 'seen_micros', type: { type: 'long', logicalType: 'timestamp-micros' } },
    { name: 'checksum', type: { type: 'fixed', name: 'Checksum', size: 4 } },
    { name: 'raw', type: 'bytes' },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'readings', type: { type: 'map', values: 'double' } },
    { name: 'vehicle', type: ['null', { type: 'record', name: 'Vehicle', fields: [{ name: 'plate', type: 'string' }, { name: 'length_m', type: 'float' }, { name: 'kind', type: 'BayEvent' }] }], default: null },
    { name: 'extra', type: ['null', 'long', 'string'], default: null },
    { name: 'nothing', type: 'null' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

/** Names a parking topology's topics, so a test on the shared broker can make its own. */
export interface ParkingTopics {
  readonly source: string;
  readonly dlq: string;
  readonly table: string;
}

export const PARKING_TOPICS: ParkingTopics = { source: 'parking.events', dlq: 'parking.events.dlq', table: 'parking.occupancy.1m' };

/** `topologies/<name>.ts` of the parking topology: validate the bay, group by lot, a tumbling count per minute. */
export function parkingTopologyFile(name = 'parking-occupancy', topics: ParkingTopics = PARKING_TOPICS): string {
  return `import { count, topology, tumbling } from 'sluice';

interface ParkingEvent { lot_id: string; bay: number; timestamp: number }

export default topology('${name}')
  .source<ParkingEvent>('${topics.source}', { schema: 'parking-event', eventTime: 'timestamp' })
  .validate('bay-range', (e) => (e.bay >= 1 && e.bay <= 400) || \`bay \${e.bay} outside 1..400\`)
  .deadLetter('${topics.dlq}')
  .groupBy('by-lot', 'lot_id')
  .window('per-minute', tumbling('1m'), { grace: '10s' })
  .aggregate('occupancy', { events: count() })
  .toTable('${topics.table}');
`;
}

/**
 * A project as a user would have it: a copy of the repository's examples
 * plus the parking topology and its schema.
 */
export function writeParkingProject(dir: string, name = 'parking-occupancy', topics: ParkingTopics = PARKING_TOPICS): void {
  copyExamples(dir);
  writeFileSync(join(dir, 'topologies', `${name}.ts`), parkingTopologyFile(name, topics));
  writeFileSync(join(dir, 'schemas', 'parking-event.avsc'), `${JSON.stringify(PARKING_SCHEMA, null, 2)}\n`);
}
