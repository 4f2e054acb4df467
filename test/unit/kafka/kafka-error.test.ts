import { describe, expect, it } from 'vitest';
import { isPermanentProduceError, KafkaClientError, toKafkaError } from '../../../src/kafka/kafka-error.js';
import { CODES } from '../../../src/kafka/rdkafka.js';
import { transactionFault } from '../../../src/kafka/transactional-producer.js';

const librdkafka = (code: number, message: string) => Object.assign(new Error(message), { code, isFatal: false, isRetriable: false, isTxnRequiresAbort: true });

describe('a record too large for its topic', () => {
  it('is a permanent fault, and its error names the topic and the fix', () => {
    // As librdkafka reports the broker's refusal when the transaction commits.
    const error = toKafkaError(
      librdkafka(CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE, 'ProduceRequest for events.dlq [0] with 1 message(s) failed: Broker: Message size too large'),
      'committing the transaction',
    );
    expect(isPermanentProduceError(error)).toBe(true);
    expect(transactionFault(error)).toBe('permanent');
    expect(error.message).toContain('topic events.dlq');
    expect(error.message).toContain('--entity-name events.dlq --add-config max.message.bytes=');
    expect(error.message).toContain('SLUICE_KAFKA_MESSAGE_MAX_BYTES');
    // As the producer's own check reports it at produce time.
    const local = toKafkaError(librdkafka(CODES.ERRORS.ERR_MSG_SIZE_TOO_LARGE, 'Broker: Message size too large'), 'producing to events.out');
    expect(local.message).toContain('--entity-name events.out');
  });

  it('other errors keep their message and stay retriable', () => {
    const error = toKafkaError(librdkafka(CODES.ERRORS.ERR__TRANSPORT, 'Local: Broker transport failure'), 'committing the transaction');
    expect(error.message).toBe('committing the transaction: Local: Broker transport failure');
    expect(isPermanentProduceError(error)).toBe(false);
    expect(transactionFault(error)).toBe('abortable');
    expect(error).toBeInstanceOf(KafkaClientError);
  });
});
