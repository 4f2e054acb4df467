import avro from 'avsc';
import type { CompatibilityLevel } from './schema-registry.js';
import { errorText } from '../error-text.js';

/**
 * Which schema plays the reader in one resolution check, and under which
 * rule: BACKWARD reads old data with the new schema, FORWARD reads new data
 * with the old schema.
 *
 * @example
 * ```ts
 * const backward: ResolutionRole = { reader: 'new', rule: 'BACKWARD' };
 * ```
 */
export interface ResolutionRole {
  readonly reader: 'new' | 'old';
  readonly rule: CompatibilityLevel;
}

type RecordLike = avro.Type & { readonly fields: readonly RecordField[]; readonly name: string };
interface RecordField {
  readonly name: string;
  readonly type: avro.Type;
  readonly aliases: readonly string[];
  defaultValue(): unknown;
}

/**
 * Explains why `reader` cannot read data written with `writer`, naming the
 * field and the rule; `[]` when avsc can resolve the pair. avsc's resolver is
 * the verdict; the walk below only finds words for it.
 *
 * @example
 * ```ts
 * explainIncompatibility(parseAvroSchema(v3), parseAvroSchema(v2), { reader: 'new', rule: 'BACKWARD' });
 * // ["field 'speed_kmh' changed type from double to string: a reader with the new schema
 * //   cannot read data written with the old one (BACKWARD)"]
 * ```
 */
export function explainIncompatibility(reader: avro.Type, writer: avro.Type, role: ResolutionRole): string[] {
  const failure = resolutionFailure(reader, writer);
  if (failure === undefined) return [];
  const found = new Explainer(role).explain(reader, writer, '');
  const reasons = found.length > 0 ? found : [`the schema cannot be resolved (${failure})`];
  const writerRole = role.reader === 'new' ? 'old' : 'new';
  const suffix = `: a reader with the ${role.reader} schema cannot read data written with the ${writerRole} one (${role.rule})`;
  return reasons.map((reason) => reason + suffix);
}

/**
 * avsc's resolution error message, or `undefined` when `reader` can read
 * data written with `writer`.
 *
 * @example
 * ```ts
 * resolutionFailure(parseAvroSchema('long'), parseAvroSchema('int'));    // undefined (promotion)
 * resolutionFailure(parseAvroSchema('int'), parseAvroSchema('string')); // 'cannot read "string" as "int"'
 * ```
 */
export function resolutionFailure(reader: avro.Type, writer: avro.Type): string | undefined {
  try {
    reader.createResolver(writer);
    return undefined;
  } catch (err) {
    return errorText(err);
  }
}

/**
 * A short human label for a type: `double`, `record sluice.Bus`,
 * `array<string>`, `union [null, string]`, `long (timestamp-millis)`.
 *
 * @example
 * ```ts
 * typeLabel(parseAvroSchema(['null', 'string'])); // 'union [null, string]'
 * ```
 */
export function typeLabel(type: avro.Type): string {
  const t = type as avro.Type & {
    underlyingType?: avro.Type; itemsType?: avro.Type; valuesType?: avro.Type; types?: avro.Type[]; size?: number;
  };
  if (t.typeName.startsWith('logical:') && t.underlyingType) {
    return `${typeLabel(t.underlyingType)} (${t.typeName.slice('logical:'.length)})`;
  }
  if (avro.Type.isType(t, 'union') && t.types) return `union [${t.types.map(typeLabel).join(', ')}]`;
  switch (t.typeName) {
    case 'array': return `array<${t.itemsType ? typeLabel(t.itemsType) : '?'}>`;
    case 'map': return `map<${t.valuesType ? typeLabel(t.valuesType) : '?'}>`;
    case 'fixed': return `fixed ${t.name ?? ''}(${t.size ?? '?'})`;
    case 'record': case 'error': case 'enum': return `${t.typeName} ${t.name ?? ''}`;
    default: return t.typeName;
  }
}

class Explainer {
  private readonly visited = new Set<string>();

  constructor(private readonly role: ResolutionRole) {}

