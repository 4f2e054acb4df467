import type { AvroField, AvroSchema } from './avro-schema.js';

/**
 * What a value of an Avro type is, as far as checking a topology against its
 * schemas goes: the underlying kind, its logical type, whether `null` is one
 * of its branches (a union with `null`), and the name of a named type.
 * A union of several non-null branches is kind `union`; a name that does not
 * resolve in the schema is kind `unknown`.
 *
 * @example
 * ```ts
 * const t: AvroValueType = { kind: 'long', logicalType: 'timestamp-millis', nullable: false };
 * ```
 */
export interface AvroValueType {
  readonly kind:
    | 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'string' | 'bytes'
    | 'enum' | 'fixed' | 'array' | 'map' | 'record' | 'union' | 'unknown';
  readonly logicalType?: string;
  readonly nullable: boolean;
  /** Named types (record, enum, fixed): the name as written. */
  readonly name?: string;
  /** Records only: the schema, for nested fields. */
  readonly record?: { readonly fields: readonly AvroField[] };
}

/**
 * One leaf field of a record, nested records followed (`window.start` is
 * `['window', 'start']`), with its value type.
 *
 * @example
 * ```ts
 * const f: AvroLeafField = { path: ['speed_kmh'], type: { kind: 'double', nullable: false } };
 * ```
 */
export interface AvroLeafField {
  readonly path: readonly string[];
  readonly type: AvroValueType;
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'bytes']);

/**
 * The fields of a record schema, in order; `undefined` when the schema is
 * not a record (a primitive, a union, a name).
 *
 * @example
 * ```ts
 * recordFields({ type: 'record', name: 'P', fields: [{ name: 'x', type: 'int' }] })?.map((f) => f.name); // ['x']
 * recordFields('string'); // undefined
 * ```
 */
export function recordFields(schema: AvroSchema): readonly AvroField[] | undefined {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) return undefined;
  const record = schema as { type?: unknown; fields?: unknown };
  return (record.type === 'record' || record.type === 'error') && Array.isArray(record.fields) ? (record.fields as readonly AvroField[]) : undefined;
}

/**
 * Resolves types against a whole schema: named types defined anywhere in it
 * (by name and by full name) are looked up, so a field typed `"OrderStatus"`
 * is known to be an enum.
 *
 * @example
 * ```ts
 * const types = new AvroTypes(schema);
 * types.of(recordFields(schema)![0]!.type); // { kind: 'string', logicalType: 'uuid', nullable: false }
 * types.leaves(schema);                      // [{ path: ['event_id'], type: … }, …]
 * ```
 */
export class AvroTypes {
  readonly #named = new Map<string, AvroSchema>();

  constructor(schema: AvroSchema) {
    this.#collect(schema, undefined);
  }

  /** The value type of `type` (a field's type, or the schema itself). */
  of(type: AvroSchema): AvroValueType {
    return this.#of(type, new Set());
  }

  /**
   * Leaf fields of a record schema, nested records (not unions holding one)
   * followed as the PostgreSQL sink flattens them; `undefined` for a non-record.
   */
  leaves(schema: AvroSchema): readonly AvroLeafField[] | undefined {
    const root = this.of(schema);
    if (root.kind !== 'record' || root.nullable) return undefined;
    const out: AvroLeafField[] = [];
    const walk = (fields: readonly AvroField[], prefix: readonly string[], seen: Set<unknown>): void => {
      for (const field of fields) {
        const type = this.of(field.type);
        const path = [...prefix, field.name];
        if (type.kind === 'record' && !type.nullable && type.record !== undefined && !seen.has(type.record)) {
          walk(type.record.fields, path, new Set([...seen, type.record]));
        } else out.push({ path, type });
      }
    };
    walk(root.record!.fields, [], new Set([root.record]));
    return out;
  }

  /** The value type at `path` below a record schema; `undefined` where the path leaves the records. */
  at(schema: AvroSchema, path: readonly string[]): AvroValueType | undefined {
    let type = this.of(schema);
    for (const segment of path) {
      if (type.kind !== 'record' || type.record === undefined) return undefined;
      const field = type.record.fields.find((f) => f.name === segment);
      if (field === undefined) return undefined;
      type = this.of(field.type);
    }
    return type;
  }

