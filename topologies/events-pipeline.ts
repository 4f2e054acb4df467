/**
 * Seed 001 (Kafka → Postgres with a DLQ). Pydantic's "schema validation"
 * becomes Avro decoding (undecodable bytes are dead-lettered) plus the
 * business rules below; invalid events go to the 1-partition `events_dlq`
 * topic with their reason in the `sluice.error.*` headers, and from there
 * into the `dlq_events` table (one row per dead letter, identified by its
 * source topic, partition, offset and step). `raw_events` is idempotent on
 * `event_id` (insert-ignore), and `agg_events_minute` counts events per
 * minute and type. See topologies/events-pipeline.md.
 */
import { count, postgres, topology, tumbling } from 'sluice';
import type { AppEvent } from './types/schemas.js';

const EVENT_TYPES = new Set(['page_view', 'click', 'add_to_cart', 'purchase', 'signup']);

export default topology('events-pipeline')
  .source<AppEvent>('events', { schema: 'app-event', eventTime: 'timestamp' })
  .validate('known-type', (e) => EVENT_TYPES.has(e.event_type) || `unknown event_type "${e.event_type}"`)
  .validate('has-user', (e) => !!e.user_id || 'user_id is missing')
  .validate('priced-purchase', (e) => e.event_type !== 'purchase' || (e.amount ?? 0) > 0 || 'purchase without a positive amount')
  .deadLetter('events_dlq', { sink: ['dlq-pg', postgres({ table: 'dlq_events', mode: 'insert-ignore' })] })
  .split('fan-out', {
    raw: (s) => s.to('events.valid')
      .sink('raw-events-pg', postgres({ table: 'raw_events', mode: 'insert-ignore', key: ['event_id'] })),
    minutes: (s) => s
      .groupBy('by-type', 'event_type')
      .window('minute', tumbling('1m'), { grace: '30s' })
      .aggregate('type-counts', { events: count() })
      .toTable('events.per-minute')
      .sink('agg-pg', postgres({ table: 'agg_events_minute', key: ['event_type', 'window_start'] })),
  });
