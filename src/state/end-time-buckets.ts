import { isLateFor } from './watermark.js';

/** The windows ending at one time, as slot numbers (in no particular order). */
interface Bucket {
  slots: Int32Array;
  size: number;
}

/**
 * Window slots grouped by their end time, with the end times in a min-heap:
 * what closes next is found in O(1), and closing touches only the buckets
 * that expired — one entry per distinct end time, not a heap node per window.
 *
 * @example
 * ```ts
 * const buckets = new EndTimeBuckets();
 * buckets.add(60_000, 0);
 * buckets.add(60_000, 1);
 * buckets.add(120_000, 2);
 * buckets.drain(30_000, 95_000, (slots) => console.log([...slots])); // [ 0, 1 ]
 * ```
 */
export class EndTimeBuckets {
  readonly #buckets = new Map<number, Bucket>();
  /** Min-heap of the end times that have a bucket. */
  readonly #heap: number[] = [];

  /** Files `slot` under `end`. */
  add(end: number, slot: number): void {
    let bucket = this.#buckets.get(end);
    if (bucket === undefined) {
      bucket = { slots: new Int32Array(16), size: 0 };
      this.#buckets.set(end, bucket);
      pushMin(this.#heap, end);
    } else if (bucket.size === bucket.slots.length) {
      const grown = new Int32Array(bucket.slots.length * 2);
      grown.set(bucket.slots);
      bucket.slots = grown;
    }
    bucket.slots[bucket.size++] = slot;
  }

  /** Forgets every slot. */
  clear(): void {
    this.#buckets.clear();
    this.#heap.length = 0;
  }

  /** How many slots have expired (`end + grace <= watermark`); O(expired end times). */
  expiredCount(graceMs: number, watermark: number): number {
    const heap = this.#heap;
    let expired = 0;
    // The expired end times are a subtree at the top of the heap: walk only into them.
    const stack = heap.length > 0 ? [0] : [];
    while (stack.length > 0) {
      const i = stack.pop()!;
      if (i >= heap.length || !isLateFor(heap[i]!, graceMs, watermark)) continue;
      expired += this.#buckets.get(heap[i]!)!.size;
      stack.push(2 * i + 1, 2 * i + 2);
    }
    return expired;
  }

  /**
   * Removes the expired buckets in end-time order, handing each one's slots
   * to `visit` (a fresh array the caller may sort). Returns the slots removed.
   */
  drain(graceMs: number, watermark: number, visit: (slots: number[]) => void): number {
    const heap = this.#heap;
    let drained = 0;
    while (heap.length > 0 && isLateFor(heap[0]!, graceMs, watermark)) {
      const end = popMin(heap);
      const bucket = this.#buckets.get(end)!;
      this.#buckets.delete(end);
      const slots = Array.from(bucket.slots.subarray(0, bucket.size));
      visit(slots);
      drained += slots.length;
    }
    return drained;
  }
}

function pushMin(heap: number[], value: number): void {
  let i = heap.length;
  heap.push(value);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent]! <= value) break;
    heap[i] = heap[parent]!;
    i = parent;
  }
  heap[i] = value;
}

function popMin(heap: number[]): number {
  const top = heap[0]!;
  const last = heap.pop()!;
  const n = heap.length;
  if (n === 0) return top;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && heap[right]! < heap[left]! ? right : left;
    if (heap[child]! >= last) break;
    heap[i] = heap[child]!;
    i = child;
  }
  heap[i] = last;
  return top;
}
