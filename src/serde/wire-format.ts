/**
 * The Confluent wire format: magic byte 0, a 4-byte big-endian schema id,
 * then the Avro binary body.
 *
 * @example
 * ```ts
 * const header = Buffer.alloc(WIRE_HEADER_BYTES);
 * writeWireHeader(header, 42);
 * header; // <Buffer 00 00 00 00 2a>
 * ```
 */
export const WIRE_MAGIC_BYTE = 0;

/**
 * Bytes before the Avro body: magic byte + schema id.
 *
 * @example
 * ```ts
 * const body = payload.subarray(WIRE_HEADER_BYTES);
 * ```
 */
export const WIRE_HEADER_BYTES = 5;

/**
 * Writes magic byte and schema id at the start of `buf`.
 *
 * @example
 * ```ts
 * writeWireHeader(buf, 42); // buf[0..5] = 00 00 00 00 2a
 * ```
 */
export function writeWireHeader(buf: Buffer, schemaId: number): void {
  buf[0] = WIRE_MAGIC_BYTE;
  buf.writeInt32BE(schemaId, 1);
}

/**
 * The schema id of a wire-format payload, or `undefined` when it has no
 * valid header (too short or bad magic byte).
 *
 * @example
 * ```ts
 * readWireSchemaId(Buffer.from([0, 0, 0, 0, 42, 2])); // 42
 * readWireSchemaId(Buffer.from('{"json":true}'));     // undefined
 * ```
 */
export function readWireSchemaId(buf: Buffer | null | undefined): number | undefined {
  if (!buf || buf.length < WIRE_HEADER_BYTES || buf[0] !== WIRE_MAGIC_BYTE) return undefined;
  return buf.readInt32BE(1);
}
