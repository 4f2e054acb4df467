import type avro from 'avsc';
import { parseAvroSchema, type AvroRecordSchema, type AvroSchema } from '../../serde/index.js';
import { compileDraw, type Draw, type DrawContext } from './avro-draws.js';
import { keyStrings } from './field-strings.js';
import type { FieldRule } from './generator-config.js';
import { formatDecimal, isNumeric, numberIn, typeBounds, type Scalar } from './scalar-values.js';
import { SeededRandom } from './seeded-random.js';

/**
 * What {@link RecordGenerator} needs to know about one source.
 *
 * @example
 * ```ts
 * const o: RecordGeneratorOptions = { schema, where: "source 'parking.events'", rules: new Map(), eventTimeFields: ['timestamp'], keyFields: ['lot_id'], keys: 50 };
 * ```
 */
export interface RecordGeneratorOptions {
  readonly schema: AvroSchema;
  /** Names the source in messages. */
  readonly where: string;
  readonly rules: ReadonlyMap<string, FieldRule>;
  /** Top-level fields that carry the record's event time ("now" on the generator's clock). */
  readonly eventTimeFields: readonly string[];
  /** Top-level fields drawn from `keys` distinct values (what the topology groups by). */
  readonly keyFields: readonly string[];
  readonly keys: number;
}

/**
 * A way to break one field of a valid record while keeping it valid Avro.
 *
 * @example
 * ```ts
 * const { value, reason } = spoiler.spoil(random); // { value: 512, reason: 'spaces_free 512 outside the configured range 0..400' }
 * ```
 */
export interface Spoiler {
  readonly field: string;
  /** Out of a configured rule (range, values, pattern); otherwise a plain guess (negative, huge, empty, null). */
  readonly configured: boolean;
  spoil(random: SeededRandom): { readonly value: unknown; readonly reason: string };
}

/**
 * Random records of one Avro record schema: every Avro type (logical types
 * included, decoded the way Sluice decodes them), the generate config's
 * rules, the event time on the given clock, and key fields drawn from a
 * bounded set so aggregations group something.
 *
 * @example
 * ```ts
 * const g = new RecordGenerator({ schema, where: "source 'parking.events'", rules: new Map(), eventTimeFields: ['timestamp'], keyFields: ['lot_id'], keys: 20 });
 * g.draw(new SeededRandom(1), Date.UTC(2026, 0, 5));
 * // { lot_id: 'lot-07', spaces_free: 42, status: 'cedar', timestamp: 1767571200000 }
 * g.keyValues.get('lot_id')?.length; // 20
 * ```
 */
export class RecordGenerator {
  /** The schema as Sluice parses it: `type.isValid(value)` holds for every record drawn. */
  readonly type: avro.Type;
  /** The key fields' value sets. */
  readonly keyValues: ReadonlyMap<string, readonly unknown[]>;
  readonly spoilers: readonly Spoiler[];
  /** Rule paths that named a field of this schema. */
  readonly usedRules: ReadonlySet<string>;
  /** One line per top-level field: how it is filled. */
  readonly fieldNotes: readonly string[];
  readonly #fields: readonly (readonly [string, Draw])[];

