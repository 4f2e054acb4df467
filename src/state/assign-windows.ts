import type { Window } from './window.js';
import type { HoppingWindowSpec, TumblingWindowSpec, WindowSpec } from './window-spec.js';

/**
 * A reusable window slot for {@link assignWindowsInto}; mutated on every call.
 *
 * @example
 * ```ts
 * const slots: MutableWindow[] = []; // one per task, reused for every record
 * ```
 */
export interface MutableWindow {
  start: number;
  end: number;
}

/**
 * Start of the epoch-aligned window of `size` containing `t`; correct for negative
 * times too (JavaScript's `%` keeps the dividend's sign).
 */
function alignedStart(t: number, step: number): number {
  const rem = t % step;
  return rem < 0 ? t - rem - step : t - rem;
}

/**
 * The windows containing `eventTimeMs`, oldest first, as fresh objects.
 * Windows are half-open `[start, end)` and aligned to the epoch, like Kafka
 * Streams: a record exactly at `end` belongs to the next window. Session
 * windows depend on other records, so they are assigned by `SessionStore`.
 *
 * @example
 * ```ts
 * assignWindows(tumbling('1m'), 90_000);      // [{ start: 60000, end: 120000 }]
 * assignWindows(hopping('2m', '1m'), 90_000); // [{ start: 0, end: 120000 }, { start: 60000, end: 180000 }]
 * ```
 */
export function assignWindows(spec: WindowSpec, eventTimeMs: number): readonly Window[] {
  const into: MutableWindow[] = [];
  const n = assignWindowsInto(spec, eventTimeMs, into);
  into.length = n;
  return into;
}

/**
 * Allocation-free {@link assignWindows} for the per-record path: writes the
 * windows into `into[0..n)`, reusing (mutating) the objects already there, and
 * returns `n`. Entries past `n` are left as they were. Copy a window before
 * keeping it (`WindowStore` does).
 *
 * @example
 * ```ts
 * const slots: MutableWindow[] = [];
 * const n = assignWindowsInto(hopping('2m', '1m'), 90_000, slots); // 2
 * for (let i = 0; i < n; i++) store.upsert(key, slots[i]!, record, 90_000);
 * ```
 */
export function assignWindowsInto(spec: WindowSpec, eventTimeMs: number, into: MutableWindow[]): number {
  if (!Number.isFinite(eventTimeMs)) {
    throw new Error(`event time must be a finite number of epoch milliseconds, got ${String(eventTimeMs)}`);
  }
  switch (spec.kind) {
    case 'tumbling':
      return assignTumbling(spec, eventTimeMs, into);
    case 'hopping':
      return assignHopping(spec, eventTimeMs, into);
    case 'session':
      throw new Error(
        'session windows depend on neighbouring records and cannot be assigned per record; use SessionStore.upsertSession',
      );
    default:
      return assertNever(spec);
  }
}

function assignTumbling(spec: TumblingWindowSpec, t: number, into: MutableWindow[]): number {
  const start = alignedStart(t, spec.sizeMs);
  write(into, 0, start, start + spec.sizeMs);
  return 1;
}

function assignHopping(spec: HoppingWindowSpec, t: number, into: MutableWindow[]): number {
  const { sizeMs, advanceMs } = spec;
  const last = alignedStart(t, advanceMs);
  // Windows start at multiples of advance in (t - size, t]; walk back from the newest.
  let first = last;
  while (first - advanceMs > t - sizeMs) first -= advanceMs;
  let n = 0;
  for (let start = first; start <= last; start += advanceMs) write(into, n++, start, start + sizeMs);
  return n;
}

function write(into: MutableWindow[], i: number, start: number, end: number): void {
  const slot = into[i];
  if (slot === undefined) {
    into[i] = { start, end };
  } else {
    slot.start = start;
    slot.end = end;
  }
}

function assertNever(value: never): never {
  throw new Error(`unknown window kind: ${JSON.stringify(value)}`);
}
