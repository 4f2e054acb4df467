import type { Codec } from '../serde/index.js';

// How test topics are read back: shared by the TopologyTestDriver and the Kafka
// conformance suite, so both compare the same reading of a topic.

/**
 * Orders table keys field by field: numbers numerically, everything else as text.
 *
 * @example
 * ```ts
 * [{ k: 'b' }, { k: 'a' }].sort(compareKeys); // [{ k: 'a' }, { k: 'b' }]
 * ```
 */
export function compareKeys(a: Record<string, unknown>, b: Record<string, unknown>): number {
  for (const field of Object.keys(a)) {
    const x = a[field];
    const y = b[field];
    if (x === y) continue;
    if (typeof x === 'number' && typeof y === 'number') return x - y;
    return String(x) < String(y) ? -1 : 1;
  }
  return 0;
}

/**
 * Decodes a topic's values; records become plain objects (avsc decodes them as class instances).
 *
 * @example
 * ```ts
 * await decodeAll(codec, [buffer, null]); // [{ sensor: 'a', … }, null]
 * ```
 */
export async function decodeAll(codec: Codec<unknown>, buffers: readonly (Buffer | null)[]): Promise<unknown[]> {
  await codec.prepare(buffers);
  return buffers.map((b) => {
    if (b === null) return null;
    const result = codec.decode(b);
    if (!result.ok) throw new Error(`cannot decode a record of ${codec.subject}: ${result.message}`);
    // avsc decodes records as instances of generated classes; tests compare plain objects.
    const value = result.value;
    return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value) ? { ...value } : value;
  });
}
