import {
  DEFAULT_DECODE_LIMITS, WIRE_HEADER_BYTES, WIRE_MAGIC_BYTE, WriterSchemaCache,
  type DecodeLimits, type DecodeResult, type SchemaRegistry,
} from '../serde/index.js';
import { errorText } from '../error-text.js';

/**
 * Decodes Confluent wire-format payloads with their own writer schema (the
 * id in the header), whatever topic they come from — no reader schema, so
 * every field the writer wrote is there. What `sluice consume` prints.
 * Like `AvroCodec`, I/O is per batch (`prepare`) and `decode` never throws
 * for bad bytes: it says why (`bad-magic`, `truncated`, `corrupt`,
 * `unknown-schema`, `unresolvable`, `too-large`).
 *
 * @example
 * ```ts
 * const decoder = new WriterSchemaDecoder(new HttpSchemaRegistry({ url }));
 * await decoder.prepare(batch.map((m) => m.value)); // RegistryUnavailableError on an outage
 * decoder.decode(batch[0].value);                   // { ok: true, value: { event_id: 'e1', … }, schemaId: 7 }
 * decoder.decode(Buffer.from('{"a":1}'));           // { ok: false, reason: 'bad-magic', message: 'first byte is 0x7b, …' }
 * ```
 */
export class WriterSchemaDecoder {
  readonly #writers: WriterSchemaCache;
  readonly #limits: DecodeLimits;

  constructor(registry: SchemaRegistry, limits: Partial<DecodeLimits> = {}) {
    this.#writers = WriterSchemaCache.for(registry);
    this.#limits = { ...DEFAULT_DECODE_LIMITS, ...limits };
  }

  /** Fetches the writer schemas of a batch's payloads not seen yet (payloads that are not wire format are skipped). */
  async prepare(buffers: readonly (Buffer | null | undefined)[]): Promise<void> {
    let ids: Set<number> | undefined;
    for (const buf of buffers) {
      if (buf && buf.length >= WIRE_HEADER_BYTES && buf[0] === WIRE_MAGIC_BYTE) (ids ??= new Set()).add(buf.readInt32BE(1));
    }
    if (ids) await this.#writers.load(ids);
  }

  /** The payload read with its writer schema; `prepare` must have seen it. */
  decode(buf: Buffer): DecodeResult<unknown> {
    if (buf.length === 0) return { ok: false, reason: 'truncated', message: 'empty payload' };
    if (buf[0] !== WIRE_MAGIC_BYTE) {
      return { ok: false, reason: 'bad-magic', message: `first byte is 0x${buf[0]!.toString(16).padStart(2, '0')}, expected 0x00 (Confluent wire format)` };
    }
    if (buf.length < WIRE_HEADER_BYTES) return { ok: false, reason: 'truncated', message: `payload of ${buf.length} bytes is shorter than the 5-byte header` };
    if (buf.length > this.#limits.maxRecordBytes) {
      return { ok: false, reason: 'too-large', message: `payload of ${buf.length} bytes is over the ${this.#limits.maxRecordBytes}-byte decode limit` };
    }
    const id = buf.readInt32BE(1);
    const writer = this.#writers.peek(id);
    if (writer === undefined) throw new Error(`WriterSchemaDecoder: schema id ${id} was not prepared; call prepare() with the batch first`);
    if (writer.kind === 'unknown') return { ok: false, reason: 'unknown-schema', message: writer.message };
    if (writer.kind === 'invalid') return { ok: false, reason: 'unresolvable', message: writer.message };
    if (writer.guard.required) {
      const refused = writer.guard.check(buf, WIRE_HEADER_BYTES, this.#limits);
      if (refused) return { ok: false, reason: refused.reason, message: refused.message };
    }
    try {
      const { value, offset } = writer.type.decode(buf, WIRE_HEADER_BYTES);
      if (offset < 0) {
        // As AvroCodec: the guard names a declared length past the limits (a huge string reads as too-large, not cut short).
        const why = writer.guard.check(buf, WIRE_HEADER_BYTES, this.#limits);
        return why ? { ok: false, reason: why.reason, message: why.message } : { ok: false, reason: 'truncated', message: `Avro body for schema id ${id} ends early` };
      }
      if (offset !== buf.length) return { ok: false, reason: 'corrupt', message: `${buf.length - offset} trailing byte(s) after the Avro body (schema id ${id})` };
      return { ok: true, value, schemaId: id };
    } catch (error) {
      return { ok: false, reason: 'corrupt', message: `invalid Avro body for schema id ${id}: ${errorText(error)}` };
    }
  }
}
