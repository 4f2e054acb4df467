import type { AggregatorSpec } from './aggregator-spec.js';
import { noStateFields, readNumber, singleSlot } from './numeric-internals.js';

/**
 * Counts the records for which `predicate` holds (a conditional count).
 * Result Avro type `long`, 0 when none does; restores from its own result field.
 *
 * @example
 * ```ts
 * .aggregate('status-counts', { events: count(), web: countWhere((e) => e.source === 'WEB') })
 * // { events: 12, web: 5 }
 * ```
 */
export function countWhere<T>(predicate: (record: T) => boolean): AggregatorSpec<T, number, number> {
  if (typeof predicate !== 'function') {
    throw new Error('countWhere(predicate): pass a function of the record returning true for the records to count, e.g. countWhere((e) => e.source === \'WEB\')');
  }
  return Object.freeze({
    kind: 'countWhere',
    resultAvroType: 'long',
    canMerge: true,
    init: () => 0,
    add: (acc: number, record: T) => (predicate(record) ? acc + 1 : acc),
    merge: (a: number, b: number) => a + b,
    result: (acc: number) => acc,
    stateAvroFields: noStateFields,
    toState(acc: number, fieldName: string, into: Record<string, unknown>) {
      into[fieldName] = acc;
    },
    fromState: (record: Readonly<Record<string, unknown>>, fieldName: string) => readNumber(record, fieldName, 'countWhere'),
    flat: singleSlot((slots, at, record: T) => {
      if (predicate(record)) slots[at]! += 1;
    }),
  });
}