  explain(reader: avro.Type, writer: avro.Type, path: string): string[] {
    if (resolutionFailure(reader, writer) === undefined) return [];
    const where = path === '' ? 'the schema' : `field '${path}'`;
    const r = unwrapLogical(reader);
    const w = unwrapLogical(writer);
    if (isRecord(r) && isRecord(w)) return this.explainRecords(r, w, path, where);
    if (avro.Type.isType(w, 'union') && avro.Type.isType(r, 'union')) return this.explainUnions(r, w, where);
    if (r.typeName === 'enum' && w.typeName === 'enum' && r.name === w.name) return this.explainEnums(r, w, where);
    if (r.typeName === 'array' && w.typeName === 'array') {
      const inner = this.explain(member(r, 'itemsType'), member(w, 'itemsType'), `${path}[]`);
      if (inner.length > 0) return inner;
    }
    if (r.typeName === 'map' && w.typeName === 'map') {
      const inner = this.explain(member(r, 'valuesType'), member(w, 'valuesType'), `${path}{}`);
      if (inner.length > 0) return inner;
    }
    return [`${where} changed type from ${this.oldNew(reader, writer)}`];
  }

  private explainRecords(r: RecordLike, w: RecordLike, path: string, where: string): string[] {
    const key = `${r.name}|${w.name}`;
    if (this.visited.has(key)) return [];
    this.visited.add(key);
    if (r.name !== w.name && !(r.aliases ?? []).includes(w.name)) {
      const [oldName, newName] = this.role.reader === 'new' ? [w.name, r.name] : [r.name, w.name];
      return [`${where} renamed its record from ${oldName} to ${newName} without an alias`];
    }
    const out: string[] = [];
    for (const field of r.fields) {
      const fieldPath = path === '' ? field.name : `${path}.${field.name}`;
      const match = w.fields.find((f) => f.name === field.name || field.aliases.includes(f.name));
      if (match === undefined) {
        if (field.defaultValue() === undefined) {
          out.push(
            this.role.reader === 'new'
              ? `field '${fieldPath}' was added without a default`
              : `field '${fieldPath}' was removed, and the old schema has no default for it`,
          );
        }
        continue;
      }
      out.push(...this.explain(field.type, match.type, fieldPath));
    }
    return out;
  }

  private explainUnions(r: avro.Type, w: avro.Type, where: string): string[] {
    const readerBranches = member<avro.Type[]>(r, 'types');
    const out: string[] = [];
    for (const branch of member<avro.Type[]>(w, 'types')) {
      if (readerBranches.some((rb) => resolutionFailure(rb, branch) === undefined)) continue;
      out.push(
        this.role.reader === 'new'
          ? `${where} no longer accepts ${typeLabel(branch)} (a union branch was removed or changed)`
          : `${where} now accepts ${typeLabel(branch)}, which the old union lacks`,
      );
    }
    return out.length > 0 ? out : [`${where} changed type from ${this.oldNew(r, w)}`];
  }

  private explainEnums(r: avro.Type, w: avro.Type, where: string): string[] {
    const readerSymbols = new Set(member<string[]>(r, 'symbols'));
    const missing = member<string[]>(w, 'symbols').filter((s) => !readerSymbols.has(s));
    const list = missing.map((s) => `'${s}'`).join(', ');
    return [
      this.role.reader === 'new'
        ? `${where} (${typeLabel(r)}) removed symbol(s) ${list} and has no default symbol`
        : `${where} (${typeLabel(r)}) added symbol(s) ${list} that the old enum lacks and has no default symbol`,
    ];
  }

  /** "X to Y" in old → new order, whichever side is the reader. */
  private oldNew(reader: avro.Type, writer: avro.Type): string {
    const [older, newer] = this.role.reader === 'new' ? [writer, reader] : [reader, writer];
    return `${typeLabel(older)} to ${typeLabel(newer)}`;
  }
}

function unwrapLogical(type: avro.Type): avro.Type {
  const underlying = (type as { underlyingType?: avro.Type }).underlyingType;
  return type.typeName.startsWith('logical:') && underlying ? underlying : type;
}

function isRecord(type: avro.Type): type is RecordLike {
  return type.typeName === 'record' || type.typeName === 'error';
}

function member<T = avro.Type>(type: avro.Type, key: string): T {
  return (type as unknown as Record<string, T>)[key] as T;
}
