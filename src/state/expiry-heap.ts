/**
 * A node: "at watermark `at` (+ grace), `subject` may close". Nodes are never
 * updated in place; when a window's deadline moves, the store pushes a new
 * node and the old one is recognised as stale when popped.
 */
export interface ExpiryNode<S> {
  readonly at: number;
  readonly groupKey: string;
  readonly start: number;
  readonly subject: S;
}

/**
 * Binary min-heap ordered by (at, groupKey, start): popping yields windows in
 * the deterministic close order (by end, then key), and checking whether
 * anything can close is O(1), so stores can call it on every record.
 *
 * @example
 * ```ts
 * const heap = new ExpiryHeap<string>();
 * heap.push({ at: 120000, groupKey: 'b', start: 60000, subject: 'x' });
 * heap.peek()?.at; // 120000
 * ```
 */
export class ExpiryHeap<S> {
  private readonly nodes: ExpiryNode<S>[] = [];

  get size(): number {
    return this.nodes.length;
  }

  peek(): ExpiryNode<S> | undefined {
    return this.nodes[0];
  }

  clear(): void {
    this.nodes.length = 0;
  }

  push(node: ExpiryNode<S>): void {
    const nodes = this.nodes;
    let i = nodes.length;
    nodes.push(node);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(node, nodes[parent]!)) break;
      nodes[i] = nodes[parent]!;
      i = parent;
    }
    nodes[i] = node;
  }

  pop(): ExpiryNode<S> | undefined {
    const nodes = this.nodes;
    const top = nodes[0];
    const last = nodes.pop();
    if (top === undefined || last === undefined || nodes.length === 0) return top;
    let i = 0;
    const n = nodes.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      const child = right < n && before(nodes[right]!, nodes[left]!) ? right : left;
      if (!before(nodes[child]!, last)) break;
      nodes[i] = nodes[child]!;
      i = child;
    }
    nodes[i] = last;
    return top;
  }
}

function before<S>(a: ExpiryNode<S>, b: ExpiryNode<S>): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.groupKey !== b.groupKey) return a.groupKey < b.groupKey;
  return a.start < b.start;
}
