import { setTimeout as sleep } from 'node:timers/promises';
import { KafkaAdmin } from '../../src/kafka/index.js';

/**
 * Waits until a consumer group's committed offsets reach the input's end
 * offsets on every partition — the moment a contender that runs forever has
 * drained the topic (with exactly-once, its outputs are committed with them).
 *
 * @example
 * ```ts
 * await waitUntilDrained({ bootstrap, group: 'bench-sluice-r1', topic, partitions: 6, isAlive: () => true });
 * ```
 */
export async function waitUntilDrained(options: {
  readonly bootstrap: string;
  readonly group: string;
  readonly topic: string;
  readonly partitions: number;
  readonly isAlive: () => boolean;
  readonly timeoutMs?: number;
  readonly progress?: (committed: bigint, end: bigint) => void;
}): Promise<void> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': options.bootstrap }, { timeoutMs: 10_000 });
  const partitions = Array.from({ length: options.partitions }, (_, partition) => ({ topic: options.topic, partition }));
  const deadline = Date.now() + (options.timeoutMs ?? 3_600_000);
  try {
    const end = await admin.endOffsets(partitions);
    const endTotal = [...end.values()].reduce((a, b) => a + b, 0n);
    let lastReport = Date.now();
    for (;;) {
      if (!options.isAlive()) throw new Error(`the contender of group ${options.group} exited before draining ${options.topic}`);
      if (Date.now() > deadline) throw new Error(`group ${options.group} did not drain ${options.topic} in time`);
      const committed = await admin.committedOffsets(options.group, partitions).catch(() => new Map<string, bigint>());
      let done = true;
      let total = 0n;
      for (const [id, offset] of end) {
        const at = committed.get(id) ?? 0n;
        total += at;
        if (at < offset) done = false;
      }
      if (done) return;
      if (options.progress && Date.now() - lastReport > 10_000) {
        options.progress(total, endTotal);
        lastReport = Date.now();
      }
      await sleep(100);
    }
  } finally {
    admin.close();
  }
}
