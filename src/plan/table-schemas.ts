import type { AvroRecordSchema } from '../serde/avro-schema.js';
import type { CompiledAggregates } from '../state/index.js';

/**
 * Field names every table value has besides the key column and the aggregates.
 *
 * @example
 * ```ts
 * WINDOW_FIELDS.includes('window_start'); // true
 * ```
 */
export const WINDOW_FIELDS = ['window_start', 'window_end'] as const;

const TIMESTAMP = { type: 'long', logicalType: 'timestamp-millis' } as const;

/**
 * An Avro record name from a topic name: `bus.route-stats.1m` → `BusRouteStats1m`.
 *
 * @example
 * ```ts
 * recordName('bus.route-stats.1m'); // 'BusRouteStats1m'
 * ```
 */
export function recordName(topic: string): string {
  const name = topic
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
  return /^[A-Za-z_]/.test(name) ? name : `T${name}`;
}

/**
 * Key and value schemas of a table topic. The key is `{ <keyField>, window_start }`
 * (stable bytes, so compaction keeps one record per key and window); the value
 * repeats them, adds `window_end`, every aggregate result and the state fields
 * that restore the accumulators.
 *
 * @example
 * ```ts
 * tableSchemas('bus.route-stats.1m', 'route_id', new CompiledAggregates({ events: count() }));
 * // key:   { route_id: string, window_start: timestamp-millis }
 * // value: { route_id, window_start, window_end, events: long }
 * ```
 */
export function tableSchemas(
  topic: string,
  keyField: string,
  aggregates: CompiledAggregates<unknown>,
): { readonly key: AvroRecordSchema; readonly value: AvroRecordSchema } {
  const name = recordName(topic);
  const key: AvroRecordSchema = {
    type: 'record',
    name: `${name}Key`,
    namespace: 'sluice.table',
    fields: [
      { name: keyField, type: 'string' },
      { name: 'window_start', type: TIMESTAMP },
    ],
  };
  const value: AvroRecordSchema = {
    type: 'record',
    name,
    namespace: 'sluice.table',
    fields: [
      { name: keyField, type: 'string' },
      { name: 'window_start', type: TIMESTAMP },
      { name: 'window_end', type: TIMESTAMP },
      ...aggregates.avroFields().map((f) => ({ ...f, type: f.type as AvroRecordSchema['fields'][number]['type'] })),
    ],
  };
  return { key, value };
}