  constructor(options: RecordGeneratorOptions) {
    const schema = options.schema;
    this.type = parseAvroSchema(schema);
    if (typeof schema !== 'object' || Array.isArray(schema) || !['record', 'error'].includes((schema as { type: unknown }).type as string)) {
      throw new Error(`${options.where}: its schema is ${this.type.typeName}, not a record; the schema-driven generator fills records (fields by name)`);
    }
    const record = schema as AvroRecordSchema;
    const used = new Set<string>();
    const ctx: DrawContext = { named: new Map(), rules: options.rules, used, typeAt: (path) => typeAt(this.type, path), where: options.where, stack: new Map() };
    const fullName = record.name.includes('.') || record.namespace === undefined ? record.name : `${record.namespace}.${record.name}`;
    ctx.named.set(fullName, record);
    ctx.stack.set(fullName, { draw: (r, n, d) => this.#drawFields(r, n, d) });
    const namespace = record.name.includes('.') ? record.name.slice(0, record.name.lastIndexOf('.')) : record.namespace;
    const fields: (readonly [string, Draw])[] = [];
    const keyValues = new Map<string, readonly unknown[]>();
    const spoilers: Spoiler[] = [];
    const notes: string[] = [];
    for (const field of record.fields) {
      const compiled = compileDraw(field.type, field.name, ctx, namespace);
      const rule = options.rules.get(field.name);
      const scalar = compiled.scalar;
      const label = `${scalar?.label ?? describeType(typeAt(this.type, field.name))}${compiled.nullable && scalar !== undefined ? ' | null' : ''}`;
      let draw = compiled.draw;
      if (options.eventTimeFields.includes(field.name)) {
        if (rule !== undefined) throw new Error(`${options.where}: field '${field.name}' is the event time, set by the generator's clock (--start, --rate): remove its generate rule`);
        if (scalar === undefined || !['long', 'double', 'float'].includes(scalar.base)) {
          throw new Error(`${options.where}: event-time field '${field.name}' is ${label}; it must hold epoch milliseconds (a long, e.g. { "type": "long", "logicalType": "timestamp-millis" })`);
        }
        const micros = scalar.logical?.endsWith('micros') === true;
        draw = micros ? (_r, nowMs) => nowMs * 1000 : (_r, nowMs) => nowMs;
        notes.push(`${field.name}: ${label}, the event time`);
        fields.push([field.name, draw]);
        continue;
      }
      const bounded = options.keyFields.includes(field.name) && rule === undefined ? keySet(scalar, field.name, options.keys) : undefined;
      if (bounded !== undefined) {
        keyValues.set(field.name, bounded);
        draw = (random) => random.pick(bounded);
        notes.push(`${field.name}: ${label}, a key: ${bounded.length} values (${preview(bounded)})`);
      } else {
        const how = rule !== undefined ? describeRule(rule) : compiled.note;
        notes.push(`${field.name}: ${label}${how === undefined ? '' : `, ${how}`}${options.keyFields.includes(field.name) ? ', a key' : ''}`);
      }
      fields.push([field.name, draw]);
      if (!options.keyFields.includes(field.name)) spoilers.push(...spoilersOf(field.name, scalar, compiled.nullable, rule));
    }
    this.#fields = fields;
    this.keyValues = keyValues;
    this.spoilers = spoilers;
    this.usedRules = used;
    this.fieldNotes = notes;
  }

  /** A fresh valid record at event time `nowMs`. */
  draw(random: SeededRandom, nowMs: number): Record<string, unknown> {
    return this.#drawFields(random, nowMs, 0);
  }

  #drawFields(random: SeededRandom, nowMs: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, draw] of this.#fields) out[name] = draw(random, nowMs, depth + 1);
    return out;
  }
}

/** The avsc type of the field at `a.b.c`, through nullable records. */
function typeAt(root: avro.Type, path: string): avro.Type {
  let type = root;
  for (const name of path.split('.')) {
    const record = recordOf(type);
    const field = record?.fields.find((f) => f.name === name);
    if (field === undefined) throw new Error(`no field '${path}'`);
    type = field.type;
  }
  return type;
}

function recordOf(type: avro.Type): (avro.Type & { fields: { name: string; type: avro.Type }[] }) | undefined {
  const t = type as avro.Type & { fields?: { name: string; type: avro.Type }[]; types?: avro.Type[] };
  if (t.fields !== undefined) return t as avro.Type & { fields: { name: string; type: avro.Type }[] };
  return t.types?.map(recordOf).find((r) => r !== undefined);
}

function describeType(type: avro.Type): string {
  const t = type as avro.Type & { types?: avro.Type[] };
  return t.types !== undefined ? t.types.map((b) => b.typeName).join(' | ') : type.typeName;
}

function keySet(scalar: Scalar | undefined, field: string, keys: number): readonly unknown[] | undefined {
  if (scalar === undefined) return undefined;
  if (scalar.symbols !== undefined) return scalar.symbols;
  if (scalar.logical === 'uuid') {
    const random = new SeededRandom(keys);
    return Array.from({ length: keys }, () => random.uuid());
  }
  if (scalar.base === 'string') return keyStrings(field, keys);
  if (scalar.decimal !== undefined) return Array.from({ length: keys }, (_, i) => formatDecimal(BigInt(i + 1) * 10n ** BigInt(scalar.decimal?.scale ?? 0), scalar.decimal?.scale ?? 0));
  if (isNumeric(scalar)) return Array.from({ length: keys }, (_, i) => i + 1);
  return undefined;
}

/** Ways to break a field that stay valid Avro: an invalid record is a validation failure, not undecodable bytes. */
function spoilersOf(field: string, scalar: Scalar | undefined, nullable: boolean, rule: FieldRule | undefined): Spoiler[] {
  const out: Spoiler[] = [];
  const add = (configured: boolean, make: (random: SeededRandom) => unknown, reason: (v: unknown) => string): void => {
    out.push({
      field,
      configured,
      spoil: (random) => {
        const value = make(random);
        return { value, reason: reason(value) };
      },
    });
  };
  const shown = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : String(v));
  if (rule?.kind === 'range' && isNumeric(scalar)) {
    const span = rangeSpan(scalar, rule);
    const reason = (v: unknown): string => `${field} ${shown(v)} outside the configured range ${rule.min}..${rule.max}`;
    const below = span === undefined ? undefined : numberIn(scalar, span.lo - span.width, span.lo - (typeBounds(scalar).integer ? 1 : 0.01));
    const above = span === undefined ? undefined : numberIn(scalar, span.hi + (typeBounds(scalar).integer ? 1 : 0.01), span.hi + span.width);
    for (const make of [below, above]) if (make !== undefined) add(true, make, reason);
  } else if (rule?.kind === 'one-of' && scalar?.base === 'string' && scalar.logical === undefined) {
    const values = rule.values.filter((v): v is string => typeof v === 'string');
    const taken = new Set<unknown>(rule.values);
    if (values.length > 0) {
      add(true, (random) => {
        const base = random.pick(values);
        return [base.toUpperCase(), base.toLowerCase(), `${base}x`, `x${base}`].find((v) => !taken.has(v)) ?? `${base}-${random.int(1, 999)}`;
      }, (v) => `${field} ${shown(v)} is not one of the configured values`);
    }
  } else if (rule?.kind === 'pattern') {
    add(true, () => '', () => `${field} "" does not match the configured pattern "${rule.pattern.source}"`);
  } else if (rule === undefined && isNumeric(scalar)) {
    const negative = numberIn(scalar, -1000, -1);
    const huge = numberIn(scalar, 1_000_000, 2_000_000);
    for (const make of [negative, huge]) if (make !== undefined) add(false, make, (v) => `${field} set to ${shown(v)}`);
  } else if (rule === undefined && scalar?.base === 'string' && scalar.logical === undefined) {
    add(false, () => '', () => `${field} set to ""`);
  }
  if (rule === undefined && nullable) add(false, () => null, () => `${field} set to null`);
  return out;
}

