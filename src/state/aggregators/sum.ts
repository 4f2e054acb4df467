import type { AggregatorSpec } from './aggregator-spec.js';
import { noStateFields, readNumber, singleSlot } from './numeric-internals.js';

/**
 * Options of {@link sum}.
 *
 * @example
 * ```ts
 * const o: SumOptions = { type: 'long' };
 * ```
 */
export interface SumOptions {
  /**
   * Avro type of the result: `double` (default) or `long`, the sum of whole
   * numbers (as Kafka Streams sums Longs), which lands in a `bigint` column.
   * With `long`, a record whose value is not a whole number (a fraction, NaN,
   * beyond ±2^53) is refused: the window step dead-letters it (reason
   * `invalid`, naming the field and the value) and updates no window with it.
   */
  readonly type?: 'double' | 'long';
}

/**
 * Sums `f(record)`; 0 for no records; restores from its own result field.
 * Result Avro type `double`, or `long` with `{ type: 'long' }` (see
 * {@link SumOptions}). A long sum is exact up to 2^53 (9·10^15); beyond, the
 * table value no longer encodes.
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { passengers: sum(e => e.passengers) })                   // { passengers: 311 } (double)
 * .aggregate('segment-stats', { vehicles: sum(r => r.vehicle_count, { type: 'long' }) }) // { vehicles: 311 } (long)
 * ```
 */
export function sum<T>(f: (record: T) => number, options: SumOptions = {}): AggregatorSpec<T, number, number> {
  const type = options.type ?? 'double';
  if (type !== 'double' && type !== 'long') {
    throw new Error(`sum(): unknown type ${JSON.stringify(type)}; use { type: 'double' } (the default) or { type: 'long' }`);
  }
  const spec: AggregatorSpec<T, number, number> = {
    kind: 'sum',
    resultAvroType: type,
    canMerge: true,
    init: () => 0,
    add: (acc: number, record: T) => acc + f(record),
    merge: (a: number, b: number) => a + b,
    result: (acc: number) => acc,
    stateAvroFields: noStateFields,
    toState(acc: number, fieldName: string, into: Record<string, unknown>) {
      into[fieldName] = acc;
    },
    fromState: (record: Readonly<Record<string, unknown>>, fieldName: string) => readNumber(record, fieldName, 'sum'),
    flat: singleSlot((slots, at, record: T) => {
      slots[at]! += f(record);
    }),
  };
  if (type === 'double') return Object.freeze(spec);
  return Object.freeze({
    ...spec,
    refuse(record: T): string | undefined {
      const value = f(record);
      return Number.isSafeInteger(value) ? undefined : `sum(…, { type: 'long' }) takes whole numbers, got ${String(value)}`;
    },
  });
}
