import type { InputRecord } from './records.js';

/**
 * The records of a task's input partitions as one sequence: each
 * partition's records stay in offset order, and the next record is always
 * taken from the partition whose next record has the lowest timestamp
 * (ties: the earlier partition in `partitions`). This is how Kafka Streams
 * picks a task's next record from its partition queues, so a stream merged
 * from two topics advances event time evenly instead of one topic at a time.
 *
 * @example
 * ```ts
 * interleaveByTimestamp([[a1000, a3000], [b2000]]).map((r) => r.timestamp); // [1000, 2000, 3000]
 * ```
 */
export function interleaveByTimestamp(partitions: readonly (readonly InputRecord[])[]): InputRecord[] {
  const filled = partitions.filter((p) => p.length > 0);
  if (filled.length <= 1) return [...(filled[0] ?? [])];
  const heads = filled.map(() => 0);
  const out: InputRecord[] = [];
  const total = filled.reduce((n, p) => n + p.length, 0);
  while (out.length < total) {
    let pick = -1;
    for (let i = 0; i < filled.length; i++) {
      const record = filled[i]![heads[i]!];
      if (record !== undefined && (pick < 0 || record.timestamp < filled[pick]![heads[pick]!]!.timestamp)) pick = i;
    }
    out.push(filled[pick]![heads[pick]!++]!);
  }
  return out;
}
