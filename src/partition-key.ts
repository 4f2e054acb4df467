/**
 * The key of a topic-partition in per-partition maps and sets:
 * `topic\u0000partition`. A NUL cannot occur in a Kafka topic name, so no two
 * partitions share a key; a string key lets a `Map` find a partition by value.
 *
 * @example
 * ```ts
 * partitionKey('bus.telemetry', 3);                         // 'bus.telemetry\u00003'
 * new Map([[partitionKey('in', 0), 7n]]).get(partitionKey('in', 0)); // 7n
 * ```
 */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

/**
 * A {@link partitionKey} as people read it, `topic[partition]`, for log lines
 * and error messages.
 *
 * @example
 * ```ts
 * partitionKeyLabel(partitionKey('bus.telemetry', 3)); // 'bus.telemetry[3]'
 * ```
 */
export function partitionKeyLabel(key: string): string {
  return `${key.replace('\u0000', '[')}]`;
}