function rangeSpan(scalar: Scalar, rule: Extract<FieldRule, { kind: 'range' }>): { lo: number; hi: number; width: number } | undefined {
  const lo = typeof rule.min === 'number' ? rule.min : Date.parse(rule.min);
  const hi = typeof rule.max === 'number' ? rule.max : Date.parse(rule.max);
  if (typeof rule.min === 'string' && scalar.logical === 'date') return { lo: Math.floor(lo / 86_400_000), hi: Math.floor(hi / 86_400_000), width: 30 };
  if (typeof rule.min === 'string' && scalar.logical?.endsWith('micros')) return { lo: lo * 1000, hi: hi * 1000, width: 86_400_000_000 };
  return { lo, hi, width: Math.max(hi - lo, typeBounds(scalar).integer ? 10 : 1) };
}

function describeRule(rule: FieldRule): string {
  switch (rule.kind) {
    case 'value': return `always ${JSON.stringify(rule.value)}`;
    case 'one-of': return `one of ${rule.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'range': return `${rule.min}..${rule.max}`;
    case 'pattern': return `pattern "${rule.pattern.source}" (${rule.pattern.size} values)`;
    default: return '';
  }
}

function preview(values: readonly unknown[]): string {
  const shown = values.slice(0, 3).map((v) => String(v));
  return values.length > 3 ? `${shown.join(', ')}, …` : shown.join(', ');
}
