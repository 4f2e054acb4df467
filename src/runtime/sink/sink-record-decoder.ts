import { AvroCodec, type SchemaRegistry } from '../../serde/index.js';
import type { DecodeFailureReason } from '../../serde/index.js';
import type { SinkRecord } from '../../sinks/index.js';
import type { InputRecord } from '../records.js';
import type { SinkSource } from './sink-source.js';

/**
 * A record that could not be decoded, with the reason for its DLQ headers.
 *
 * @example
 * ```ts
 * const u: UndecodableRecord = { origin, reason: 'bad-magic', message: 'first byte is 0x6e, expected 0x00 (Confluent wire format)' };
 * ```
 */
export interface UndecodableRecord {
  readonly origin: InputRecord;
  readonly reason: DecodeFailureReason;
  readonly message: string;
}

/**
 * One poll, decoded: records for the sink, and the ones for the DLQ.
 *
 * @example
 * ```ts
 * const { records, undecodable } = await decoder.decode(polled); // records.length + undecodable.length === polled.length
 * ```
 */
export interface DecodedPoll {
  readonly records: SinkRecord[];
  readonly undecodable: UndecodableRecord[];
}

/**
 * Decodes a sink's input with the plan's schemas as reader schemas (writer
 * schemas by id from the registry, resolved into them). A `null` value is a
 * tombstone (`value: null`); bad bytes never throw, they come back in
 * `undecodable`. Only a registry outage rejects (`RegistryUnavailableError`):
 * retry the poll.
 *
 * @example
 * ```ts
 * const decoder = new SinkRecordDecoder(source, registry);
 * const { records, undecodable } = await decoder.decode(polled);
 * // records[0]: { topic: 'bus.route-stats.1m', partition: 0, offset: 12n,
 * //   key: { route_id: 'R1', window_start: 1763000040000 }, value: { route_id: 'R1', events: 3, … } }
 * ```
 */
export class SinkRecordDecoder {
  readonly #keys: AvroCodec<unknown> | undefined;
  readonly #values: AvroCodec<unknown>;

  constructor(source: SinkSource, registry: SchemaRegistry) {
    const topic = source.sink.topic;
    this.#keys = source.keySchema === undefined ? undefined : new AvroCodec({ registry, subject: `${topic}-key`, readerSchema: source.keySchema });
    this.#values = new AvroCodec({ registry, subject: `${topic}-value`, readerSchema: source.valueSchema });
  }

  async decode(polled: readonly InputRecord[]): Promise<DecodedPoll> {
    await this.#keys?.prepare(polled.map((r) => r.key));
    await this.#values.prepare(polled.map((r) => r.value));
    const records: SinkRecord[] = [];
    const undecodable: UndecodableRecord[] = [];
    for (const origin of polled) {
      let key: unknown = null;
      if (this.#keys) {
        const decoded = this.#keys.decode(origin.key);
        if (!decoded.ok) {
          undecodable.push({ origin, reason: decoded.reason, message: `key: ${decoded.message}` });
          continue;
        }
        key = decoded.value;
      } else if (origin.key !== null) {
        key = origin.key.toString('utf8');
      }
      let value: unknown = null;
      if (origin.value !== null) {
        const decoded = this.#values.decode(origin.value);
        if (!decoded.ok) {
          undecodable.push({ origin, reason: decoded.reason, message: decoded.message });
          continue;
        }
        value = decoded.value;
      }
      records.push({ topic: origin.topic, partition: origin.partition, offset: origin.offset, key, value, timestamp: origin.timestamp });
    }
    return { records, undecodable };
  }
}
