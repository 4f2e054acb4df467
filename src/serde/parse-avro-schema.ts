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
 *   on values; the prototype is still an avsc class named after the record),
 *   and that class keeps avsc's static `type`, which `omitRecordMethods`
 *   drops: the PostgreSQL sink reads a record type's layout from it once
 *   instead of flattening every record.
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
  const type = avro.Type.forSchema(schema as avro.Schema, {
    assertLogicalTypes: options.strict === true,
    wrapUnions: 'never',
    omitRecordMethods: true,
    logicalTypes: { decimal: DecimalType },
  });
  tagRecordClasses(type, new Set());
  return type;
}

/** avsc's view of a type, as far as walking it goes. */
interface AvroTypeTree {
  readonly fields?: readonly { readonly type: unknown }[];
  readonly types?: readonly unknown[];
  readonly itemsType?: unknown;
  readonly valuesType?: unknown;
  readonly underlyingType?: unknown;
  readonly recordConstructor?: object;
}

function tagRecordClasses(type: unknown, seen: Set<unknown>): void {
  if (type === null || typeof type !== 'object' || seen.has(type)) return;
  seen.add(type);
  const t = type as AvroTypeTree;
  const ctor = t.recordConstructor;
  if (ctor && !Object.hasOwn(ctor, 'type')) Object.defineProperty(ctor, 'type', { value: type });
  for (const field of t.fields ?? []) tagRecordClasses(field.type, seen);
  for (const branch of t.types ?? []) tagRecordClasses(branch, seen);
  tagRecordClasses(t.itemsType, seen);
  tagRecordClasses(t.valuesType, seen);
  tagRecordClasses(t.underlyingType, seen);
}
