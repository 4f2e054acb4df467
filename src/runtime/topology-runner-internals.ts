import type { InputRecord } from './records.js';
import { partitionKey, type TopicPartitionRef } from './stream-transport.js';

/** Splits a poll's records by input partition, keeping each partition's order. */
export function groupByPartition(records: readonly InputRecord[]): Map<string, InputRecord[]> {
  const groups = new Map<string, InputRecord[]>();
  for (const record of records) {
    const key = partitionKey(record.topic, record.partition);
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return groups;
}


/** Appends without spreading (a spread of a large array can overflow the stack). */
export function pushAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}


/** `topic[partition]` for log lines. */
export function label(p: TopicPartitionRef): string {
  return `${p.topic}[${p.partition}]`;
}


/** An error's message, whatever was thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
