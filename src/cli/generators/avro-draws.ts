import type avro from 'avsc';
import type { AvroSchema } from '../../serde/index.js';
import { describeStringDraw, stringDrawFor } from './field-strings.js';
import type { FieldRule } from './generator-config.js';
import { round } from './round.js';
import { boundIn, formatDecimal, isNumeric, numberIn, typeBounds, type Scalar } from './scalar-values.js';

export type { Scalar };
import type { SeededRandom } from './seeded-random.js';

/**
 * Makes one value; `nowMs` is the record's event time, `depth` guards recursive schemas.
 *
 * @example
 * ```ts
 * const draw: Draw = (random) => random.int(0, 100);
 * ```
 */
export type Draw = (random: SeededRandom, nowMs: number, depth: number) => unknown;

/**
 * What compiling a schema gives: how to draw a value, and, for a scalar
 * or a scalar-or-null union, that scalar (what key values, ranges and
 * invalid values are made of).
 *
 * @example
 * ```ts
 * compiled.draw(random, Date.now(), 0); // 42
 * compiled.scalar?.base;                // 'int'
 * ```
 */
export interface Compiled {
  readonly draw: Draw;
  readonly scalar: Scalar | undefined;
  readonly nullable: boolean;
  /** What the default draw makes, for what `sluice generate` prints (`0..100`, `the last hour`). */
  readonly note?: string;
}

/**
 * What compiling one schema carries along: its named types, the rules by
 * field path and which of them a field took, and the records being compiled.
 *
 * @example
 * ```ts
 * const ctx: DrawContext = { named: new Map(), rules, used: new Set(), typeAt, where: "source 'parking.events'", stack: new Map() };
 * ```
 */
export interface DrawContext {
  readonly named: Map<string, Exclude<AvroSchema, string | readonly AvroSchema[]>>;
  readonly rules: ReadonlyMap<string, FieldRule>;
  readonly used: Set<string>;
  /** The avsc type of the field at a path (rule values are checked with it). */
  readonly typeAt: (path: string) => avro.Type;
  /** Names the schema in messages: `source 'parking.events' (schemas/parking-event.avsc)`. */
  readonly where: string;
  /** Records on the compile path, so a recursive reference reuses its ancestor. */
  readonly stack: Map<string, { draw: Draw }>;
}

const MAX_DEPTH = 4;
const DAY_MS = 86_400_000;
const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string']);
/** A long named like a time but without a logical type is most likely epoch millis. */
const TIME_NAME = /(time|timestamp|_at|_ts|_ms|date)$/i;

/**
 * Compiles the schema of the field at `path` (its name, `outer.inner` when
 * nested) into a draw; a rule configured for the path replaces the default
 * and is checked against the field's type, failing with the field, the rule
 * and the type.
 *
 * @example
 * ```ts
 * compileDraw({ type: 'int' }, 'spaces_free', context).draw(random, 0, 0); // 0..100
 * ```
 */
export function compileDraw(schema: AvroSchema, path: string, ctx: DrawContext, namespace?: string): Compiled {
  const rule = ctx.rules.get(path);
  const compiled = compileType(schema, path, ctx, namespace);
  if (rule === undefined) return compiled;
  ctx.used.add(path);
  return { ...compiled, draw: ruleDraw(rule, compiled, path, ctx) };
}

