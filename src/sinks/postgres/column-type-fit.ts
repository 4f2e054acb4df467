import type { AvroValueType } from '../../serde/avro-field-types.js';

/**
 * Why values of an Avro type do not fit a PostgreSQL column type, and the
 * column type they would fit.
 *
 * @example
 * ```ts
 * const misfit: ColumnMisfit = { problem: 'a fraction would be truncated or refused', fits: 'double precision' };
 * ```
 */
export interface ColumnMisfit {
  readonly problem: string;
  /** The column type to alter the column to (a PostgreSQL type name). */
  readonly fits: string;
}

const TEXT = ['text', 'varchar', 'bpchar', 'citext', 'name'];
const TIMESTAMP = ['timestamptz', 'timestamp'];
// The udt names this check knows; a column of another type (a domain, an enum type, inet, …) is not judged.
const KNOWN = new Set([
  'int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'bool', ...TEXT, 'uuid', ...TIMESTAMP, 'date', 'json', 'jsonb', 'bytea',
]);

const PG_NAMES: Readonly<Record<string, string>> = {
  int2: 'smallint', int4: 'integer', int8: 'bigint', float4: 'real', float8: 'double precision', bool: 'boolean', bpchar: 'character', varchar: 'varchar',
};

/**
 * A column type as written in SQL (`int8` is `bigint`, `float8` `double precision`; arrays `text[]`).
 *
 * @example
 * ```ts
 * pgTypeText('int8');  // 'bigint'
 * pgTypeText('_text'); // 'text[]'
 * ```
 */
export function pgTypeText(udtName: string): string {
  if (udtName.startsWith('_')) return `${pgTypeText(udtName.slice(1))}[]`;
  return PG_NAMES[udtName] ?? udtName;
}

/**
 * Whether the values of an Avro field, as the sink converts them, fit a
 * column of type `udtName`; `undefined` when they do or this cannot tell
 * (a union of several types, a column type it does not know). What the sink
 * converts: a `long`/`int` into a timestamp column is read as epoch
 * milliseconds (`timestamp-millis` is), a `decimal` arrives as exact text,
 * 16-byte `fixed` into `uuid` as a UUID, anything into `json`/`jsonb` as JSON.
 *
 * | Avro | fits |
 * |---|---|
 * | `int` | integer, bigint, numeric, double precision |
 * | `long` | bigint, numeric, double precision, timestamptz/timestamp (epoch ms) |
 * | `long` timestamp-millis | timestamptz, timestamp, date, bigint, numeric |
 * | `long` timestamp-micros, `int` date/time-millis | bigint, numeric (and integer for `int`) |
 * | `float`, `double` | double precision, real, numeric |
 * | `boolean` | boolean |
 * | `string` | text, varchar, char, citext, uuid, timestamptz/timestamp/date (parsed by PostgreSQL) |
 * | `enum` | text, varchar, char, citext |
 * | `bytes`, `fixed` | bytea (decimal: numeric, text; fixed(16): uuid) |
 * | `array` | any array type |
 * | anything | json, jsonb |
 *
 * Narrowing is refused: a `long` into `integer` (values past 2^31 would be
 * refused row by row), a `double` into any integer type (a fraction would be
 * truncated or refused).
 *
 * @example
 * ```ts
 * columnMisfit({ kind: 'double', nullable: false }, 'int8');
 * // { problem: 'a fraction would be truncated or refused', fits: 'double precision' }
 * columnMisfit({ kind: 'long', nullable: false }, 'int8'); // undefined
 * ```
 */
export function columnMisfit(type: AvroValueType, udtName: string): ColumnMisfit | undefined {
  if (udtName === 'json' || udtName === 'jsonb') return undefined;
  const array = udtName.startsWith('_');
  if (!array && !KNOWN.has(udtName)) return undefined;
  if (type.kind === 'null' || type.kind === 'union' || type.kind === 'unknown') return undefined;
  const fits = fittingType(type);
  if (type.kind === 'array') return array ? undefined : { problem: 'an array needs an array or json column', fits };
  if (array) return { problem: `an array column takes Avro arrays`, fits };
  const fitting = fittingUdts(type);
  if (fitting.includes(udtName)) return undefined;
  return { problem: misfitReason(type, udtName), fits };
}

function fittingUdts(type: AvroValueType): readonly string[] {
  const logical = type.logicalType;
  switch (type.kind) {
    case 'boolean':
      return ['bool'];
    case 'int':
      return logical === 'date' || logical?.startsWith('time-') === true ? ['int4', 'int8', 'numeric'] : ['int4', 'int8', 'numeric', 'float8'];
    case 'long':
      if (logical === 'timestamp-millis' || logical === 'local-timestamp-millis') return [...TIMESTAMP, 'date', 'int8', 'numeric'];
      if (logical !== undefined) return ['int8', 'numeric'];
      return ['int8', 'numeric', 'float8', ...TIMESTAMP];
    case 'float':
    case 'double':
      return ['float8', 'float4', 'numeric'];
    case 'string':
      return logical === 'uuid' ? ['uuid', ...TEXT] : [...TEXT, 'uuid', ...TIMESTAMP, 'date'];
    case 'enum':
      return TEXT;
    case 'bytes':
      return logical === 'decimal' ? ['numeric', ...TEXT] : ['bytea'];
    case 'fixed':
      return logical === 'decimal' ? ['numeric', ...TEXT] : ['bytea', 'uuid'];
    default:
      return []; // map, record: JSON only
  }
}

function fittingType(type: AvroValueType): string {
  const logical = type.logicalType;
  switch (type.kind) {
    case 'boolean':
      return 'boolean';
    case 'int':
      return 'integer';
    case 'long':
      return logical === 'timestamp-millis' || logical === 'local-timestamp-millis' ? 'timestamptz' : 'bigint';
    case 'float':
    case 'double':
      return 'double precision';
    case 'string':
      return logical === 'uuid' ? 'uuid' : 'text';
    case 'enum':
      return 'text';
    case 'bytes':
    case 'fixed':
      return logical === 'decimal' ? 'numeric' : 'bytea';
    default:
      return 'jsonb';
  }
}

const INTEGERS = new Set(['int2', 'int4', 'int8']);

function misfitReason(type: AvroValueType, udtName: string): string {
  const logical = type.logicalType;
  if ((type.kind === 'double' || type.kind === 'float') && INTEGERS.has(udtName)) return 'a fraction would be truncated or refused';
  if (type.kind === 'long' && (udtName === 'int4' || udtName === 'int2')) return `a narrowing: values past ${udtName === 'int4' ? '2^31' : '2^15'} would be refused row by row`;
  if (type.kind === 'int' && udtName === 'int2') return 'a narrowing: values past 2^15 would be refused row by row';
  if (logical === 'timestamp-micros' && TIMESTAMP.includes(udtName)) return 'the sink reads numbers into timestamp columns as epoch milliseconds, and these are microseconds';
  if (logical === 'date' && (TIMESTAMP.includes(udtName) || udtName === 'date')) return 'the sink reads numbers into date and timestamp columns as epoch milliseconds, and these are days';
  if (INTEGERS.has(udtName) || udtName === 'numeric' || udtName.startsWith('float')) return 'the column holds numbers';
  if (TEXT.includes(udtName)) return 'the column holds text';
  if (TIMESTAMP.includes(udtName) || udtName === 'date') return 'the column holds points in time (the sink converts epoch-millisecond numbers and ISO text)';
  return `the column holds ${pgTypeText(udtName)} values`;
}
