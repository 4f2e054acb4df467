import { AvroTypes, type AvroValueType } from '../../serde/avro-field-types.js';
import type { AvroSchema } from '../../serde/avro-schema.js';
import { toSnakeCase } from '../column-names.js';

/**
 * The Avro schemas of the records a sink reads: a table's key and value
 * records, or a stream's value with a text key (`key` undefined).
 *
 * @example
 * ```ts
 * const schemas: SinkRecordSchemas = { key: plan.keySchema, value: tableValueSchema };
 * ```
 */
export interface SinkRecordSchemas {
  readonly key: AvroSchema | undefined;
  readonly value: AvroSchema;
}

/**
 * Where a column's value comes from and of what Avro type: a field the
 * record flattens to (snake_case, nested records joined with `_`, key fields
 * over value fields), or an explicit `from` path (`value.…`, `key.…`, or a
 * bare path looked up in the value, then the key). A stream's text key is a
 * `string`: the column `key`, or the sink's single key column where the
 * value has no such field. `undefined` when the column's source is unknown.
 *
 * @example
 * ```ts
 * const typeOf = avroColumnTypes({ key: undefined, value: busTelemetrySchema }, ['bus_id', 'timestamp']);
 * typeOf('speed_kmh', undefined);       // { kind: 'double', nullable: false }
 * typeOf('at', ['value', 'timestamp']); // { kind: 'long', logicalType: 'timestamp-millis', nullable: false }
 * ```
 */
export function avroColumnTypes(schemas: SinkRecordSchemas, keyColumns: readonly string[]): (column: string, from: readonly string[] | undefined) => AvroValueType | undefined {
  const valueTypes = new AvroTypes(schemas.value);
  const keyTypes = schemas.key === undefined ? undefined : new AvroTypes(schemas.key);
  const derived = new Map<string, AvroValueType>();
  for (const leaf of valueTypes.leaves(schemas.value) ?? []) derived.set(toSnakeCase(leaf.path.join('_')), leaf.type);
  if (schemas.key !== undefined && keyTypes !== undefined) {
    for (const leaf of keyTypes.leaves(schemas.key) ?? []) derived.set(toSnakeCase(leaf.path.join('_')), leaf.type);
  }
  const TEXT_KEY: AvroValueType = { kind: 'string', nullable: true };
  if (schemas.key === undefined) {
    if (!derived.has('key')) derived.set('key', TEXT_KEY);
    if (keyColumns.length === 1 && !derived.has(keyColumns[0]!)) derived.set(keyColumns[0]!, TEXT_KEY);
  }
  const inKey = (path: readonly string[]): AvroValueType | undefined =>
    schemas.key === undefined || keyTypes === undefined ? (path.length === 0 ? TEXT_KEY : undefined) : keyTypes.at(schemas.key, path);
  return (column, from) => {
    if (from === undefined) return derived.get(column);
    const [head, ...rest] = from;
    if (head === 'value') return valueTypes.at(schemas.value, rest);
    if (head === 'key') return inKey(rest);
    return valueTypes.at(schemas.value, from) ?? inKey(from);
  };
}
