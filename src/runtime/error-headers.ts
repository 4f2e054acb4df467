/**
 * Header names Sluice puts on dead-letter records (and propagates through
 * repartition topics, so a DLQ record names the record's original source).
 *
 * @example
 * ```ts
 * dlqRecord.headers[ERROR_HEADERS.reason]?.toString(); // 'late'
 * ```
 */
export const ERROR_HEADERS = Object.freeze({
  reason: 'sluice.error.reason',
  step: 'sluice.error.step',
  message: 'sluice.error.message',
  /**
   * On a dead letter cut to fit its topic (see `fitDeadLetter`): the original
   * value's length in bytes. The value kept is its first bytes, or none.
   */
  originalSize: 'sluice.error.original-size',
  /** The destination's error code (a PostgreSQL SQLSTATE) on records a sink refused. */
  code: 'sluice.error.code',
  sourceTopic: 'sluice.source.topic',
  sourcePartition: 'sluice.source.partition',
  sourceOffset: 'sluice.source.offset',
  /**
   * On repartition records: the source record's key (empty for none), so a
   * record dead-lettered after the repartition keeps its original key.
   */
  sourceKey: 'sluice.source.key',
  /** The original record's timestamp; the dead-letter record itself is stamped when it was dead-lettered. */
  sourceTimestamp: 'sluice.source.timestamp',
});

/**
 * Why a record went to the dead-letter topic: a decode failure
 * (`bad-magic`, `truncated`, `corrupt`, `unknown-schema`, `unresolvable`,
 * `too-large`; `too-large` also when the record's output — a `.to()` or
 * repartition record — is larger than its topic accepts), `invalid` (a
 * validate step said no), `late` (its windows had closed), `event-time` (no
 * usable event time), `error` (user code threw), `serialize` (the value does
 * not fit the output schema), `rejected` (a `track` step's `update` said the
 * record is impossible for its key's state, or a sink's destination refused
 * the row for good: constraint, value out of range).
 *
 * @example
 * ```ts
 * const r: DeadLetterReason = 'invalid';
 * ```
 */
export type DeadLetterReason =
  | 'bad-magic'
  | 'truncated'
  | 'corrupt'
  | 'unknown-schema'
  | 'unresolvable'
  | 'too-large'
  | 'invalid'
  | 'late'
  | 'event-time'
  | 'error'
  | 'serialize'
  | 'rejected'
  | 'state-full';
