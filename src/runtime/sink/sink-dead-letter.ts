import { ERROR_HEADERS, type DeadLetterReason } from '../error-headers.js';
import type { InputRecord, OutputRecord } from '../records.js';

/**
 * The source record's own timestamp (epoch ms), kept on a sink's DLQ record whose timestamp is the dead-lettering time.
 *
 * @example
 * ```ts
 * Number(dlqRecord.headers[SOURCE_TIMESTAMP_HEADER]?.toString()); // 1763000040000
 * ```
 */
export const SOURCE_TIMESTAMP_HEADER = 'sluice.source.timestamp';

/**
 * Builds the dead-letter record of a record a sink could not store: the
 * original key, value and headers, plus Sluice's error headers
 * (`sluice.error.reason|step|message|code`, `sluice.source.topic|partition|offset|timestamp`).
 * The record is timestamped now (see {@link SOURCE_TIMESTAMP_HEADER}).
 *
 * @param step - the sink's name
 * @param code - the destination's error code (a SQLSTATE), when there is one
 * @example
 * ```ts
 * sinkDeadLetter(original, 'route-stats-pg.dlq', 'rejected', 'route-stats-pg', 'new row violates check constraint "speed_ok"', '23514');
 * // { topic: 'route-stats-pg.dlq', partition: undefined, key: original.key, value: original.value,
 * //   headers: { 'sluice.error.reason': <rejected>, 'sluice.error.code': <23514>, 'sluice.source.offset': <41>, … } }
 * ```
 */
export function sinkDeadLetter(
  origin: InputRecord,
  topic: string,
  reason: DeadLetterReason,
  step: string,
  message: string,
  code?: string,
  now: () => number = Date.now,
): OutputRecord {
  const headers: Record<string, Buffer> = {
    ...origin.headers,
    [ERROR_HEADERS.reason]: Buffer.from(reason),
    [ERROR_HEADERS.step]: Buffer.from(step),
    [ERROR_HEADERS.message]: Buffer.from(message),
    [ERROR_HEADERS.sourceTopic]: Buffer.from(origin.topic),
    [ERROR_HEADERS.sourcePartition]: Buffer.from(String(origin.partition)),
    [ERROR_HEADERS.sourceOffset]: Buffer.from(origin.offset.toString()),
    [SOURCE_TIMESTAMP_HEADER]: Buffer.from(String(origin.timestamp)),
  };
  if (code !== undefined) headers[ERROR_HEADERS.code] = Buffer.from(code);
  // Stamped now, not with the source's (event) time: retention then counts from the dead-lettering,
  // so replaying old data does not see its DLQ records deleted at the broker's next retention check.
  return { topic, partition: undefined, key: origin.key, value: origin.value, timestamp: now(), headers };
}