  #of(type: AvroSchema, resolving: Set<string>): AvroValueType {
    if (typeof type === 'string') {
      if (PRIMITIVES.has(type)) return { kind: type as AvroValueType['kind'], nullable: type === 'null' };
      const named = this.#named.get(type);
      if (named === undefined || resolving.has(type)) return { kind: 'unknown', nullable: false, name: type };
      return this.#of(named, new Set([...resolving, type]));
    }
    if (Array.isArray(type)) {
      const branches = (type as readonly AvroSchema[]).filter((b) => b !== 'null');
      const nullable = branches.length < type.length;
      if (branches.length === 1) return { ...this.#of(branches[0]!, resolving), nullable };
      return { kind: branches.length === 0 ? 'null' : 'union', nullable };
    }
    if (typeof type !== 'object' || type === null) return { kind: 'unknown', nullable: false };
    const object = type as { type?: unknown; logicalType?: unknown; name?: unknown; fields?: unknown };
    const logicalType = typeof object.logicalType === 'string' ? { logicalType: object.logicalType } : {};
    const name = typeof object.name === 'string' ? { name: object.name } : {};
    switch (object.type) {
      case 'record':
      case 'error':
        return { kind: 'record', nullable: false, ...name, record: { fields: Array.isArray(object.fields) ? (object.fields as AvroField[]) : [] } };
      case 'enum':
      case 'fixed':
        return { kind: object.type, nullable: false, ...name, ...logicalType };
      case 'array':
      case 'map':
        return { kind: object.type, nullable: false, ...logicalType };
      default:
        if (typeof object.type === 'string' && PRIMITIVES.has(object.type)) {
          return { kind: object.type as AvroValueType['kind'], nullable: object.type === 'null', ...logicalType };
        }
        // `{ type: 'SomeNamedType' }` or a nested schema in `type`.
        return typeof object.type === 'string' || (typeof object.type === 'object' && object.type !== null)
          ? { ...this.#of(object.type as AvroSchema, resolving), ...logicalType }
          : { kind: 'unknown', nullable: false };
    }
  }

  #collect(schema: AvroSchema, namespace: string | undefined): void {
    if (Array.isArray(schema)) {
      for (const branch of schema as readonly AvroSchema[]) this.#collect(branch, namespace);
      return;
    }
    if (typeof schema !== 'object' || schema === null) return;
    const object = schema as { type?: unknown; name?: unknown; namespace?: unknown; fields?: unknown; items?: unknown; values?: unknown };
    let inner = namespace;
    if (typeof object.name === 'string' && (object.type === 'record' || object.type === 'error' || object.type === 'enum' || object.type === 'fixed')) {
      const dot = object.name.lastIndexOf('.');
      const ns = dot >= 0 ? object.name.slice(0, dot) : typeof object.namespace === 'string' ? object.namespace : namespace;
      const short = dot >= 0 ? object.name.slice(dot + 1) : object.name;
      this.#named.set(short, schema);
      if (ns) this.#named.set(`${ns}.${short}`, schema);
      inner = ns;
    }
    if (Array.isArray(object.fields)) for (const f of object.fields as AvroField[]) this.#collect(f.type, inner);
    if (object.items !== undefined) this.#collect(object.items as AvroSchema, inner);
    if (object.values !== undefined) this.#collect(object.values as AvroSchema, inner);
    if (typeof object.type === 'object' && object.type !== null) this.#collect(object.type as AvroSchema, inner);
  }
}

/**
 * A value type as a reader writes it in a message.
 *
 * @example
 * ```ts
 * avroTypeText({ kind: 'long', logicalType: 'timestamp-millis', nullable: false }); // 'long (timestamp-millis)'
 * avroTypeText({ kind: 'double', nullable: true });                                 // 'double or null'
 * avroTypeText({ kind: 'enum', name: 'OrderStatus', nullable: false });             // 'enum OrderStatus'
 * ```
 */
export function avroTypeText(type: AvroValueType): string {
  const base =
    type.kind === 'enum' || type.kind === 'fixed' || type.kind === 'record'
      ? `${type.kind}${type.name === undefined ? '' : ` ${type.name}`}`
      : type.kind === 'unknown' && type.name !== undefined
        ? `unresolved type ${type.name}`
        : type.kind;
  const logical = type.logicalType === undefined ? '' : ` (${type.logicalType})`;
  return `${base}${logical}${type.nullable && type.kind !== 'null' ? ' or null' : ''}`;
}
