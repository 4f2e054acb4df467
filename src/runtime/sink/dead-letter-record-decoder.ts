import {
  DEFAULT_DECODE_LIMITS, WIRE_HEADER_BYTES, WIRE_MAGIC_BYTE, WriterSchemaCache, type DecodeLimits, type SchemaRegistry,
} from '../../serde/index.js';
import type { SinkRecord } from '../../sinks/index.js';
import { deadLetterRow } from './dead-letter-row.js';
import type { InputRecord } from '../records.js';
import { SinkRecordDecoder, type DecodedPoll } from './sink-record-decoder.js';
import type { SinkSource } from './sink-source.js';

/**
 * Turns one poll of a sink's topic into sink records (and the ones for the
 * sink's DLQ). Rejects only with `RegistryUnavailableError`: retry the poll.
 *
 * @example
 * ```ts
 * const decoder: SinkDecoder = sinkDecoderFor(source, registry);
 * const { records, undecodable } = await decoder.decode(polled);
 * ```
 */
export interface SinkDecoder {
  decode(polled: readonly InputRecord[]): Promise<DecodedPoll>;
}

/**
 * The decoder a sink's source needs: a {@link DeadLetterRecordDecoder} for a
 * dead-letter topic, a `SinkRecordDecoder` (the plan's schemas) otherwise.
 *
 * @example
 * ```ts
 * sinkDecoderFor(sinkSource(plan, 'dlq-pg', resolveSchema), registry); // DeadLetterRecordDecoder
 * ```
 */
export function sinkDecoderFor(source: SinkSource, registry: SchemaRegistry): SinkDecoder {
  return source.kind === 'dead-letter' ? new DeadLetterRecordDecoder(registry) : new SinkRecordDecoder(source, registry);
}

/**
 * Decodes a dead-letter topic into {@link DeadLetterRow} values, one per
 * record: nothing in a DLQ is itself undecodable, since its payload is
 * expected to be bad. Each value is decoded with its own writer schema (the
 * id in its Confluent header; a DLQ mixes the source's and repartition
 * topics' records) for `payload_json`; bytes that do not decode leave it
 * `null`. Records are keyed `null` and never tombstones, so a sink only
 * inserts.
 *
 * @example
 * ```ts
 * const { records } = await new DeadLetterRecordDecoder(registry).decode(polled);
 * records[0]?.value; // { source_topic: 'events', source_offset: 41n, reason: 'invalid', …, payload_json: { event_id: … } }
 * ```
 */
export class DeadLetterRecordDecoder implements SinkDecoder {
  readonly #writers: WriterSchemaCache;
  readonly #limits: DecodeLimits;

  constructor(registry: SchemaRegistry, limits: Partial<DecodeLimits> = {}) {
    this.#writers = WriterSchemaCache.for(registry);
    this.#limits = { ...DEFAULT_DECODE_LIMITS, ...limits };
  }

  async decode(polled: readonly InputRecord[]): Promise<DecodedPoll> {
    const ids = new Set<number>();
    for (const r of polled) {
      const id = schemaIdOf(r.value);
      if (id !== undefined) ids.add(id);
    }
    // An outage rejects here, before any row is built: a payload must not read as undecodable because the registry was down.
    await this.#writers.load(ids);
    const records: SinkRecord[] = polled.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      key: null,
      value: deadLetterRow(r, this.#decodeValue(r.value)),
      timestamp: r.timestamp,
    }));
    return { records, undecodable: [] };
  }

  /** The value read with its writer schema, or `undefined` when it does not decode. */
  #decodeValue(buf: Buffer | null): unknown {
    const id = schemaIdOf(buf);
    if (buf === null || id === undefined || buf.length > this.#limits.maxRecordBytes) return undefined;
    const writer = this.#writers.peek(id);
    if (writer?.kind !== 'ok') return undefined;
    if (writer.guard.required && writer.guard.check(buf, WIRE_HEADER_BYTES, this.#limits) !== undefined) return undefined;
    try {
      const { value, offset } = writer.type.decode(buf, WIRE_HEADER_BYTES);
      return offset === buf.length ? value : undefined;
    } catch {
      return undefined;
    }
  }
}

function schemaIdOf(buf: Buffer | null): number | undefined {
  return buf !== null && buf.length >= WIRE_HEADER_BYTES && buf[0] === WIRE_MAGIC_BYTE ? buf.readInt32BE(1) : undefined;
}
