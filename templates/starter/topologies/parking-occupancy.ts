/**
 * Cars entering and leaving each parking lot, per minute. Events with an
 * unknown action are dead-lettered to parking.events.dlq with the reason;
 * the per-lot minute counts land in the compacted topic
 * parking.lot-activity.1m and, exactly once, in the lot_activity table.
 */
import { count, countWhere, postgres, topology, tumbling } from 'sluice';
import type { ParkingEvent } from './types/schemas.js';

const ACTIONS = new Set(['enter', 'exit']);

export default topology('parking-occupancy')
  .source<ParkingEvent>('parking.events', { schema: 'parking-event', eventTime: 'timestamp' })
  .validate('known-action', (e) => ACTIONS.has(e.action) || `unknown action "${e.action}"`)
  .deadLetter('parking.events.dlq')
  .groupBy('by-lot', 'lot_id')
  .window('minute', tumbling('1m'), { grace: '10s' })
  .aggregate('lot-activity', {
    events: count(),
    entered: countWhere((e) => e.action === 'enter'),
    exited: countWhere((e) => e.action === 'exit'),
  })
  .toTable('parking.lot-activity.1m')
  .sink('lot-activity-pg', postgres({ table: 'lot_activity', key: ['lot_id', 'window_start'] }));
