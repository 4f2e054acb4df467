import { CODES, type LibrdKafkaError } from './rdkafka.js';

/** A record (or batch) larger than its topic, or the producer, accepts: retrying never helps. */
const TOO_LARGE: ReadonlySet<number> = new Set([CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE, CODES.ERRORS.ERR_RECORD_LIST_TOO_LARGE]);

/**
 * Whether retrying cannot fix the error: a record larger than its topic or
 * the producer accepts is refused again on every attempt.
 *
 * @example
 * ```ts
 * if (isPermanentProduceError(error)) throw error; // do not retry
 * ```
 */
export function isPermanentProduceError(error: KafkaClientError): boolean {
  return error.code !== undefined && TOO_LARGE.has(error.code);
}

/**
 * Turns a librdkafka callback error (a plain object) into a real `Error` that
 * keeps librdkafka's code and flags.
 *
 * @example
 * ```ts
 * admin.createTopic(spec, 10_000, (err) => (err ? reject(toKafkaError(err, 'create topic x')) : resolve()));
 * ```
 */
export function toKafkaError(error: LibrdKafkaError | Error, doing: string): KafkaClientError {
  if (error instanceof KafkaClientError) return error;
  const native = error as Partial<LibrdKafkaError> & Error;
  const code = typeof native.code === 'number' ? native.code : undefined;
  const fix = code !== undefined && TOO_LARGE.has(code) ? tooLargeFix(`${doing}: ${native.message}`) : '';
  return new KafkaClientError(`${doing}: ${native.message}${fix}`, {
    code,
    isRetriable: native.isRetriable === true,
    isFatal: native.isFatal === true,
    isTxnRequiresAbort: native.isTxnRequiresAbort === true,
  });
}

/** An error from librdkafka, with its numeric code and retry/abort flags. */
export class KafkaClientError extends Error {
  readonly code: number | undefined;
  readonly isRetriable: boolean;
  readonly isFatal: boolean;
  readonly isTxnRequiresAbort: boolean;

  constructor(message: string, flags: { code: number | undefined; isRetriable: boolean; isFatal: boolean; isTxnRequiresAbort: boolean }) {
    super(message);
    this.name = 'KafkaClientError';
    this.code = flags.code;
    this.isRetriable = flags.isRetriable;
    this.isFatal = flags.isFatal;
    this.isTxnRequiresAbort = flags.isTxnRequiresAbort;
  }
}

/** What to do about a record too large for its topic, naming the topic when the message does. */
function tooLargeFix(message: string): string {
  const topic = /ProduceRequest for (\S+) \[\d+\]/.exec(message)?.[1] ?? /(?:producing|delivering) to ([^\s:]+)/.exec(message)?.[1];
  const named = topic ?? '<topic>';
  return (
    ` — a record is larger than ${topic === undefined ? 'its topic' : `topic ${topic}`} accepts (its max.message.bytes), or than the producer sends` +
    ` (message.max.bytes); retrying will not help. Raise the topic's limit (kafka-configs --alter --entity-type topics --entity-name ${named}` +
    ` --add-config max.message.bytes=<bytes>) and restart, so Sluice reads the new limit at start-up; or raise the producer's with SLUICE_KAFKA_MESSAGE_MAX_BYTES`
  );
}
