import avro from 'avsc';
import { parseAvroSchema, type AvroSchema } from '../serde/index.js';
import { failJson as fail, JsonToAvroError } from './json-to-avro-error.js';
import { jsonBytes, jsonDate, jsonFloat, jsonInt, jsonLong, jsonUuid, type JsonConvert as Convert } from './json-scalars.js';

export { JsonToAvroError } from './json-to-avro-error.js';

/**
 * Turns one parsed JSON value into the value avsc encodes; throws {@link JsonToAvroError}.
 *
 * @example
 * ```ts
 * const toAvro: JsonToAvro = compileJsonToAvro(schema);
 * codec.encode(toAvro(JSON.parse(line)));
 * ```
 */
export type JsonToAvro = (json: unknown) => unknown;

type JsonKind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

interface Compiled {
  convert: Convert;
  /** JSON kinds this type takes without coercion: a union tries those branches first. */
  readonly kinds: readonly JsonKind[];
  /** The names a wrapped union value may use for this branch (`{"string": "x"}`, `{"com.acme.Address": {...}}`). */
  readonly branchNames: readonly string[];
}

/**
 * Compiles a JSON → Avro converter for a schema, once; the converter then
 * takes JSON as people type it and returns the value Sluice's codecs encode
 * (as `AvroCodec.decode` gives them back):
 *
 * - unions: the plain value (`"x"`, `null`, `{...}`) or Avro's wrapped form
 *   (`{"string": "x"}`, `{"com.acme.Address": {...}}`, short names too);
 * - `long`: a number or a string of digits, from −2^52 to 2^53−2 (what
 *   Sluice, reading longs as JS numbers, keeps exact); `timestamp-millis`,
 *   `-micros` (and `local-`) also an ISO-8601 time, `date` also `YYYY-MM-DD`;
 * - `float`/`double`: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"`;
 * - `bytes`/`fixed`: Avro's JSON encoding, a string whose characters are the
 *   bytes (U+0000–U+00FF); `decimal`: `"12.50"` or a number;
 * - `uuid` (a string): 8-4-4-4-12 hex digits;
 * - `enum`: one of its symbols; records: every field, a missing one taking its
 *   default; a field the schema does not have is an error (a typo would be lost).
 *
 * Errors name the avsc path of the bad field and what was expected.
 *
 * @example
 * ```ts
 * const toAvro = compileJsonToAvro({ type: 'record', name: 'Ping', fields: [
 *   { name: 'id', type: 'string' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
 *   { name: 'note', type: ['null', 'string'], default: null } ] });
 * toAvro({ id: 'p1', at: '2026-01-05T08:00:00Z', note: { string: 'hi' } }); // { id: 'p1', at: 1767600000000, note: 'hi' }
 * toAvro({ id: 'p1', at: 5 });                                               // { id: 'p1', at: 5, note: null }
 * toAvro({ id: 7, at: 5 });  // JsonToAvroError: id: expected a string, got 7
 * ```
 */
export function compileJsonToAvro(schema: AvroSchema): JsonToAvro {
  // The schema itself, not an avsc Type: logical types avsc does not implement survive only in it.
  const compiled = compile(parseAvroSchema(schema), schema, new Map());
  return (json) => compiled.convert(json, []);
}