function compileType(schema: AvroSchema, path: string, ctx: DrawContext, namespace: string | undefined): Compiled {
  const field = path.slice(path.lastIndexOf('.') + 1);
  if (Array.isArray(schema)) return compileUnion(schema as readonly AvroSchema[], path, ctx, namespace);
  if (typeof schema === 'string') {
    if (PRIMITIVES.has(schema)) return primitive(schema, undefined, field, {});
    const named = ctx.named.get(schema.includes('.') || namespace === undefined ? schema : `${namespace}.${schema}`) ?? ctx.named.get(schema);
    if (named === undefined) throw new Error(`${ctx.where}: field '${path}' refers to type '${schema}', which the schema does not define`);
    return compileType(named, path, ctx, namespace);
  }
  const object = schema as Exclude<AvroSchema, string | readonly AvroSchema[]>;
  const type = object.type as unknown;
  if (typeof type !== 'string' || !(PRIMITIVES.has(type) || ['record', 'error', 'enum', 'array', 'map', 'fixed'].includes(type))) {
    // `{ "type": <a whole schema> }` nests a schema.
    return compileType(type as AvroSchema, path, ctx, namespace);
  }
  const name = typeof object.name === 'string' ? object.name : undefined;
  const ns = name?.includes('.') ? name.slice(0, name.lastIndexOf('.')) : typeof object.namespace === 'string' ? object.namespace : namespace;
  const full = name === undefined ? undefined : name.includes('.') || ns === undefined ? name : `${ns}.${name}`;
  if (full !== undefined) ctx.named.set(full, object);
  if (PRIMITIVES.has(type)) return primitive(type, typeof object.logicalType === 'string' ? object.logicalType : undefined, field, object);
  switch (type) {
    case 'enum': {
      const symbols = object.symbols as readonly string[];
      return { draw: (random) => random.pick(symbols), scalar: { base: 'enum', logical: undefined, label: `enum ${name ?? ''}`.trim(), symbols }, nullable: false };
    }
    case 'fixed': {
      const size = object.size as number;
      if (object.logicalType === 'decimal') {
        const decimal = decimalOf(object, 2n ** BigInt(size * 8 - 1) - 1n);
        if (decimal !== undefined) return decimalCompiled(decimal, `fixed(${size}) (decimal)`);
      }
      return { draw: (random) => bytes(random, size), scalar: undefined, nullable: false };
    }
    case 'array': {
      const items = compileDraw(object.items as AvroSchema, `${path}[]`, ctx, ns);
      return {
        draw: (random, nowMs, depth) => Array.from({ length: depth >= MAX_DEPTH ? 0 : random.int(0, 3) }, () => items.draw(random, nowMs, depth + 1)),
        scalar: undefined,
        nullable: false,
      };
    }
    case 'map': {
      const values = compileDraw(object.values as AvroSchema, `${path}{}`, ctx, ns);
      const key = stringDrawFor('key');
      return {
        draw: (random, nowMs, depth) => {
          const out: Record<string, unknown> = {};
          const n = depth >= MAX_DEPTH ? 0 : random.int(0, 3);
          for (let i = 0; i < n; i++) out[key(random)] = values.draw(random, nowMs, depth + 1);
          return out;
        },
        scalar: undefined,
        nullable: false,
      };
    }
    default:
      return compileRecord(object, full ?? path, path, ctx, ns);
  }
}

function compileRecord(object: Record<string, unknown>, full: string, path: string, ctx: DrawContext, ns: string | undefined): Compiled {
  const ancestor = ctx.stack.get(full);
  if (ancestor !== undefined) return { draw: (r, n, d) => ancestor.draw(r, n, d), scalar: undefined, nullable: false };
  const holder = { draw: (() => undefined) as Draw };
  ctx.stack.set(full, holder);
  const prefix = path === '' ? '' : `${path}.`;
  const fields = (object.fields as readonly { name: string; type: AvroSchema }[]).map((f) => [f.name, compileDraw(f.type, `${prefix}${f.name}`, ctx, ns).draw] as const);
  ctx.stack.delete(full);
  holder.draw = (random, nowMs, depth) => {
    const out: Record<string, unknown> = {};
    for (const [name, draw] of fields) out[name] = draw(random, nowMs, depth + 1);
    return out;
  };
  return { draw: holder.draw, scalar: undefined, nullable: false };
}

function compileUnion(branches: readonly AvroSchema[], path: string, ctx: DrawContext, namespace: string | undefined): Compiled {
  const compiled = branches.map((b) => compileType(b, path, ctx, namespace));
  const nullIndex = branches.findIndex((b) => b === 'null' || (typeof b === 'object' && !Array.isArray(b) && (b as { type?: unknown }).type === 'null'));
  const others = compiled.filter((_, i) => i !== nullIndex);
  const nullable = nullIndex >= 0;
  const draw: Draw = (random, nowMs, depth) => {
    // Deep inside a recursive schema, null ends the recursion; elsewhere it is the odd value out.
    if (nullable && (others.length === 0 || depth >= MAX_DEPTH || random.chance(0.1))) return null;
    return random.pick(others).draw(random, nowMs, depth);
  };
  const only = others.length === 1 ? others[0] : undefined;
  return { draw, scalar: only?.scalar, nullable, ...(only?.note === undefined ? {} : { note: `${only.note}, or null one time in ten` }) };
}

function primitive(type: string, logical: string | undefined, field: string, object: Record<string, unknown>): Compiled {
  const plain = (draw: Draw, label: string, note?: string): Compiled => ({ draw, scalar: { base: type, logical, label }, nullable: false, ...(note === undefined ? {} : { note }) });
  const tagged = `${type} (${logical})`;
  switch (logical) {
    case 'timestamp-millis':
    case 'local-timestamp-millis':
      if (type === 'long') return plain((random, nowMs) => nowMs - random.int(0, 3_600_000), tagged, 'in the hour before the event time');
      break;
    case 'timestamp-micros':
    case 'local-timestamp-micros':
      if (type === 'long') return plain((random, nowMs) => (nowMs - random.int(0, 3_600_000)) * 1000 + random.int(0, 999), tagged, 'in the hour before the event time');
      break;
    case 'date':
      if (type === 'int') return plain((_random, nowMs) => Math.floor(nowMs / DAY_MS), tagged, 'the event time\'s day');
      break;
    case 'time-millis':
      if (type === 'int') return plain((random) => random.int(0, DAY_MS - 1), tagged);
      break;
    case 'time-micros':
      if (type === 'long') return plain((random) => random.int(0, DAY_MS - 1) * 1000 + random.int(0, 999), tagged);
      break;
    case 'uuid':
      if (type === 'string') return plain((random) => random.uuid(), tagged);
      break;
    case 'decimal':
      if (type === 'bytes') {
        const decimal = decimalOf(object, undefined);
        if (decimal !== undefined) return decimalCompiled(decimal, tagged);
      }
      break;
    default:
      break;
  }
  // An unknown logical type (or one on the wrong type) reads as its underlying type, as avsc does.
  return { ...defaultPrimitive(type, field), scalar: { base: type, logical: undefined, label: type }, nullable: false };
}

