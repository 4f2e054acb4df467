import type { LibrdKafkaError } from './rdkafka.js';

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
  return new KafkaClientError(`${doing}: ${native.message}`, {
    code: typeof native.code === 'number' ? native.code : undefined,
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
