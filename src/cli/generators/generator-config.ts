import { readFile } from 'node:fs/promises';
import { parseStringPattern, type StringPattern } from './string-pattern.js';
import { errorText } from '../../error-text.js';

/**
 * How the schema-driven generator fills one field (see {@link GeneratorConfig}).
 *
 * @example
 * ```ts
 * const rules: FieldRule[] = [
 *   { kind: 'value', value: 'sensor' },
 *   { kind: 'one-of', values: ['FREE', 'TAKEN'] },
 *   { kind: 'range', min: 0, max: 400 },
 *   { kind: 'pattern', pattern: parseStringPattern('lot-{1..20}') },
 * ];
 * ```
 */
export type FieldRule =
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'one-of'; readonly values: readonly unknown[] }
  | { readonly kind: 'range'; readonly min: number | string; readonly max: number | string }
  | { readonly kind: 'pattern'; readonly pattern: StringPattern };

/**
 * The optional per-topology settings of `sluice generate` for a topology
 * without a hand-written workload: `topologies/<name>.generate.json` beside
 * the topology, or the file given with `--config`.
 *
 * ```json
 * {
 *   "partitions": 3,
 *   "keys": 20,
 *   "key": "lot_id",
 *   "fields": {
 *     "lot_id": { "pattern": "lot-{1..20}" },
 *     "spaces_free": { "min": 0, "max": 400 },
 *     "status": { "oneOf": ["FREE", "TAKEN"] },
 *     "observed_at": { "min": "2026-01-01T00:00:00Z", "max": "2026-01-02T00:00:00Z" },
 *     "source": "sensor",
 *     "vehicle.plate": { "pattern": "AB-{100..999}" }
 *   }
 * }
 * ```
 *
 * @example
 * ```ts
 * parseGeneratorConfig('{"fields":{"spaces_free":{"min":0,"max":400}}}', 'generate.json').fields.get('spaces_free');
 * // { kind: 'range', min: 0, max: 400 }
 * ```
 */
export interface GeneratorConfig {
  /** Where it was read from, for messages; undefined for the defaults. */
  readonly file: string | undefined;
  /** Partitions of a source topic the generator creates (an existing topic keeps its own). */
  readonly partitions: number | undefined;
  /** Distinct values of each key field (and of the Kafka key). */
  readonly keys: number;
  /** The top-level field whose value is the Kafka key, instead of the one the topology groups by. */
  readonly key: string | undefined;
  /** Rules by field path: `name`, or `outer.inner` for a field of a nested record. */
  readonly fields: ReadonlyMap<string, FieldRule>;
}

/** Distinct key values when the config says nothing: enough for aggregations to group something. */
export const DEFAULT_KEYS = 50;

/**
 * The settings used when there is no config file.
 *
 * @example
 * ```ts
 * DEFAULT_GENERATOR_CONFIG.keys; // 50
 * ```
 */
export const DEFAULT_GENERATOR_CONFIG: GeneratorConfig = Object.freeze({
  file: undefined,
  partitions: undefined,
  keys: DEFAULT_KEYS,
  key: undefined,
  fields: new Map<string, FieldRule>(),
});

/** A config file that cannot be used; the message names the file, the setting and the fix. */
export class GeneratorConfigError extends Error {
  override readonly name = 'GeneratorConfigError';
}

const TOP_LEVEL = ['partitions', 'keys', 'key', 'fields'];
const RULE_KEYS = ['value', 'oneOf', 'min', 'max', 'pattern'];

/**
 * Parses and checks the shape of a config (what fits each field's type is
 * checked against the schema later, by the generator).
 *
 * @example
 * ```ts
 * parseGeneratorConfig('{"keys": 0}', 'parking.generate.json');
 * // GeneratorConfigError: parking.generate.json: "keys" must be a whole number ≥ 1, got 0
 * ```
 */