function compile(type: avro.Type, raw: unknown, named: Map<avro.Type, Compiled>): Compiled {
  // Logical type attributes of primitives live only in the raw schema (avsc drops the ones it does not implement).
  while (isObject(raw) && isObject(raw.type)) raw = raw.type;
  const logical = isObject(raw) && typeof raw.logicalType === 'string' ? raw.logicalType : undefined;
  const known = named.get(type);
  if (known) return known;
  if (type instanceof avro.types.LogicalType) return decimal(type);
  switch (type.typeName) {
    case 'null':
      return leaf(['null'], ['null'], (v, path) => (v === null ? null : fail(path, 'null', v)));
    case 'boolean':
      return leaf(['boolean'], ['boolean'], (v, path) => (typeof v === 'boolean' ? v : fail(path, 'a boolean', v)));
    case 'int':
      return leaf(['number'], ['int'], logical === 'date' ? jsonDate : jsonInt);
    case 'long':
      return leaf(['number'], ['long'], jsonLong(logical));
    case 'float':
    case 'double':
      return leaf(['number'], [type.typeName], jsonFloat(type.typeName));
    case 'string':
      if (logical === 'uuid') return leaf(['string'], ['string'], jsonUuid);
      return leaf(['string'], ['string'], (v, path) => (typeof v === 'string' ? v : fail(path, 'a string', v)));
    case 'bytes':
      return leaf(['string'], ['bytes'], jsonBytes(undefined));
    case 'fixed': {
      const size = (type as unknown as { size: number }).size;
      return remember(named, type, leaf(['string'], namesOf(type), jsonBytes(size)));
    }
    case 'enum': {
      const symbols = (type as unknown as { symbols: readonly string[] }).symbols;
      const set = new Set(symbols);
      return remember(named, type, leaf(['string'], namesOf(type), (v, path) =>
        typeof v === 'string' && set.has(v) ? v : fail(path, `one of ${symbols.map((s) => JSON.stringify(s)).join(', ')}`, v),
      ));
    }
    case 'array': {
      const items = compile((type as unknown as { itemsType: avro.Type }).itemsType, isObject(raw) ? raw.items : undefined, named);
      return leaf(['array'], ['array'], (v, path) => {
        if (!Array.isArray(v)) return fail(path, 'an array', v);
        return v.map((item, i) => within(path, String(i), () => items.convert(item, path)));
      });
    }
    case 'map': {
      const values = compile((type as unknown as { valuesType: avro.Type }).valuesType, isObject(raw) ? raw.values : undefined, named);
      return leaf(['object'], ['map'], (v, path) => {
        if (!isObject(v)) return fail(path, 'an object (a map)', v);
        // No prototype: a map key "__proto__" (JSON.parse makes it an own property) must stay a key.
        const out = Object.create(null) as Record<string, unknown>;
        for (const key of Object.keys(v)) out[key] = within(path, key, () => values.convert(v[key], path));
        return out;
      });
    }
    case 'record':
    case 'error':
      return record(type, raw, named);
    default:
      if (type.typeName.startsWith('union')) return union(type, raw, named);
      throw new Error(`JSON → Avro: unsupported Avro type ${type.typeName}`);
  }
}

function record(type: avro.Type, raw: unknown, named: Map<avro.Type, Compiled>): Compiled {
  const fields = (type as unknown as { fields: readonly avro.types.Field[] }).fields;
  const rawFields = isObject(raw) && Array.isArray(raw.fields) ? (raw.fields as unknown[]) : [];
  const converters: Convert[] = [];
  const names = new Set(fields.map((f) => f.name));
  const self: Compiled = {
    kinds: ['object'],
    branchNames: namesOf(type),
    convert: (v, path) => {
      if (!isObject(v)) return fail(path, `an object (record ${type.name ?? ''})`, v);
      for (const key of Object.keys(v)) {
        if (!names.has(key)) throw new JsonToAvroError([...path, key], `record ${type.name} has no field '${key}' (its fields: ${[...names].join(', ')})`);
      }
      const out: Record<string, unknown> = {};
      for (let i = 0; i < fields.length; i++) {
        const field = fields[i]!;
        const given = v[field.name];
        if (given === undefined) {
          const fallback: unknown = field.defaultValue();
          if (fallback === undefined) {
            throw new JsonToAvroError([...path, field.name], `missing, and the field has no default (give it a value${nullable(field.type) ? ', null if there is none' : ''})`);
          }
          out[field.name] = fallback;
        } else {
          out[field.name] = within(path, field.name, () => converters[i]!(given, path));
        }
      }
      return out;
    },
  };
  // Registered before the fields compile: a recursive record refers to itself.
  named.set(type, self);
  fields.forEach((f, i) => {
    const rawField = rawFields[i];
    converters.push(compile(f.type, isObject(rawField) ? rawField.type : undefined, named).convert);
  });
  return self;
}

