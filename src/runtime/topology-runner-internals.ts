import type { InputRecord } from './records.js';
import { partitionKey } from '../partition-key.js';
import type { TopicPartitionRef } from './stream-transport.js';

/** Splits a poll's records by input partition, keeping each partition's order. */
export function groupByPartition(records: readonly InputRecord[]): Map<string, InputRecord[]> {
  const groups = new Map<string, InputRecord[]>();
  // A poll comes in runs of one partition: look the group up (a key string) only when the run changes.
  let group: InputRecord[] | undefined;
  let previous: InputRecord | undefined;
  for (const record of records) {
    if (group === undefined || previous === undefined || previous.partition !== record.partition || previous.topic !== record.topic) {
      const key = partitionKey(record.topic, record.partition);
      group = groups.get(key);
      if (group === undefined) groups.set(key, (group = []));
    }
    group.push(record);
    previous = record;
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

/** Re-exported for the runner's existing import; the helper lives in `src/error-text.ts`. */
export { errorText } from '../error-text.js';
