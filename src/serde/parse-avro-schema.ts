import avro from 'avsc';
import type { AvroSchema } from './avro-schema.js';
import { DecimalType } from './decimal-type.js';

/**
 * Parses a schema into an avsc `Type`, the ONE place where Sluice chooses
 * avsc options, so every codec, registry and tool decodes alike:
 *
 * - unions are never wrapped: `["null","string"]` decodes to `null` or a
 *   string (generated types say `string | null`);
 * - `decimal` decodes to an exact string (see {@link DecimalType});
 * - `timestamp-millis`, `timestamp-micros`, `date`, `time-millis` decode to
 *   their underlying number (epoch millis, micros, days, millis);
 * - `uuid` decodes to its underlying string;
 * - records carry only their fields (`omitRecordMethods`: no `toBuffer` etc.
 *   on values; the prototype is still an avsc class named after the record).
 *
 * A logical type whose attributes are invalid (a decimal without precision)
 * falls back to its underlying type, as the Avro spec requires of readers;
 * `strict` throws instead, for schemas we author (`.avsc` files).
 *
 * Throws avsc's error for an invalid schema.
 *
 * @example
 * ```ts
 * const type = parseAvroSchema({ type: 'record', name: 'P', fields: [{ name: 'x', type: 'int' }] });
 * type.fromBuffer(type.toBuffer({ x: 1 })); // { x: 1 }
 * ```
 */
export function parseAvroSchema(schema: AvroSchema, options: { readonly strict?: boolean } = {}): avro.Type {
  return avro.Type.forSchema(schema as avro.Schema, {
    assertLogicalTypes: options.strict === true,
    wrapUnions: 'never',
    omitRecordMethods: true,
    logicalTypes: { decimal: DecimalType },
  });
}
