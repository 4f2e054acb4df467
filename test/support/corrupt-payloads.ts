import { WIRE_HEADER_BYTES, writeWireHeader } from '../../src/serde/index.js';

/** The kinds of bad payload a source topic can carry, and the DLQ reason each must get. */
export const CORRUPTIONS = {
  'bad-magic': 'bad-magic',
  truncated: 'truncated',
  'corrupt-body': 'corrupt',
  'unknown-id': 'unknown-schema',
  'absurd-length': 'too-large',
} as const;

export type Corruption = keyof typeof CORRUPTIONS;

/** Zig-zag varint, as Avro writes lengths, so a payload can declare any length it likes. */
function avroLong(n: number): Buffer {
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  const bytes: number[] = [];
  while (z >= 0x80) {
    bytes.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  bytes.push(z);
  return Buffer.from(bytes);
}

/**
 * A bad payload of `kind`, built from a valid wire-format payload `valid`
 * (written with schema id `id`); `i` varies the bytes so no two are alike.
 * The schema's first field must be a string (its length is what the absurd
 * and corrupt variants lie about).
 */
export function corruptPayload(kind: Corruption, valid: Buffer, id: number, i: number): Buffer {
  const body = valid.subarray(WIRE_HEADER_BYTES);
  const header = Buffer.alloc(WIRE_HEADER_BYTES);
  switch (kind) {
    case 'bad-magic': {
      const out = Buffer.from(valid);
      out[0] = 1 + (i % 255);
      return out;
    }
    case 'truncated':
      // Half the time shorter than the header itself, else a body cut short.
      return i % 2 === 0 ? valid.subarray(0, 1 + (i % 4)) : valid.subarray(0, WIRE_HEADER_BYTES + 1 + (i % Math.max(1, body.length - 2)));
    case 'corrupt-body':
      // A negative string length, or a valid record followed by garbage: bytes no writer produces.
      if (i % 2 === 0) {
        writeWireHeader(header, id);
        return Buffer.concat([header, avroLong(-1 - (i % 1000)), body.subarray(1)]);
      }
      return Buffer.concat([valid, Buffer.from([0x02, i % 256])]);
    case 'unknown-id':
      writeWireHeader(header, 2_000_000_000 + i);
      return Buffer.concat([header, body]);
    case 'absurd-length':
      // A dozen bytes claiming a string of hundreds of megabytes (or an absurd varint).
      writeWireHeader(header, id);
      return Buffer.concat([header, avroLong(100_000_000 + i * 1_000_003), Buffer.from('abc')]);
    default: {
      const never: never = kind;
      throw new Error(`unknown corruption ${String(never)}`);
    }
  }
}
