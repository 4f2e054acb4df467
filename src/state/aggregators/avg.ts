import type { AggregatorSpec, AvroField } from './aggregator-spec.js';
import { readNumber } from './numeric-internals.js';

/**
 * Running sum and count; mutated in place on the per-record path.
 *
 * @example
 * ```ts
 * const acc: AvgAccumulator = { sum: 85, count: 2 }; // average 42.5
 * ```
 */
export interface AvgAccumulator {
  sum: number;
  count: number;
}

/**
 * Arithmetic mean of `f(record)`. Result Avro type `double` (`NaN` for no
 * records, which a window never has). The average alone cannot be carried on,
 * so the state is kept in two extra fields: `<field>__sum` (`double`) and
 * `<field>__count` (`long`).
 *
 * @example
 * ```ts
 * .aggregate('route-stats', { avg_speed: avg(e => e.speed_kmh) })
 * // table value: { avg_speed: 42.5, avg_speed__sum: 85, avg_speed__count: 2 }
 * ```
 */
export function avg<T>(f: (record: T) => number): AggregatorSpec<T, AvgAccumulator, number> {
  return Object.freeze({
    kind: 'avg',
    resultAvroType: 'double',
    canMerge: true,
    init: (): AvgAccumulator => ({ sum: 0, count: 0 }),
    add(acc: AvgAccumulator, record: T) {
      acc.sum += f(record);
      acc.count += 1;
      return acc;
    },
    merge(a: AvgAccumulator, b: AvgAccumulator) {
      a.sum += b.sum;
      a.count += b.count;
      return a;
    },
    result: (acc: AvgAccumulator) => (acc.count === 0 ? Number.NaN : acc.sum / acc.count),
    stateAvroFields: (fieldName: string): readonly AvroField[] => [
      { name: sumField(fieldName), type: 'double' },
      { name: countField(fieldName), type: 'long' },
    ],
    toState(acc: AvgAccumulator, fieldName: string, into: Record<string, unknown>) {
      into[sumField(fieldName)] = acc.sum;
      into[countField(fieldName)] = acc.count;
    },
    fromState: (record: Readonly<Record<string, unknown>>, fieldName: string): AvgAccumulator => ({
      sum: readNumber(record, sumField(fieldName), 'avg'),
      count: readNumber(record, countField(fieldName), 'avg'),
    }),
    flat: Object.freeze({
      width: 2,
      init(slots: Float64Array, at: number) {
        slots[at] = 0;
        slots[at + 1] = 0;
      },
      add(slots: Float64Array, at: number, record: T) {
        slots[at]! += f(record);
        slots[at + 1]! += 1;
      },
      read: (slots: Float64Array, at: number): AvgAccumulator => ({ sum: slots[at]!, count: slots[at + 1]! }),
      write(slots: Float64Array, at: number, acc: AvgAccumulator) {
        slots[at] = acc.sum;
        slots[at + 1] = acc.count;
      },
    }),
  });
}

// Written once per emitted row: the derived names are built once per field, not concatenated per row.
const stateNames = new Map<string, { readonly sum: string; readonly count: string }>();
const namesOf = (fieldName: string): { readonly sum: string; readonly count: string } => {
  let names = stateNames.get(fieldName);
  if (names === undefined) stateNames.set(fieldName, (names = { sum: `${fieldName}__sum`, count: `${fieldName}__count` }));
  return names;
};
const sumField = (fieldName: string): string => namesOf(fieldName).sum;
const countField = (fieldName: string): string => namesOf(fieldName).count;
