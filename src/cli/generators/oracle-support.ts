import type { GeneratedRecord } from './event-generator.js';

/**
 * What the dead-letter topic of a topology must hold: how many records per
 * reason, and the validation messages (sorted).
 *
 * @example
 * ```ts
 * const d: ExpectedDeadLetters = { invalid: 2, late: 1, messages: ['speed_kmh 187.5 outside 0..150', …] };
 * ```
 */
export interface ExpectedDeadLetters {
  readonly invalid: number;
  readonly late: number;
  readonly messages: readonly string[];
}

/**
 * A window `[start, end)` of one group key and the records it holds.
 *
 * @example
 * ```ts
 * const w: OracleWindow<Bus> = { key: 'R1', start: 0, end: 60_000, items: [bus] };
 * ```
 */
export interface OracleWindow<V> {
  readonly key: string;
  readonly start: number;
  readonly end: number;
  readonly items: V[];
}

/**
 * Dead letters from the labels the generator gave: `invalid` records with
 * their reasons; `late` ones only where the topology windows them.
 *
 * @example
 * ```ts
 * expectedDeadLetters(records, { windowed: true }); // { invalid: 3, late: 2, messages: [...] }
 * ```
 */
export function expectedDeadLetters<V>(records: readonly GeneratedRecord<V>[], options: { readonly windowed: boolean; readonly topic?: string }): ExpectedDeadLetters {
  const mine = options.topic === undefined ? records : records.filter((r) => r.topic === options.topic);
  const invalid = mine.filter((r) => r.kind === 'invalid');
  return {
    invalid: invalid.length,
    late: options.windowed ? mine.filter((r) => r.kind === 'late').length : 0,
    messages: invalid.map((r) => r.reason ?? '').sort(),
  };
}

/**
 * Groups values into windows, written independently of `src/state`: each
 * value lands in every window `[start, start + sizeMs)` with `start` a
 * multiple of `advanceMs` (tumbling: `advanceMs = sizeMs`) that contains it.
 *
 * @example
 * ```ts
 * windowsOf(events, (e) => e.route_id, (e) => e.timestamp, 60_000);
 * // [{ key: 'R1', start: 1700000040000, end: 1700000100000, items: [...] }, ...] sorted by key, start
 * ```
 */
export function windowsOf<V>(
  values: readonly V[],
  keyOf: (value: V) => string,
  timeOf: (value: V) => number,
  sizeMs: number,
  advanceMs: number = sizeMs,
): OracleWindow<V>[] {
  const windows = new Map<string, OracleWindow<V>>();
  for (const value of values) {
    const t = timeOf(value);
    const key = keyOf(value);
    const last = Math.floor(t / advanceMs) * advanceMs;
    for (let start = last; start > t - sizeMs; start -= advanceMs) {
      const id = `${key}\u0000${start}`;
      let w = windows.get(id);
      if (w === undefined) windows.set(id, (w = { key, start, end: start + sizeMs, items: [] }));
      w.items.push(value);
    }
  }
  return [...windows.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.start - b.start));
}

/**
 * The values of `records` of one kind set, optionally of one topic.
 *
 * @example
 * ```ts
 * valuesOf(records, ['valid']); // the values a window aggregates
 * ```
 */
export function valuesOf<V>(records: readonly GeneratedRecord<V>[], kinds: readonly GeneratedRecord<V>['kind'][], topic?: string): V[] {
  return records.filter((r) => kinds.includes(r.kind) && (topic === undefined || r.topic === topic)).map((r) => r.value);
}

/**
 * Keeps the first value per key, as `insert-ignore` into a primary key does.
 *
 * @example
 * ```ts
 * firstPerKey(events, (e) => e.event_id).length; // distinct event ids
 * ```
 */
export function firstPerKey<V>(values: readonly V[], keyOf: (value: V) => string): V[] {
  const seen = new Map<string, V>();
  for (const v of values) if (!seen.has(keyOf(v))) seen.set(keyOf(v), v);
  return [...seen.values()];
}

/** Mean of numbers (NaN for none). */
export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}