function union(type: avro.Type, raw: unknown, named: Map<avro.Type, Compiled>): Compiled {
  const rawBranches = Array.isArray(raw) ? (raw as unknown[]) : [];
  const branches = (type as unknown as { types: readonly avro.Type[] }).types.map((t, i) => compile(t, rawBranches[i], named));
  const byName = new Map<string, Compiled>();
  for (const b of branches) for (const name of b.branchNames) if (!byName.has(name)) byName.set(name, b);
  const labels = branches.map((b) => b.branchNames[0]).join(', ');
  return {
    kinds: [...new Set(branches.flatMap((b) => b.kinds))],
    branchNames: [],
    convert: (v, path) => {
      let wrappedFailure: JsonToAvroError | undefined;
      if (isObject(v)) {
        const keys = Object.keys(v);
        const wrapped = keys.length === 1 ? byName.get(keys[0]!) : undefined;
        // The wrapped form only when its branch takes the inner value: a map or record with one such key may be meant plainly.
        if (wrapped) {
          const attempt = tryConvert(wrapped, v[keys[0]!], path);
          if (attempt.ok) return attempt.value;
          wrappedFailure = attempt.error;
        }
      }
      const kind = kindOf(v);
      const natural = branches.filter((b) => b.kinds.includes(kind));
      const failures: JsonToAvroError[] = [];
      for (const b of [...natural, ...branches.filter((b) => !natural.includes(b))]) {
        const attempt = tryConvert(b, v, path);
        if (attempt.ok) return attempt.value;
        failures.push(attempt.error);
      }
      // A failure inside the branch the value names (wrapped form) or the one branch of its kind (a nullable
      // record's field) says more than "no branch".
      const deeper = wrappedFailure ?? (natural.length === 1 ? failures[0] : undefined);
      if (deeper) throw deeper;
      return fail(path, `one of the union's branches (${labels})`, v);
    },
  };
}

function decimal(type: avro.types.LogicalType): Compiled {
  const underlying = type.underlyingType;
  const names = underlying.typeName === 'fixed' ? namesOf(underlying) : ['bytes'];
  return leaf(['string', 'number'], names, (v, path) => {
    const ok = (typeof v === 'string' && /^[+-]?(\d+\.?\d*|\.\d+)$/.test(v.trim())) || (typeof v === 'number' && Number.isFinite(v));
    if (ok && type.isValid(v)) return v;
    const { precision, scale } = type as unknown as { precision: number; scale: number };
    return fail(path, `a decimal with at most ${precision} digits, ${scale} after the point (e.g. "12.50")`, v);
  });
}

function tryConvert(b: Compiled, v: unknown, path: string[]): { ok: true; value: unknown } | { ok: false; error: JsonToAvroError } {
  const depth = path.length;
  try {
    return { ok: true, value: b.convert(v, path) };
  } catch (error) {
    path.length = depth;
    if (error instanceof JsonToAvroError) return { ok: false, error };
    throw error;
  }
}

function within<T>(path: string[], segment: string, run: () => T): T {
  path.push(segment);
  const value = run();
  path.pop();
  return value;
}

function leaf(kinds: readonly JsonKind[], branchNames: readonly string[], convert: Convert): Compiled {
  return { kinds, branchNames, convert };
}

function remember(named: Map<avro.Type, Compiled>, type: avro.Type, compiled: Compiled): Compiled {
  named.set(type, compiled);
  return compiled;
}

/** A named type's full name and short name, as a wrapped union may use either. */
function namesOf(type: avro.Type): string[] {
  const full = type.name ?? type.typeName;
  const short = full.slice(full.lastIndexOf('.') + 1);
  return short === full ? [full] : [full, short];
}

function nullable(type: avro.Type): boolean {
  return type.typeName === 'null' || ((type as unknown as { types?: readonly avro.Type[] }).types ?? []).some((t) => t.typeName === 'null');
}

function kindOf(v: unknown): JsonKind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'boolean' || t === 'number' || t === 'string' ? t : 'object';
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