function defaultPrimitive(type: string, field: string): { readonly draw: Draw; readonly note?: string } {
  switch (type) {
    case 'null': return { draw: () => null };
    case 'boolean': return { draw: (random) => random.chance(0.5) };
    case 'int': return { draw: (random) => random.int(0, 100), note: '0..100' };
    case 'long':
      return TIME_NAME.test(field)
        ? { draw: (random, nowMs) => nowMs - random.int(0, 3_600_000), note: 'epoch ms in the hour before the event time (by its name)' }
        : { draw: (random) => random.int(0, 10_000), note: '0..10000' };
    case 'float':
    case 'double': return { draw: (random) => round(random.between(0, 100), 2), note: '0..100' };
    case 'bytes': return { draw: (random) => bytes(random, random.int(1, 16)), note: '1 to 16 random bytes' };
    default: return { draw: stringDrawFor(field), note: describeStringDraw(field) };
  }
}

function decimalOf(object: Record<string, unknown>, capacity: bigint | undefined): { scale: number; maxUnscaled: bigint } | undefined {
  const { precision, scale = 0 } = object as { precision?: unknown; scale?: unknown };
  if (typeof precision !== 'number' || !Number.isInteger(precision) || precision < 1) return undefined;
  if (typeof scale !== 'number' || !Number.isInteger(scale) || scale < 0 || scale > precision) return undefined;
  let max = 10n ** BigInt(precision) - 1n;
  if (capacity !== undefined && capacity < max) max = capacity;
  return { scale, maxUnscaled: max };
}

function decimalCompiled(decimal: { scale: number; maxUnscaled: bigint }, label: string): Compiled {
  // Amounts up to 1,000 read like amounts; the precision may allow less.
  const cap = 1000n * 10n ** BigInt(decimal.scale);
  const hi = Number(decimal.maxUnscaled < cap ? decimal.maxUnscaled : cap);
  return {
    draw: (random) => formatDecimal(BigInt(random.int(0, hi)), decimal.scale),
    scalar: { base: 'decimal', logical: 'decimal', label, decimal },
    nullable: false,
    note: `0..${formatDecimal(BigInt(hi), decimal.scale)}`,
  };
}

function bytes(random: SeededRandom, size: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) out[i] = random.int(0, 255);
  return out;
}

function ruleDraw(rule: FieldRule, compiled: Compiled, path: string, ctx: DrawContext): Draw {
  const type = ctx.typeAt(path);
  const fail = (problem: string): never => {
    throw new Error(`${ctx.where}: the generate rule for field '${path}' ${problem}`);
  };
  const fits = (v: unknown): void => {
    if (!type.isValid(v)) fail(`gives ${JSON.stringify(v)}, which is not a valid ${compiled.scalar?.label ?? type.typeName}`);
  };
  const scalar = compiled.scalar;
  switch (rule.kind) {
    case 'value':
      fits(rule.value);
      return () => rule.value;
    case 'one-of':
      rule.values.forEach(fits);
      return (random) => random.pick(rule.values);
    case 'pattern':
      if (scalar?.base !== 'string') fail(`is a pattern, but the field is ${scalar?.label ?? type.typeName}, not a string`);
      return (random) => rule.pattern.draw(random);
    case 'range': {
      if (!isNumeric(scalar)) return fail(`is a range, but the field is ${(scalar as Scalar | undefined)?.label ?? type.typeName}, not a number, decimal or time`);
      const s = scalar;
      const [lo, hi] = [boundIn(s, rule.min), boundIn(s, rule.max)];
      if (lo === undefined || hi === undefined) return fail(`has ISO-8601 times, but the field is a plain ${s.label}: give numbers`);
      const draw = numberIn(s, lo, hi);
      if (draw === undefined || lo < typeBounds(s).lo || hi > typeBounds(s).hi) fail(`${lo}..${hi} holds no ${s.label} value, or leaves the type's range`);
      return draw as (random: SeededRandom) => unknown;
    }
    default: {
      const never: never = rule;
      return never;
    }
  }
}
