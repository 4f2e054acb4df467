/**
 * Seed 003, the storage consumer ("persists events into a file; simulates an
 * audit log"): every decodable event, as received, into `order_events`,
 * idempotent on event_id. The copy to `order-events.audit` exists only
 * because a sink reads a topic the topology writes; a sink on the source
 * topic itself is a proposed DSL addition.
 */
import { postgres, topology } from 'sluice';
import type { OrderEvent } from './types/schemas.js';

export default topology('order-storage')
  .source<OrderEvent>('order-events', { schema: 'order-event', eventTime: 'timestamp' })
  .deadLetter('order-storage.dlq')
  .to('order-events.audit')
  .sink('order-events-pg', postgres({ table: 'order_events', mode: 'insert-ignore', key: ['event_id'] }));
