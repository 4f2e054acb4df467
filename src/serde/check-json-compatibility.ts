import type { CompatibilityLevel, CompatibilityResult } from './schema-registry.js';
import type { JsonSchema } from './schema-document.js';

/**
 * An existing JSON Schema version of a subject, for {@link checkJsonCompatibility}.
 *
 * @example
 * ```ts
 * const v1: JsonSchemaVersion = { version: 1, schema: orderV1 };
 * ```
 */
export interface JsonSchemaVersion {
  readonly version: number;
  readonly schema: JsonSchema;
}

/**
 * Checks a candidate JSON Schema against a subject's versions under a
 * compatibility level, locally: BACKWARD = every record the previous schema
 * accepts, the candidate accepts too; FORWARD the other way round; FULL both.
 * It judges what commonly breaks a reader — a type changed or narrowed, a
 * property newly required, a property dropped from a closed object
 * (`additionalProperties: false`), enum values removed, tighter bounds — not
 * every keyword of JSON Schema; the registry stays the judge of what it
 * registers, this explains its refusals and stands in for it in tests.
 *
 * @example
 * ```ts
 * checkJsonCompatibility(orderV2, [{ version: 1, schema: orderV1 }], 'BACKWARD');
 * // { compatible: false, messages: ["property 'amount' changed type from number to string: a reader with the new
 * //   schema cannot read data written with the old one (BACKWARD)"] }
 * ```
 */
export function checkJsonCompatibility(
  candidate: JsonSchema,
  existing: readonly JsonSchemaVersion[],
  level: CompatibilityLevel,
): CompatibilityResult {
  if (level === 'NONE' || existing.length === 0) return { compatible: true, messages: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const targets = transitive ? existing : existing.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const messages: string[] = [];
  for (const previous of targets) {
    const found = [
      ...(backward ? explain(candidate, previous.schema, 'new', level) : []),
      ...(forward ? explain(previous.schema, candidate, 'old', level) : []),
    ];
    messages.push(...(transitive && targets.length > 1 ? found.map((m) => `version ${previous.version}: ${m}`) : found));
  }
  return { compatible: messages.length === 0, messages };
}

function explain(reader: JsonSchema, writer: JsonSchema, readerRole: 'new' | 'old', rule: CompatibilityLevel): string[] {
  const reasons: string[] = [];
  walk(reader, writer, '', reasons);
  const writerRole = readerRole === 'new' ? 'old' : 'new';
  return reasons.map((r) => `${r}: a reader with the ${readerRole} schema cannot read data written with the ${writerRole} one (${rule})`);
}

const BOUNDS_MIN = ['minimum', 'exclusiveMinimum', 'minLength', 'minItems', 'minProperties'] as const;
const BOUNDS_MAX = ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

/** Pushes why data valid under `writer` may fail `reader`, at `path`. */
function walk(reader: unknown, writer: unknown, path: string, out: string[]): void {
  if (reader === true || writer === false || !isObject(reader)) return;
  if (!isObject(writer)) {
    if (Object.keys(reader).some((k) => k !== '$schema' && k !== '$id' && k !== 'title' && k !== 'description')) {
      out.push(`${label(path)} accepted anything and is now constrained`);
    }
    return;
  }
  const readerTypes = typesOf(reader);
  const writerTypes = typesOf(writer);
  if (readerTypes !== undefined) {
    const lost = writerTypes === undefined ? ['any type'] : writerTypes.filter((t) => !accepts(readerTypes, t));
    if (lost.length > 0) {
      out.push(`${label(path)} changed type from ${(writerTypes ?? ['any']).join(' | ')} to ${readerTypes.join(' | ')}`);
      return;
    }
  }
  if (Array.isArray(reader.enum)) {
    const allowed = reader.enum.map((v) => JSON.stringify(v));
    const from = Array.isArray(writer.enum) ? writer.enum.map((v) => JSON.stringify(v)) : undefined;
    const removed = from === undefined ? ['(any value)'] : from.filter((v) => !allowed.includes(v));
    if (removed.length > 0) out.push(`${label(path)} no longer accepts ${removed.join(', ')} (enum)`);
  }
  if ('const' in reader && JSON.stringify(reader.const) !== JSON.stringify(writer.const)) {
    out.push(`${label(path)} must now be ${JSON.stringify(reader.const)}`);
  }
  for (const k of BOUNDS_MIN) tighter(reader[k], writer[k], (r, w) => r > w, `${k} rose`, path, out);
  for (const k of BOUNDS_MAX) tighter(reader[k], writer[k], (r, w) => r < w, `${k} fell`, path, out);
  walkObject(reader, writer, path, out);
  if (reader.items !== undefined && !Array.isArray(reader.items)) {
    walk(reader.items, Array.isArray(writer.items) ? true : writer.items ?? true, `${path}[]`, out);
  }
}

function walkObject(reader: Record<string, unknown>, writer: Record<string, unknown>, path: string, out: string[]): void {
  const readerProps = isObject(reader.properties) ? reader.properties : {};
  const writerProps = isObject(writer.properties) ? writer.properties : {};
  if (reader.additionalProperties === false && writer.additionalProperties !== false && (typesOf(writer)?.includes('object') ?? true)) {
    out.push(`${label(path)} was closed (additionalProperties: false) and may have held other properties`);
  }
  const writerRequired = new Set(Array.isArray(writer.required) ? writer.required : []);
  for (const name of Array.isArray(reader.required) ? reader.required : []) {
    if (typeof name === 'string' && !writerRequired.has(name)) {
      out.push(`${label(join(path, name))} is required now and was ${name in writerProps ? 'optional' : 'not there'} before`);
    }
  }
  for (const [name, schema] of Object.entries(writerProps)) {
    if (name in readerProps) walk(readerProps[name], schema, join(path, name), out);
    else if (reader.additionalProperties === false) out.push(`${label(join(path, name))} was removed from a closed object (additionalProperties: false)`);
    else if (reader.additionalProperties !== undefined) walk(reader.additionalProperties, schema, join(path, name), out);
  }
  if (writer.additionalProperties !== false) {
    for (const [name, schema] of Object.entries(readerProps)) {
      // The writer's open object let any value through under this name.
      if (!(name in writerProps)) walk(schema, writer.additionalProperties ?? true, join(path, name), out);
    }
  }
}

function tighter(r: unknown, w: unknown, worse: (r: number, w: number) => boolean, what: string, path: string, out: string[]): void {
  if (typeof r !== 'number') return;
  if (typeof w !== 'number') out.push(`${label(path)}: ${what.split(' ')[0]} ${r} is new`);
  else if (worse(r, w)) out.push(`${label(path)}: ${what} from ${w} to ${r}`);
}

function typesOf(schema: Record<string, unknown>): string[] | undefined {
  const t = schema.type;
  if (typeof t === 'string') return [t];
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : undefined;
}

function accepts(types: readonly string[], type: string): boolean {
  return types.includes(type) || (type === 'integer' && types.includes('number'));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function join(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function label(path: string): string {
  return path === '' ? 'the value' : `property '${path}'`;
}
