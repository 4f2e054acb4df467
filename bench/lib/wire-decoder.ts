import avro from 'avsc';
import { HttpSchemaRegistry } from '../../src/serde/index.js';

/**
 * Decodes Confluent wire-format values with their writer schema, fetched from
 * the registry once per schema id — whatever fields a contender's output has.
 *
 * @example
 * ```ts
 * const decoder = new WireDecoder(registryUrl);
 * const row = await decoder.decode<{ key: string }>(message.value); // undefined for a tombstone
 * ```
 */
export class WireDecoder {
  readonly #registry: HttpSchemaRegistry;
  readonly #types = new Map<number, avro.Type>();

  constructor(registry: string | HttpSchemaRegistry) {
    this.#registry = typeof registry === 'string' ? new HttpSchemaRegistry({ url: registry }) : registry;
  }

  /** The decoded value, or undefined when there is none (null, or shorter than the 5-byte header). */
  async decode<T>(value: Buffer | null | undefined): Promise<T | undefined> {
    if (!value || value.length < 5) return undefined;
    const id = value.readInt32BE(1);
    let type = this.#types.get(id);
    if (!type) {
      type = avro.Type.forSchema((await this.#registry.getSchemaById(id)) as avro.Schema);
      this.#types.set(id, type);
    }
    return type.fromBuffer(value.subarray(5)) as T;
  }
}
