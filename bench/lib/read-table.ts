import { KafkaAdmin, PartitionReader } from '../../src/kafka/index.js';
import { rowId, type AggregateRow } from './oracle.js';
import { WireDecoder } from './wire-decoder.js';

interface RawRow {
  readonly key: string;
  readonly window_start: number;
  readonly count: number | bigint;
  readonly sum: number;
  readonly avg: number;
  readonly max: number;
}

/**
 * Reads a contender's table topic to its end (committed records only) and
 * keeps the last value per (key, window start) — what compaction would keep.
 * Values are decoded with their writer schema from the registry, whatever
 * extra fields a contender adds.
 *
 * @example
 * ```ts
 * const rows = await readTableTopic({ bootstrap, registryUrl, topic: 'bench.r1.sluice.table' });
 * ```
 */
export async function readTableTopic(options: { readonly bootstrap: string; readonly registryUrl: string; readonly topic: string }): Promise<{ rows: Map<string, AggregateRow>; records: number }> {
  const decoder = new WireDecoder(options.registryUrl);
  const admin = new KafkaAdmin({ 'bootstrap.servers': options.bootstrap });
  let partitions: number;
  try {
    partitions = (await admin.partitionCounts([options.topic])).get(options.topic) ?? 0;
  } finally {
    admin.close();
  }
  const reader = await PartitionReader.connect({ 'bootstrap.servers': options.bootstrap });
  const rows = new Map<string, AggregateRow>();
  let records = 0;
  try {
    for (let partition = 0; partition < partitions; partition++) {
      for await (const batch of reader.readToEnd(options.topic, partition, { batchSize: 10_000 })) {
        for (const message of batch) {
          const raw = await decoder.decode<RawRow>(message.value);
          if (!raw) continue;
          records += 1;
          const windowStart = Number(raw.window_start);
          rows.set(rowId(raw.key, windowStart), { key: raw.key, windowStart, count: Number(raw.count), sum: raw.sum, avg: raw.avg, max: raw.max });
        }
      }
    }
  } finally {
    await reader.close();
  }
  return { rows, records };
}
