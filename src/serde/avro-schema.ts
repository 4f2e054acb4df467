/**
 * The JSON form of an Avro schema, as written in an `.avsc` file and as
 * exchanged with a Schema Registry.
 *
 * A schema is a type name (a primitive such as `"string"` or the name of a
 * named type defined earlier), a schema object, or a union (an array).
 * Extra attributes (`doc`, `aliases`, custom properties) are allowed on every
 * object, which is why each object type carries an index signature of
 * `unknown` rather than `any`.
 *
 * @example
 * ```ts
 * import type { AvroSchema } from 'sluice/serde';
 * const busTelemetry: AvroSchema = {
 *   type: 'record', name: 'BusTelemetry', namespace: 'sluice.bus',
 *   fields: [
 *     { name: 'bus_id', type: 'string' },
 *     { name: 'speed_kmh', type: 'double' },
 *     { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
 *   ],
 * };
 * ```
 */
export type AvroSchema = string | AvroSchemaObject | readonly AvroSchema[];

/**
 * Names of the Avro primitive types.
 *
 * @example
 * ```ts
 * const name: AvroPrimitiveName = 'double';
 * ```
 */
export type AvroPrimitiveName =
  | 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes' | 'string';

/**
 * Any schema object: a record, enum, array, map, fixed, or an annotated
 * primitive (e.g. `{ type: 'long', logicalType: 'timestamp-millis' }`).
 *
 * @example
 * ```ts
 * const ts: AvroSchemaObject = { type: 'long', logicalType: 'timestamp-millis' };
 * ```
 */
export type AvroSchemaObject =
  | AvroRecordSchema
  | AvroEnumSchema
  | AvroArraySchema
  | AvroMapSchema
  | AvroFixedSchema
  | AvroPrimitiveSchema;

/**
 * An Avro record schema.
 *
 * @example
 * ```ts
 * const r: AvroRecordSchema = { type: 'record', name: 'Point', fields: [{ name: 'x', type: 'int' }] };
 * ```
 */
export interface AvroRecordSchema {
  readonly type: 'record' | 'error';
  readonly name: string;
  readonly namespace?: string;
  readonly doc?: string;
  readonly aliases?: readonly string[];
  readonly fields: readonly AvroField[];
  readonly [attribute: string]: unknown;
}

/**
 * A field of a record schema. `default` is the JSON encoding of the default
 * value (for a union, a value of the union's first branch).
 *
 * @example
 * ```ts
 * const f: AvroField = { name: 'note', type: ['null', 'string'], default: null };
 * ```
 */
export interface AvroField {
  readonly name: string;
  readonly type: AvroSchema;
  readonly doc?: string;
  readonly default?: unknown;
  readonly aliases?: readonly string[];
  readonly order?: 'ascending' | 'descending' | 'ignore';
  readonly [attribute: string]: unknown;
}

/**
 * An Avro enum schema.
 *
 * @example
 * ```ts
 * const e: AvroEnumSchema = { type: 'enum', name: 'Status', symbols: ['OK', 'LATE'] };
 * ```
 */
export interface AvroEnumSchema {
  readonly type: 'enum';
  readonly name: string;
  readonly namespace?: string;
  readonly symbols: readonly string[];
  readonly default?: string;
  readonly [attribute: string]: unknown;
}

/**
 * An Avro array schema.
 *
 * @example
 * ```ts
 * const a: AvroArraySchema = { type: 'array', items: 'string' };
 * ```
 */
export interface AvroArraySchema {
  readonly type: 'array';
  readonly items: AvroSchema;
  readonly [attribute: string]: unknown;
}

/**
 * An Avro map schema (keys are always strings).
 *
 * @example
 * ```ts
 * const m: AvroMapSchema = { type: 'map', values: 'long' };
 * ```
 */
export interface AvroMapSchema {
  readonly type: 'map';
  readonly values: AvroSchema;
  readonly [attribute: string]: unknown;
}

/**
 * An Avro fixed schema.
 *
 * @example
 * ```ts
 * const f: AvroFixedSchema = { type: 'fixed', name: 'Md5', size: 16 };
 * ```
 */
export interface AvroFixedSchema {
  readonly type: 'fixed';
  readonly name: string;
  readonly namespace?: string;
  readonly size: number;
  readonly logicalType?: string;
  readonly [attribute: string]: unknown;
}

/**
 * A primitive written as an object, usually to carry a logical type.
 *
 * @example
 * ```ts
 * const price: AvroPrimitiveSchema = { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 };
 * ```
 */
export interface AvroPrimitiveSchema {
  readonly type: AvroPrimitiveName;
  readonly logicalType?: string;
  readonly [attribute: string]: unknown;
}
