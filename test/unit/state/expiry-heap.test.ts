import { describe, expect, it } from 'vitest';
import { ExpiryHeap, type ExpiryNode } from '../../../src/state/expiry-heap.js';
import { randomInt, seededRandom } from './seeded-random.js';

describe('ExpiryHeap', () => {
  it('pops in (at, groupKey, start) order, matching a full sort (seed 13)', () => {
    const random = seededRandom(13);
    const heap = new ExpiryHeap<number>();
    const pushed: ExpiryNode<number>[] = [];
    const popped: ExpiryNode<number>[] = [];
    for (let i = 0; i < 5_000; i++) {
      if (heap.size > 0 && random() < 0.3) {
        popped.push(heap.pop()!);
        continue;
      }
      const node = { at: randomInt(random, 0, 50), groupKey: `k${randomInt(random, 0, 9)}`, start: randomInt(random, 0, 9), subject: i };
      pushed.push(node);
      heap.push(node);
    }
    while (heap.size > 0) popped.push(heap.pop()!);
    expect(heap.pop()).toBeUndefined();
    expect(popped).toHaveLength(pushed.length);
    // Drain order from a fresh heap is fully sorted.
    const fresh = new ExpiryHeap<number>();
    for (const n of pushed) fresh.push(n);
    const drained: ExpiryNode<number>[] = [];
    for (let n = fresh.pop(); n !== undefined; n = fresh.pop()) drained.push(n);
    const key = (n: ExpiryNode<number>) => [n.at, n.groupKey, n.start] as const;
    const sorted = [...pushed].sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0) || x[2] - y[2];
    });
    expect(drained.map(key)).toEqual(sorted.map(key));
  });
});
