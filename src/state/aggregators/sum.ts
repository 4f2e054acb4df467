import type { AggregatorSpec } from './aggregator-spec.js';
import { noStateFields, readNumber, singleSlot } from './numeric-internals.js';

/**
 * Sums `f(record)`. Result Avro type `double`; 0 for no records; restores from
 * its own result field.
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { passengers: sum(e => e.passengers) }) // { passengers: 311 }
 * ```
 */
export function sum<T>(f: (record: T) => number): AggregatorSpec<T, number, number> {
  return Object.freeze({
    kind: 'sum',
    resultAvroType: 'double',
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
  });
}
