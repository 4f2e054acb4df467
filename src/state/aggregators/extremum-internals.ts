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
  });
}