export function parseGeneratorConfig(text: string, file: string): GeneratorConfig {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new GeneratorConfigError(`${file}: not valid JSON (${errorText(error)})`);
  }
  const fail = (message: string): never => {
    throw new GeneratorConfigError(`${file}: ${message}`);
  };
  if (!isObject(json)) return fail(`expected an object such as { "fields": { "speed": { "min": 0, "max": 120 } } }, got ${show(json)}`);
  const unknown = Object.keys(json).filter((k) => !TOP_LEVEL.includes(k));
  if (unknown.length > 0) fail(`unknown setting ${unknown.map((k) => `"${k}"`).join(', ')} (settings: ${TOP_LEVEL.join(', ')})`);
  const whole = (name: string): number | undefined => {
    const v = json[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(`"${name}" must be a whole number ≥ 1, got ${show(v)}`);
    return v as number;
  };
  const partitions = whole('partitions');
  const keys = whole('keys') ?? DEFAULT_KEYS;
  const key = json.key;
  if (key !== undefined && (typeof key !== 'string' || key === '')) fail(`"key" must name a top-level field, got ${show(key)}`);
  const fieldsJson = json.fields ?? {};
  if (!isObject(fieldsJson)) return fail(`"fields" must be an object of field rules, got ${show(fieldsJson)}`);
  const fields = new Map<string, FieldRule>();
  for (const [path, raw] of Object.entries(fieldsJson)) fields.set(path, parseRule(raw, (m) => fail(`field "${path}": ${m}`)));
  return { file, partitions, keys, key: key as string | undefined, fields };
}

/**
 * Reads a config file; `required: false` (the default file beside the
 * topology) makes a missing file the defaults.
 *
 * @example
 * ```ts
 * await loadGeneratorConfig('topologies/parking-occupancy.generate.json', { required: false }); // DEFAULT_GENERATOR_CONFIG when absent
 * ```
 */
export async function loadGeneratorConfig(path: string, options: { readonly required: boolean; readonly shown?: string }): Promise<GeneratorConfig> {
  const shown = options.shown ?? path;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (!options.required && (error as NodeJS.ErrnoException).code === 'ENOENT') return DEFAULT_GENERATOR_CONFIG;
    throw new GeneratorConfigError(`cannot read the generate config ${shown}: ${(error as Error).message}`);
  }
  return parseGeneratorConfig(text, shown);
}

function parseRule(raw: unknown, fail: (message: string) => never): FieldRule {
  if (!isObject(raw)) return { kind: 'value', value: raw };
  const keys = Object.keys(raw);
  const unknown = keys.filter((k) => !RULE_KEYS.includes(k));
  const forms = '{ "value": v }, { "oneOf": [a, b] }, { "min": a, "max": b } or { "pattern": "lot-{1..20}" }';
  if (unknown.length > 0) fail(`unknown rule ${unknown.map((k) => `"${k}"`).join(', ')}: use ${forms} (a fixed value that is an object: { "value": {…} })`);
  const has = (k: string): boolean => Object.hasOwn(raw, k);
  const kinds = ['value', 'oneOf', 'pattern', 'range'].filter((k) => (k === 'range' ? has('min') || has('max') : has(k)));
  if (kinds.length !== 1) fail(`give exactly one of ${forms}, got ${show(raw)}`);
  if (has('value')) return { kind: 'value', value: raw.value };
  if (has('oneOf')) {
    const values = raw.oneOf;
    if (!Array.isArray(values) || values.length === 0) fail(`"oneOf" must be a non-empty array, got ${show(values)}`);
    return { kind: 'one-of', values: values as unknown[] };
  }
  if (has('pattern')) {
    if (typeof raw.pattern !== 'string') fail(`"pattern" must be a string such as "lot-{1..20}", got ${show(raw.pattern)}`);
    try {
      return { kind: 'pattern', pattern: parseStringPattern(raw.pattern as string) };
    } catch (error) {
      return fail((error as Error).message);
    }
  }
  const bound = (name: 'min' | 'max'): number | string => {
    const v = raw[name];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && !Number.isNaN(Date.parse(v))) return v;
    return fail(`"min" and "max" go together, each a number or an ISO-8601 time such as "2026-01-05T08:00:00Z"; "${name}" is ${show(v)}`);
  };
  const min = bound('min');
  const max = bound('max');
  if (typeof min !== typeof max) fail(`"min" and "max" must both be numbers or both ISO-8601 times, got ${show(min)} and ${show(max)}`);
  const order = typeof min === 'number' ? min - (max as number) : Date.parse(min) - Date.parse(max as string);
  if (order > 0) fail(`"min" ${show(min)} is above "max" ${show(max)}`);
  return { kind: 'range', min, max };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function show(v: unknown): string {
  return v === undefined ? 'nothing' : JSON.stringify(v);
}
