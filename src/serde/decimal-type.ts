import avro from 'avsc';

/**
 * Avro `decimal` logical type (on `bytes` or `fixed`), decoded to an exact
 * decimal **string** with exactly `scale` fraction digits, e.g. `"12.50"`.
 *
 * Why a string: a JS number cannot hold every decimal exactly (0.1 + 0.2), and
 * amounts are the usual reason to pick `decimal`. Encoding accepts a string
 * (`"12.5"`), a number (`12.5`, rounded to `scale` by `toFixed`) or a bigint
 * taken as a whole value (`12n` → `"12.00"`); a string with more significant
 * fraction digits than `scale`, or more digits than `precision`, is invalid
 * rather than silently rounded.
 *
 * Registered for every schema parsed by {@link parseAvroSchema}.
 *
 * @example
 * ```ts
 * const type = parseAvroSchema({ type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 });
 * type.fromBuffer(type.toBuffer('12.5')); // '12.50'
 * ```
 */
export class DecimalType extends avro.types.LogicalType {
  readonly precision: number;
  readonly scale: number;

  constructor(schema: avro.Schema, opts?: unknown) {
    super(schema, opts);
    const attrs = schema as { precision?: unknown; scale?: unknown };
    const precision = attrs.precision;
    const scale = attrs.scale ?? 0;
    if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) {
      throw new Error(`decimal needs a positive integer precision, got ${JSON.stringify(precision)}`);
    }
    if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) {
      throw new Error(`decimal scale must be an integer in [0, precision], got ${JSON.stringify(scale)}`);
    }
    this.precision = precision;
    this.scale = scale;
  }

  protected override _fromValue(val: Buffer): string {
    return formatUnscaled(bytesToBigInt(val), this.scale);
  }

  protected override _toValue(val: unknown): Buffer | undefined {
    const unscaled = toUnscaled(val, this.scale);
    if (unscaled === undefined) return undefined;
    const limit = 10n ** BigInt(this.precision);
    if (unscaled >= limit || unscaled <= -limit) return undefined;
    const underlying = this.underlyingType as avro.Type & { size?: number };
    return bigIntToBytes(unscaled, underlying.typeName === 'fixed' ? underlying.size : undefined);
  }

  protected override _resolve(type: avro.Type): ((v: unknown) => unknown) | undefined {
    if (type instanceof DecimalType) {
      // Same scale reads the writer's string as is; Avro says other
      // precision/scale pairs do not match.
      return type.scale === this.scale && type.precision === this.precision ? (v) => v : undefined;
    }
    if (type.typeName === this.underlyingType.typeName) {
      return (v) => this._fromValue(v as Buffer);
    }
    return undefined;
  }

  protected override _export(schema: avro.Schema): void {
    const target = schema as { precision?: number; scale?: number };
    target.precision = this.precision;
    target.scale = this.scale;
  }
}

function bytesToBigInt(buf: Buffer): bigint {
  if (buf.length === 0) return 0n;
  let n = 0n;
  for (const byte of buf) n = (n << 8n) | BigInt(byte);
  // Two's complement: the top bit of the first byte is the sign.
  return (buf[0] ?? 0) & 0x80 ? n - (1n << BigInt(buf.length * 8)) : n;
}

function bigIntToBytes(n: bigint, size: number | undefined): Buffer | undefined {
  const bytes: number[] = [];
  let rest = n;
  // Emit the minimal two's-complement form.
  for (;;) {
    const byte = Number(rest & 0xffn);
    bytes.unshift(byte);
    rest >>= 8n;
    if ((rest === 0n && (byte & 0x80) === 0) || (rest === -1n && (byte & 0x80) !== 0)) break;
  }
  if (size === undefined) return Buffer.from(bytes);
  if (bytes.length > size) return undefined;
  const pad = n < 0n ? 0xff : 0x00;
  return Buffer.from([...new Array<number>(size - bytes.length).fill(pad), ...bytes]);
}

function formatUnscaled(n: bigint, scale: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

const DECIMAL_TEXT = /^([+-])?(\d+)(?:\.(\d+))?$/;

function toUnscaled(val: unknown, scale: number): bigint | undefined {
  if (typeof val === 'bigint') return val * 10n ** BigInt(scale);
  let text: string;
  if (typeof val === 'number') {
    if (!Number.isFinite(val)) return undefined;
    // toFixed rounds binary noise (0.1 + 0.2) to the declared scale.
    text = val.toFixed(scale);
  } else if (typeof val === 'string') {
    text = val.trim();
  } else {
    return undefined;
  }
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return undefined;
  const [, sign, whole = '0', fraction = ''] = match;
  const significant = fraction.replace(/0+$/, '');
  if (significant.length > scale) return undefined;
  const unscaled = BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
  return sign === '-' ? -unscaled : unscaled;
}
