/**
 * `sluice/state`: pure, I/O-free windowing and aggregation primitives.
 *
 * Deviations from the agreed contract (kept minimal):
 * - Session windows live in their own store, `SessionStore`
 *   (`new SessionStore(aggregates, { gapMs, graceMs })`), not in `WindowStore`:
 *   whether a session record is late depends on the sessions it merges with,
 *   so gap and grace are fixed at construction and `closeExpired()` /
 *   `closeIdle(now, idleMs)` take no grace. `upsertSession` returns `null`
 *   for a late record, else `{ entry, mergedAway }` (tombstone each of
 *   `mergedAway`). Session windows are `[start, end]` with `end` INCLUSIVE
 *   (the last event), like Kafka Streams; they close when
 *   `watermark > end + gap + grace`.
 * - `toMillis(d, what, { allowZero })` plus `toMillisAllowZero(d, what)`.
 * - `assignWindows` allocates; the per-record variant is
 *   `assignWindowsInto(spec, t, slots): count`, reusing window objects.
 *   Both throw for session specs.
 * - `upsert(groupKey, window, record, eventTimeMs?)`: the optional event time
 *   becomes the entry's `lastUpdated` (highest event time applied; stamp the
 *   table record with it; restore derives the watermark from it).
 * - `observe(eventTimeMs, nowWallMs?)`: the wall time enables
 *   `closeIdle(nowWallMs, idleMs, graceMs)`. Idle policy: after `idleMs`
 *   without records, event time flows at wall-clock speed from the last
 *   record (see `EventClock`).
 * - `restore(records, { graceMs, watermarkMs?, nowWallMs? })` takes table
 *   records `{ groupKey, window, value | null, timestamp }` in topic order.
 * - `reducer` stores its accumulator in `<field>__state`; it takes an optional
 *   `resultAvroType` (defaults to `state.avroType`). Aggregators also expose
 *   `canMerge`. `CompiledAggregates` (on `store.aggregates`) builds table
 *   values (`toTableValue`), their Avro fields (`avroFields`) and results.
 * - `avg` of no records is `NaN` (type stays `double`; windows are never empty).
 *
 * @example
 * ```ts
 * import { tumbling, assignWindows, WindowStore, count, avg } from '../state/index.js';
 * const store = new WindowStore({ events: count(), avg_speed: avg((e: { speed: number }) => e.speed) });
 * ```
 */
export { toMillis, toMillisAllowZero, type Duration, type ToMillisOptions } from './duration.js';
export type { Window } from './window.js';
export {
  tumbling,
  hopping,
  session,
  type WindowSpec,
  type TumblingWindowSpec,
  type HoppingWindowSpec,
  type SessionWindowSpec,
} from './window-spec.js';
export { assignWindows, assignWindowsInto, type MutableWindow } from './assign-windows.js';
export { isLateFor, closesAt } from './watermark.js';
export { EventClock } from './event-clock.js';
export type { AvroType, AvroField, AggregatorKind, AggregatorSpec, AnyAggregatorSpec } from './aggregators/aggregator-spec.js';
export { CompiledAggregates, type AggregateMap, type AggregateResult } from './aggregators/aggregate-map.js';
export { count } from './aggregators/count.js';
export { countWhere } from './aggregators/count-where.js';
export { sum, type SumOptions } from './aggregators/sum.js';
export { first } from './aggregators/first.js';
export { last } from './aggregators/last.js';
export type { OrderedPick, OrderedPickOptions } from './aggregators/ordered-pick-internals.js';
export { avg, type AvgAccumulator } from './aggregators/avg.js';
export { min } from './aggregators/min.js';
export { max } from './aggregators/max.js';
export { reducer, type ReducerDefinition, type ReducerState } from './aggregators/reducer.js';
export type { WindowEntry, ClosedWindow, RestoredWindow } from './window-entry.js';
export { WindowStore } from './window-store.js';
export type { RestoreOptions, WindowedStore } from './windowed-store.js';
export { SessionStore, type SessionStoreOptions, type SessionUpdate } from './session-store.js';
