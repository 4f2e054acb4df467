import { EndTimeBuckets } from './end-time-buckets.js';

/** Slots allocated at first and kept at least after shrinking. */
export const MIN_CAPACITY = 1_024;
/** The end of a key's chain; what `find` returns for no window. */
export const NO_SLOT = -1;

/**
 * @internal The memory layout of {@link WindowStore}: every open window is a
 * *slot*, a number indexing flat arrays — start, end and last update in
 * `Float64Array`s, `width` numeric accumulators per slot in one
 * `Float64Array` (reducers keep an object in `objects`), the group key in an
 * array of strings and the next window of the same key in an `Int32Array`
 * (a key's windows form a short chain from one `Map` entry per key). Slots
 * also wait for their close in one bucket per end time. No object exists per
 * window. Freed slots are reused, and the arrays and the key map are rebuilt
 * smaller once fewer than a quarter of the slots are in use. The fields are
 * public for the store's hot path; only this class writes them.
 *
 * @example
 * ```ts
 * const slots = new WindowSlots(2, false);
 * const s = slots.create('route-7', 0, 60_000, 1_000);
 * slots.find('route-7', 0) === s; // true
 * slots.drain(0, 60_000, (slot) => console.log(slots.keys[slot])); // route-7
 * slots.open; // 0
 * ```
 */
export class WindowSlots {
  /** Group key → the first slot of its chain. */
  heads = new Map<string, number>();
  keys: (string | undefined)[] = [];
  starts = new Float64Array(0);
  ends = new Float64Array(0);
  updated = new Float64Array(0);
  next = new Int32Array(0);
  accs = new Float64Array(0);
  /** Accumulator objects of fields that are not flat (reducers), per slot; unused otherwise. */
  objects: (unknown[] | undefined)[] = [];
  /** Slots allocated (at least the open windows). */
  capacity = 0;
  /** Open windows. */
  open = 0;
  readonly endTimes = new EndTimeBuckets();
  private free = new Int32Array(0);
  private freeCount = 0;
  /** Slots ever handed out since the last rebuild (slot numbers below it are used or free). */
  private top = 0;

  constructor(
    /** Numeric accumulators per slot. */
    readonly width: number,
    private readonly hasObjects: boolean,
  ) {}

  /** The slot of (`groupKey`, `start`), or {@link NO_SLOT}. */
  find(groupKey: string, start: number): number {
    let slot = this.heads.get(groupKey) ?? NO_SLOT;
    while (slot !== NO_SLOT && this.starts[slot] !== start) slot = this.next[slot]!;
    return slot;
  }

  /** A new window at the end of its key's chain and in its end's bucket; accumulators left to the caller. */
  create(groupKey: string, start: number, end: number, lastUpdated: number): number {
    const slot = this.allocate();
    this.keys[slot] = groupKey;
    this.starts[slot] = start;
    this.ends[slot] = end;
    this.updated[slot] = lastUpdated;
    this.next[slot] = NO_SLOT;
    const head = this.heads.get(groupKey);
    if (head === undefined) {
      this.heads.set(groupKey, slot);
    } else {
      let tail = head;
      while (this.next[tail] !== NO_SLOT) tail = this.next[tail]!;
      this.next[tail] = slot;
    }
    this.endTimes.add(end, slot);
    this.open++;
    return slot;
  }

  /**
   * Closes the windows with `end + grace <= watermark`: calls `visit` with
   * each slot, ordered by end, then group key, then start, before freeing it.
   * Returns the number closed.
   */
  drain(graceMs: number, watermark: number, visit: (slot: number) => void): number {
    const keys = this.keys;
    const starts = this.starts;
    const closed = this.endTimes.drain(graceMs, watermark, (slots) => {
      slots.sort((a, b) => {
        const ka = keys[a]!;
        const kb = keys[b]!;
        return ka < kb ? -1 : ka > kb ? 1 : starts[a]! - starts[b]!;
      });
      for (const slot of slots) {
        visit(slot);
        this.remove(slot);
      }
    });
    if (closed > 0) this.shrinkIfSparse();
    return closed;
  }

  /** Empty arrays and maps of `capacity` slots (0: none at all). */
  reset(capacity: number): void {
    this.heads = new Map();
    this.keys = [];
    this.objects = [];
    this.starts = new Float64Array(capacity);
    this.ends = new Float64Array(capacity);
    this.updated = new Float64Array(capacity);
    this.next = new Int32Array(capacity);
    this.accs = new Float64Array(capacity * this.width);
    this.free = new Int32Array(capacity);
    this.freeCount = 0;
    this.top = 0;
    this.capacity = capacity;
    this.open = 0;
    this.endTimes.clear();
  }

  /** Unlinks a slot from its key's chain and frees it (its bucket is the caller's business). */
  private remove(slot: number): void {
    const key = this.keys[slot]!;
    const head = this.heads.get(key)!;
    const after = this.next[slot]!;
    if (head === slot) {
      if (after === NO_SLOT) this.heads.delete(key);
      else this.heads.set(key, after);
    } else {
      let prev = head;
      while (this.next[prev] !== slot) prev = this.next[prev]!;
      this.next[prev] = after;
    }
    this.keys[slot] = undefined;
    if (this.hasObjects) this.objects[slot] = undefined;
    this.free[this.freeCount++] = slot;
    this.open--;
  }

  private allocate(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    if (this.top === this.capacity) this.resize(Math.max(MIN_CAPACITY, this.capacity * 2));
    return this.top++;
  }

  /** Grows the slot arrays to `capacity`, keeping slot numbers. */
  private resize(capacity: number): void {
    const grow = <A extends Float64Array | Int32Array>(old: A, make: (n: number) => A, per = 1): A => {
      const grown = make(capacity * per);
      grown.set(old.subarray(0, Math.min(old.length, capacity * per)) as never);
      return grown;
    };
    this.starts = grow(this.starts, (n) => new Float64Array(n));
    this.ends = grow(this.ends, (n) => new Float64Array(n));
    this.updated = grow(this.updated, (n) => new Float64Array(n));
    this.next = grow(this.next, (n) => new Int32Array(n));
    this.accs = grow(this.accs, (n) => new Float64Array(n), this.width);
    this.free = grow(this.free, (n) => new Int32Array(n));
    this.capacity = capacity;
  }

  /**
   * Gives memory back once fewer than a quarter of the slots are in use:
   * copies the open windows into arrays (and a key map) sized for twice as
   * many, renumbering their slots. Maps and arrays that only grow would keep
   * the capacity of the busiest moment.
   */
  private shrinkIfSparse(): void {
    if (this.capacity <= MIN_CAPACITY || this.open * 4 >= this.capacity) return;
    const old = {
      heads: this.heads,
      objects: this.objects,
      starts: this.starts,
      ends: this.ends,
      updated: this.updated,
      next: this.next,
      accs: this.accs,
    };
    const width = this.width;
    this.reset(Math.max(MIN_CAPACITY, this.open * 2));
    for (const [key, head] of old.heads) {
      for (let slot = head; slot !== NO_SLOT; slot = old.next[slot]!) {
        const copy = this.create(key, old.starts[slot]!, old.ends[slot]!, old.updated[slot]!);
        this.accs.set(old.accs.subarray(slot * width, (slot + 1) * width), copy * width);
        if (old.objects[slot] !== undefined) this.objects[copy] = old.objects[slot];
      }
    }
  }
}
