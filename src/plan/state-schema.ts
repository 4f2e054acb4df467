import type { AvroRecordSchema, AvroSchema } from '../serde/avro-schema.js';
import { recordName } from './table-schemas.js';

/**
 * Why a tracked state's Avro schema cannot be a table value keyed by
 * `keyField`, or `undefined` when it can: it must be a record with `keyField`
 * as a string field (a logical type such as `uuid` on it is fine) (the table row carries its own key, as windowed rows do,
 * so a sink can land it without the Kafka key).
 *
 * @example
 * ```ts
 * stateSchemaProblem({ type: 'record', name: 'S', fields: [{ name: 'order_id', type: 'string' }] }, 'order_id'); // undefined
 * stateSchemaProblem('string', 'order_id'); // 'the state schema is not a record'
 * ```
 */
export function stateSchemaProblem(schema: AvroSchema, keyField: string): string | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema) || (schema as { type?: unknown }).type !== 'record') {
    return 'the state schema is not a record';
  }
  const field = (schema as AvroRecordSchema).fields.find((f) => f.name === keyField);
  if (field === undefined) return `the state schema has no field "${keyField}" (the key column)`;
  const type = field.type;
  const isString = type === 'string' || (typeof type === 'object' && type !== null && !Array.isArray(type) && (type as { type?: unknown }).type === 'string');
  if (!isString) return `the key column "${keyField}" of the state schema is not a string`;
  return undefined;
}

/**
 * Key schema of a tracked (non-windowed) table: the group key column alone,
 * so compaction keeps one record per key.
 *
 * @example
 * ```ts
 * trackedTableKeySchema('orders.state', 'order_id');
 * // { type: 'record', name: 'OrdersStateKey', namespace: 'sluice.table', fields: [{ name: 'order_id', type: 'string' }] }
 * ```
 */
export function trackedTableKeySchema(topic: string, keyField: string): AvroRecordSchema {
  return { type: 'record', name: `${recordName(topic)}Key`, namespace: 'sluice.table', fields: [{ name: keyField, type: 'string' }] };
}
