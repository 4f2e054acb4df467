import { partitionForKey } from '../runtime/murmur2.js';
import type { InputRecord, OutputRecord } from '../runtime/records.js';

/**
 * Kafka topics in memory: partitions of append-only records with offsets.
 * Keyed records are partitioned with Kafka's murmur2 default partitioner,
 * unkeyed ones round-robin.
 *
 * @example
 * ```ts
 * const topics = new InMemoryTopics(() => 3);
 * topics.append({ topic: 'a', partition: undefined, key: Buffer.from('k'), value: null, timestamp: 0, headers: {} });
 * topics.read('a', 0, 0n); // records of partition 0 from offset 0
 * ```
 */
export class InMemoryTopics {
  private readonly topics = new Map<string, InputRecord[][]>();
  private readonly roundRobin = new Map<string, number>();
  private readonly appendOrder = new Map<string, InputRecord[]>();

  constructor(private readonly partitionsOf: (topic: string) => number) {}

  /** The partitions of a topic (created on first use). */
  partitions(topic: string): InputRecord[][] {
    let parts = this.topics.get(topic);
    if (parts === undefined) {
      parts = Array.from({ length: this.partitionsOf(topic) }, () => []);
      this.topics.set(topic, parts);
    }
    return parts;
  }

  /** Appends a record; returns it with its partition and offset. */
  append(record: OutputRecord): InputRecord {
    const parts = this.partitions(record.topic);
    let partition = record.partition;
    if (partition === undefined) {
      if (record.key !== null) partition = partitionForKey(record.key, parts.length);
      else {
        const next = this.roundRobin.get(record.topic) ?? 0;
        this.roundRobin.set(record.topic, next + 1);
        partition = next % parts.length;
      }
    }
    const log = parts[partition];
    if (log === undefined) throw new Error(`topic ${record.topic} has no partition ${partition} (it has ${parts.length})`);
    const stored: InputRecord = {
      topic: record.topic,
      partition,
      offset: BigInt(log.length),
      timestamp: record.timestamp,
      key: record.key,
      value: record.value,
      headers: record.headers,
    };
    log.push(stored);
    let ordered = this.appendOrder.get(record.topic);
    if (ordered === undefined) this.appendOrder.set(record.topic, (ordered = []));
    ordered.push(stored);
    return stored;
  }

  /** Records of one partition from `offset` on. */
  read(topic: string, partition: number, offset: bigint): readonly InputRecord[] {
    return this.partitions(topic)[partition]?.slice(Number(offset)) ?? [];
  }

  /** Every record of a topic, in the order they were appended (across partitions). */
  all(topic: string): readonly InputRecord[] {
    return this.appendOrder.get(topic) ?? [];
  }
}
