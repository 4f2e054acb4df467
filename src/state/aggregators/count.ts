import type { AggregatorSpec } from './aggregator-spec.js';
import { noStateFields, readNumber, singleSlot } from './numeric-internals.js';

const COUNT_SLOTS = singleSlot((slots, at) => {
  slots[at]! += 1;
});

/**
 * Counts records. Result Avro type `long`; restores from its own result field.
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { events: count() }) // { events: 42 }
 * ```
 */
export function count<T = unknown>(): AggregatorSpec<T, number, number> {
  return Object.freeze({
    kind: 'count',
    resultAvroType: 'long',
    canMerge: true,
    init: () => 0,
    add: (acc: number) => acc + 1,
    merge: (a: number, b: number) => a + b,
    result: (acc: number) => acc,
    stateAvroFields: noStateFields,
    toState(acc: number, fieldName: string, into: Record<string, unknown>) {
      into[fieldName] = acc;
    },
    fromState: (record: Readonly<Record<string, unknown>>, fieldName: string) => readNumber(record, fieldName, 'count'),
    flat: COUNT_SLOTS,
  });
}
