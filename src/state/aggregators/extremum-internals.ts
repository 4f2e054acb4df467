import type { AggregatorSpec } from './aggregator-spec.js';
import { noStateFields, readNullableNumber } from './numeric-internals.js';

/** Shared by `min` and `max`; `wins(candidate, current)` says whether to replace. */
export function extremum<T>(
  kind: 'min' | 'max',
  f: (record: T) => number,
  wins: (candidate: number, current: number) => boolean,
): AggregatorSpec<T, number | null, number | null> {
  const pick = (a: number | null, b: number | null): number | null => {
    if (b === null || Number.isNaN(b)) return a;
    return a === null || wins(b, a) ? b : a;
  };
  return Object.freeze({
    kind,
    resultAvroType: ['null', 'double'] as const,
    canMerge: true,
    init: (): number | null => null,
    add: (acc: number | null, record: T) => pick(acc, f(record)),
    merge: pick,
    result: (acc: number | null) => acc,
    stateAvroFields: noStateFields,
    toState(acc: number | null, fieldName: string, into: Record<string, unknown>) {
      into[fieldName] = acc;
    },
    fromState: (record: Readonly<Record<string, unknown>>, fieldName: string) =>
      readNullableNumber(record, fieldName, kind),
    // One slot; NaN stands for null (no value yet): `add` ignores NaN values, so it never holds one otherwise.
    flat: Object.freeze({
      width: 1,
      init(slots: Float64Array, at: number) {
        slots[at] = Number.NaN;
      },
      add(slots: Float64Array, at: number, record: T) {
        const candidate = f(record);
        if (candidate === null || Number.isNaN(candidate)) return;
        const current = slots[at]!;
        if (Number.isNaN(current) || wins(candidate, current)) slots[at] = candidate;
      },
      read: (slots: Float64Array, at: number): number | null => {
        const value = slots[at]!;
        return Number.isNaN(value) ? null : value;
      },
      write(slots: Float64Array, at: number, acc: number | null) {
        slots[at] = acc === null ? Number.NaN : acc;
      },
    }),
  });
}
