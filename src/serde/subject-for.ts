/**
 * How a subject name is derived (Confluent's subject name strategies):
 * `topic` = TopicNameStrategy, `record` = RecordNameStrategy.
 *
 * @example
 * ```ts
 * const strategy: SubjectNameStrategy = 'topic';
 * ```
 */
export type SubjectNameStrategy = 'topic' | 'record';

/**
 * The registry subject for a topic's keys or values.
 *
 * - `topic` (default, Confluent's TopicNameStrategy): `<topic>-value` / `<topic>-key`;
 *   one schema lineage per topic, which is what compatibility checks assume.
 * - `record` (RecordNameStrategy): the record's fully qualified name, shared
 *   by every topic carrying that record type; needs `recordName`.
 *
 * @example
 * ```ts
 * subjectFor('bus.telemetry', 'value');                                 // 'bus.telemetry-value'
 * subjectFor('bus.route-stats.1m', 'key');                              // 'bus.route-stats.1m-key'
 * subjectFor('bus.telemetry', 'value', 'record', 'sluice.bus.BusTelemetry'); // 'sluice.bus.BusTelemetry'
 * ```
 */
export function subjectFor(
  topic: string,
  kind: 'value' | 'key',
  strategy: SubjectNameStrategy = 'topic',
  recordName?: string,
): string {
  if (strategy === 'topic') {
    if (topic === '') throw new Error('subjectFor: topic must not be empty');
    return `${topic}-${kind}`;
  }
  if (recordName === undefined || recordName === '') {
    throw new Error(`subjectFor: RecordNameStrategy needs the record's fully qualified name (topic '${topic}')`);
  }
  return recordName;
}
