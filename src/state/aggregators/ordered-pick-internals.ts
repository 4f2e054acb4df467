import type { AggregatorSpec, AvroField } from './aggregator-spec.js';
import { readNullableNumber } from './numeric-internals.js';

/**
 * A picked record's order (`by`) and value; `null` before any record.
 *
 * @example
 * ```ts
 * const acc: OrderedPick = { by: 1700000000000, value: 42.5 };
 * ```
 */
export type OrderedPick = { by: number; value: number } | null;

/**
 * Options of `first` and `last`.
 *
 * @example
 * ```ts
 * const o: OrderedPickOptions<Bus> = { by: (e) => e.timestamp };
 * ```
 */
export interface OrderedPickOptions<T> {
  /**
   * What orders the records, usually their event time. Not arrival order:
   * after a repartition that depends on how upstream partitions interleave,
   * and a restarted or merged window could not tell it.
   */
  readonly by: (record: T) => number;
}

/**
 * Shared by `first` and `last`: keeps the value of the record whose `by` wins
 * (`earlier` for first, later for last); on equal `by` the smaller value
 * (first) or the larger (last) wins, so the result does not depend on the
 * order records arrive in. Records whose `by` or value is not a number are
 * ignored. State: the result field and `<field>__by`.
 */
export function orderedPick<T>(kind: 'first' | 'last', f: (record: T) => number, options: OrderedPickOptions<T>): AggregatorSpec<T, OrderedPick, number | null> {
  if (typeof f !== 'function' || typeof options?.by !== 'function') {
    throw new Error(`${kind}(f, { by }): pass the value and what orders the records, e.g. ${kind}((e) => e.speed_kmh, { by: (e) => e.timestamp })`);
  }
  const sign = kind === 'first' ? -1 : 1;
  // Whether (by, value) replaces (currentBy, currentValue).
  const wins = (by: number, value: number, currentBy: number, currentValue: number): boolean =>
    by !== currentBy ? sign * (by - currentBy) > 0 : sign * (value - currentValue) > 0;
  const usable = (n: unknown): n is number => typeof n === 'number' && !Number.isNaN(n);
  const pick = (acc: OrderedPick, by: unknown, value: unknown): OrderedPick => {
    if (!usable(by) || !usable(value)) return acc;
    if (acc !== null && !wins(by, value, acc.by, acc.value)) return acc;
    if (acc === null) return { by, value };
    acc.by = by;
    acc.value = value;
    return acc;
  };
  const byField = (fieldName: string): string => `${fieldName}__by`;
  return Object.freeze({
    kind,
    resultAvroType: ['null', 'double'] as const,
    canMerge: true,
    init: (): OrderedPick => null,
    add: (acc: OrderedPick, record: T) => pick(acc, options.by(record), f(record)),
    merge: (a: OrderedPick, b: OrderedPick) => (b === null ? a : pick(a, b.by, b.value)),
    result: (acc: OrderedPick) => (acc === null ? null : acc.value),
    stateAvroFields: (fieldName: string): readonly AvroField[] => [{ name: byField(fieldName), type: ['null', 'double'] }],
    toState(acc: OrderedPick, fieldName: string, into: Record<string, unknown>) {
      into[fieldName] = acc === null ? null : acc.value;
      into[byField(fieldName)] = acc === null ? null : acc.by;
    },
    fromState(record: Readonly<Record<string, unknown>>, fieldName: string): OrderedPick {
      const value = readNullableNumber(record, fieldName, kind);
      const by = readNullableNumber(record, byField(fieldName), kind);
      return value === null || by === null ? null : { by, value };
    },
    // Two slots, order then value; NaN order stands for "no record yet" (records with a NaN order are ignored).
    flat: Object.freeze({
      width: 2,
      init(slots: Float64Array, at: number) {
        slots[at] = Number.NaN;
        slots[at + 1] = Number.NaN;
      },
      add(slots: Float64Array, at: number, record: T) {
        const by = options.by(record);
        const value = f(record);
        if (!usable(by) || !usable(value)) return;
        if (!Number.isNaN(slots[at]!) && !wins(by, value, slots[at]!, slots[at + 1]!)) return;
        slots[at] = by;
        slots[at + 1] = value;
      },
      read: (slots: Float64Array, at: number): OrderedPick => (Number.isNaN(slots[at]!) ? null : { by: slots[at]!, value: slots[at + 1]! }),
      write(slots: Float64Array, at: number, acc: OrderedPick) {
        slots[at] = acc === null ? Number.NaN : acc.by;
        slots[at + 1] = acc === null ? Number.NaN : acc.value;
      },
    }),
  });
}
