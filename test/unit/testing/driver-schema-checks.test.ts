import { count, topology, tumbling, TopologyDefinitionError } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';

// A schema named by string is resolved only when the driver starts, so plan() cannot check field
// names against it; the driver makes the check `sluice run` makes at start-up.
const PARKING = {
  type: 'record',
  name: 'ParkingEvent',
  fields: [
    { name: 'lot_id', type: 'string' },
    { name: 'action', type: 'string' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
} as const;

interface ParkingEvent {
  lot_id: string;
  action: string;
  timestamp: number;
}

function parking(groupField: string) {
  return topology('parking')
    .source<ParkingEvent>('parking.events', { schema: 'parking-event', eventTime: 'timestamp' })
    .groupBy('by-lot', groupField as 'lot_id')
    .window('minute', tumbling('1m'), { late: 'drop' })
    .aggregate('activity', { events: count() })
    .toTable('parking.activity');
}

describe('TopologyTestDriver checks field names against named schemas', () => {
  test('a misspelt groupBy field fails at the first send, naming the field and the closest one', async () => {
    const driver = new TopologyTestDriver(parking('lot_idd'), { schemas: { 'parking-event': PARKING } });
    const sent = driver.input<ParkingEvent>('parking.events').send({ lot_id: 'lot-1', action: 'enter', timestamp: 0 });
    await expect(sent).rejects.toBeInstanceOf(TopologyDefinitionError);
    const message = await sent.then(() => '', (e: Error) => e.message);
    expect(message).toContain('lot_idd');
    expect(message, message).toMatch(/did you mean .?lot_id/);
  });

  test('the right field runs', async () => {
    const driver = new TopologyTestDriver(parking('lot_id'), { schemas: { 'parking-event': PARKING } });
    await driver.input<ParkingEvent>('parking.events').send({ lot_id: 'lot-1', action: 'enter', timestamp: 1_000 });
    expect((await driver.table<{ lot_id: string; events: number }>('parking.activity').rows()).map((r) => [r.lot_id, r.events])).toEqual([['lot-1', 1]]);
  });
});
