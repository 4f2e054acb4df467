import type { AvroField, FlatAccumulator } from './aggregator-spec.js';

const NO_FIELDS: readonly AvroField[] = Object.freeze([]);

/** For aggregators whose result field is their whole state. */
export function noStateFields(): readonly AvroField[] {
  return NO_FIELDS;
}

/**
 * Reads a numeric field from a table value. Avro `long` may decode as a
 * number or (with a long type override) a bigint; both are accepted.
 */
export function readNumber(record: Readonly<Record<string, unknown>>, field: string, aggregator: string): number {
  const value = record[field];
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  throw new Error(
    `cannot restore ${aggregator} state: field "${field}" of the table value should be a number, got ${describe(value)}`,
  );
}

/** Like {@link readNumber}, but `null` (the Avro union branch for "no value") is allowed. */
export function readNullableNumber(
  record: Readonly<Record<string, unknown>>,
  field: string,
  aggregator: string,
): number | null {
  return record[field] === null ? null : readNumber(record, field, aggregator);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing (field missing)' : `${typeof value} ${String(value)}`;
}

/**
 * A one-slot {@link FlatAccumulator} whose accumulator is the number itself
 * (`count`, `sum`): starts at 0, `add` folds a record into `slots[at]`.
 */
export function singleSlot<T>(add: (slots: Float64Array, at: number, record: T) => void): FlatAccumulator<T, number> {
  return Object.freeze({
    width: 1,
    init(slots: Float64Array, at: number) {
      slots[at] = 0;
    },
    add,
    read: (slots: Float64Array, at: number) => slots[at]!,
    write(slots: Float64Array, at: number, acc: number) {
      slots[at] = acc;
    },
  });
}
