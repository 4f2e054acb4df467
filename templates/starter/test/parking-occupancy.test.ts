// A unit test on Sluice's in-memory TopologyTestDriver: no Kafka, no registry, no database.
import { TopologyTestDriver } from 'sluice/testing';
import { expect, test } from 'vitest';
import parkingOccupancy from '../topologies/parking-occupancy.js';
import type { ParkingEvent } from '../topologies/types/schemas.js';

const MINUTE = 60_000;
const start = Date.UTC(2026, 0, 5, 8, 0, 0);

function event(n: number, lot: string, action: string, timestamp: number): ParkingEvent {
  return { event_id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, lot_id: lot, space_id: `A-${n % 40}`, action, timestamp };
}

test('counts cars in and out per lot and minute, and dead-letters unknown actions', async () => {
  const driver = new TopologyTestDriver(parkingOccupancy, { schemaDir: 'schemas' });
  const events = [
    event(1, 'lot-1', 'enter', start + 1_000),
    event(2, 'lot-1', 'enter', start + 2_000),
    event(3, 'lot-1', 'exit', start + 3_000),
    event(4, 'lot-2', 'enter', start + 4_000),
    event(5, 'lot-2', 'park', start + 5_000),
    // A minute and a grace period later: the first minute's windows close.
    event(6, 'lot-1', 'exit', start + 2 * MINUTE),
  ];
  await driver.input<ParkingEvent>('parking.events').sendAll(events.map((e) => ({ key: e.lot_id, value: e, timestamp: e.timestamp })));

  const rows = await driver.table<{ lot_id: string; window_start: number; events: number; entered: number; exited: number }>('parking.lot-activity.1m').rows();
  const firstMinute = rows.filter((r) => r.window_start === start).sort((a, b) => a.lot_id.localeCompare(b.lot_id));
  expect(firstMinute.map(({ lot_id, events, entered, exited }) => ({ lot_id, events, entered, exited }))).toEqual([
    { lot_id: 'lot-1', events: 3, entered: 2, exited: 1 },
    { lot_id: 'lot-2', events: 1, entered: 1, exited: 0 },
  ]);

  const deadLetters = await driver.deadLetters('parking.events.dlq').records();
  expect(deadLetters.map((d) => [d.reason, d.step, d.message])).toEqual([['invalid', 'known-action', 'unknown action "park"']]);
});
