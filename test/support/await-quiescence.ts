import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaAdmin, PartitionReader, TopicPartition } from '../../src/kafka/index.js';
import { partitionKey } from '../../src/partition-key.js';

/** What {@link awaitQuiescence} watches. */
export interface QuiescenceTarget {
  readonly admin: KafkaAdmin;
  readonly reader: PartitionReader;
  readonly groupId: string;
  /** Every partition the group consumes: source and repartition topics. */
  readonly inputs: readonly TopicPartition[];
  /** Throws when the runner died: waiting on would only end at the deadline. */
  readonly alive: () => void;
  /** Last-record offsets already read, by partition and end offset; keep one per run to read each end once. */
  readonly lastRecords: Map<string, { end: bigint; next: bigint }>;
}

/**
 * Waits until a consumer group has processed everything its input
 * partitions hold, the way the test driver finishes a step before the next.
 *
 * "Processed" is judged from the broker, not from the runner's insides: no
 * input partition has an open transaction (its last stable offset equals its
 * high watermark), and no record visible under `read_committed` sits at or
 * after the group's committed offset. The committed offset can stay below
 * the end offset for good: the runner commits "last record + 1", and a
 * transactional topic (repartition) ends with a commit marker that takes an
 * offset but is never delivered — so the end offset alone cannot be the target.
 *
 * A round that looks quiescent is repeated once after a pause and must give
 * the same committed offsets (stable), so a checkpoint racing the first
 * look cannot end the wait early.
 *
 * @example
 * ```ts
 * await awaitQuiescence({ admin, reader, groupId: plan.applicationId, inputs, alive: () => {}, lastRecords: new Map() }, 60_000);
 * ```
 */
export async function awaitQuiescence(target: QuiescenceTarget, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let previous: string | undefined;
  let complaint = 'not checked yet';
  for (;;) {
    target.alive();
    const round = await lookOnce(target).catch((error: unknown) => ({ quiet: false, state: `check failed: ${String(error)}` }));
    if (round.quiet && round.state === previous) return;
    previous = round.quiet ? round.state : undefined;
    complaint = round.state;
    if (Date.now() > deadline) throw new Error(`group ${target.groupId} did not catch up with its input within ${timeoutMs} ms: ${complaint}`);
    await sleep(round.quiet ? 150 : 50);
  }
}

/** One look: quiet or not, and the offsets seen (compared between rounds, and quoted on timeout). */
async function lookOnce(target: QuiescenceTarget): Promise<{ quiet: boolean; state: string }> {
  const { admin, reader, groupId, inputs, lastRecords } = target;
  const stable = await admin.endOffsets(inputs, 'read_committed');
  const written = await admin.endOffsets(inputs, 'read_uncommitted');
  const committed = await admin.committedOffsets(groupId, inputs);
  const lines: string[] = [];
  const unsure: { p: TopicPartition; key: string; end: bigint; next: bigint }[] = [];
  let quiet = true;
  for (const p of inputs) {
    const key = partitionKey(p.topic, p.partition);
    const end = stable.get(key) ?? 0n;
    const hw = written.get(key) ?? 0n;
    const next = committed.get(key) ?? 0n;
    lines.push(`${p.topic}[${p.partition}] committed ${committed.get(key) ?? 'none'} / stable end ${end} / end ${hw}`);
    if (end < hw) quiet = false; // a transaction is open: its records are about to appear
    else if (next < end) unsure.push({ p, key, end, next });
  }
  // Between the commit and the end there may be only transaction markers, or records still to
  // process: only a read tells. Reads are slow, so only when nothing cheaper said "not yet", and
  // once per end offset (the last record before an end never changes).
  for (const { p, key, end, next } of quiet ? unsure : []) {
    let last = lastRecords.get(key);
    if (last?.end !== end) lastRecords.set(key, (last = { end, next: await nextAfterLastRecord(reader, p) }));
    if (next < last.next) quiet = false;
  }
  return { quiet, state: lines.join('; ') };
}

/** Offset of the partition's last visible (committed) record + 1; 0 when it has none. */
async function nextAfterLastRecord(reader: PartitionReader, p: TopicPartition): Promise<bigint> {
  // Conformance topics hold a handful of records: reading the partition is simpler than a seekable reader.
  let next = 0n;
  for await (const batch of reader.readToEnd(p.topic, p.partition)) {
    const last = batch[batch.length - 1];
    if (last !== undefined) next = BigInt(last.offset) + 1n;
  }
  return next;
}
