import type { AvroField, AvroRecordSchema, AvroSchema } from '../../serde/index.js';
import type { EventGenerator, GeneratedRecord, GeneratorOptions } from './event-generator.js';
import { keyStrings } from './field-strings.js';
import type { GeneratorConfig } from './generator-config.js';
import { lateByMs, type GenerationTarget } from './generation-target.js';
import { mixRecords } from './mix-records.js';
import { expectedDeadLetters, type ExpectedDeadLetters } from './oracle-support.js';
import { RecordGenerator, type Spoiler } from './record-generator.js';
import { SeededRandom } from './seeded-random.js';
import { errorText } from '../../error-text.js';

/**
 * One source topic of a topology, with the schema its records are written with.
 *
 * @example
 * ```ts
 * const s: SchemaSource = { target, schema, schemaLabel: 'schemas/parking-event.avsc', partitions: 3 };
 * ```
 */
export interface SchemaSource {
  readonly target: GenerationTarget;
  readonly schema: AvroSchema;
  /** Where the schema came from, for what `sluice generate` prints. */
  readonly schemaLabel: string;
  readonly partitions: number;
}

/**
 * What `--oracle` writes for a schema-driven workload: counts, not results
 * (the generator cannot know what a topology computes).
 *
 * @example
 * ```ts
 * // { records: 1000, perTopic: { 'parking.events': { valid: 970, invalid: 20, late: 10, keys: 50 } }, deadLetters: { invalid: 20, late: 10, messages: [...] } }
 * ```
 */
export interface SchemaWorkloadOracle {
  readonly records: number;
  readonly perTopic: Readonly<Record<string, { readonly valid: number; readonly invalid: number; readonly late: number; readonly keys: number }>>;
  readonly deadLetters: ExpectedDeadLetters;
}

/** Tries per valid record before the topology's validation is declared out of reach of the defaults. */
const MAX_TRIES = 100;

/** A record the generator made (after a `--seed`), the same shape for every topic. */
type Value = Record<string, unknown>;

interface Source {
  readonly topic: string;
  readonly generator: RecordGenerator;
  readonly keyOf: (value: Value, random: SeededRandom) => string;
  readonly eventTimeFields: readonly { readonly field: string; readonly scale: number }[];
  readonly spoilers: readonly Spoiler[];
  readonly validators: GenerationTarget['validators'];
  readonly windowed: boolean;
  readonly notes: readonly string[];
}

/**
 * A workload for any topology, made from its plan and its source schemas:
 * random valid records of every Avro type, keyed by what the topology
 * groups by (from a bounded set of values), with the event time on the
 * generator's clock. Valid records are drawn until the topology's own
 * validate steps (those right after the source) accept them; invalid ones
 * are copies of recent valid records with one field changed until one of
 * those steps refuses them, and carry its message; without validate steps,
 * the changed field leaves its configured rule (range, values, pattern).
 * Late ones are copies older than every window's size + grace.
 *
 * @example
 * ```ts
 * const w = schemaWorkload('parking-occupancy', [source], DEFAULT_GENERATOR_CONFIG);
 * take(w.records(options), 3)[0];
 * // { topic: 'parking.events', key: 'lot-07', value: { lot_id: 'lot-07', spaces_free: 42, timestamp: 1767571200000 }, kind: 'valid', timestamp: 1767571200000 }
 * w.describe(); // what each field gets, what invalid and late mean here
 * ```
 */
export function schemaWorkload(topology: string, sources: readonly SchemaSource[], config: GeneratorConfig): EventGenerator<Value, SchemaWorkloadOracle> & { describe(): string[] } {
  const used = new Set<string>();
  const compiled = sources.map((s) => compileSource(topology, s, config, used));
  const unknown = [...config.fields.keys()].filter((path) => !used.has(path));
  if (unknown.length > 0) {
    const fields = sources.flatMap((s) => fieldNames(s.schema)).join(', ');
    throw new Error(`${config.file ?? 'generate config'}: no source of topology '${topology}' has field ${unknown.map((f) => `'${f}'`).join(', ')} (fields: ${fields}; a nested field is 'outer.inner')`);
  }
  const byTopic = new Map(compiled.map((s) => [s.topic, s]));
  const lateBy = lateByMs(sources.flatMap((s) => s.target.windows));
  return {
    name: topology,
    topologies: [topology],
    topics: sources.map((s) => ({ name: s.target.topic, partitions: s.partitions, schema: s.schemaLabel })),
    describe: () => [
      ...compiled.flatMap((s) => [`${s.topic}:`, ...s.notes.map((n) => `  ${n}`)]),
      lateBy === undefined ? 'late: the topology has no windows, so nothing is late (--late-ratio makes valid records)' : `late: copies of recent records ${lateBy / 1000} s older (more than every window's size + grace)`,
    ],
    records: (options: GeneratorOptions) => {
      const random = new SeededRandom(options.seed);
      let turn = 0;
      return mixRecords<Value>(options, random, {
        lateByMs: lateBy ?? 0,
        next: (nowMs) => {
          const source = compiled[turn++ % compiled.length] as Source;
          const value = validRecord(topology, source, random, nowMs);
          return { topic: source.topic, key: source.keyOf(value, random), value, kind: 'valid', timestamp: nowMs };
        },
        spoil: (record) => spoil(byTopic.get(record.topic) as Source, record, random),
        age: (record, byMs) => {
          const source = byTopic.get(record.topic) as Source;
          if (!source.windowed) return undefined;
          const value = { ...record.value };
          for (const { field, scale } of source.eventTimeFields) value[field] = (value[field] as number) - byMs * scale;
          return value;
        },
      });
    },
    oracle: (records) => {
      const perTopic: Record<string, { valid: number; invalid: number; late: number; keys: number }> = {};
      const keys = new Map<string, Set<string>>();
      for (const r of records) {
        const counts = (perTopic[r.topic] ??= { valid: 0, invalid: 0, late: 0, keys: 0 });
        counts[r.kind] += 1;
        const set = keys.get(r.topic) ?? new Set<string>();
        keys.set(r.topic, set.add(r.key));
        counts.keys = set.size;
      }
      return { records: records.length, perTopic, deadLetters: expectedDeadLetters(records, { windowed: lateBy !== undefined }) };
    },
  };
}

function compileSource(topology: string, source: SchemaSource, config: GeneratorConfig, used: Set<string>): Source {
  const { target, schema } = source;
  const where = `topology '${topology}', source '${target.topic}' (${source.schemaLabel})`;
  const fields = topFields(schema);
  const has = (name: string | undefined): name is string => name !== undefined && fields.some((f) => f.name === name);
  if (config.key !== undefined && !has(config.key)) {
    throw new Error(`${config.file ?? 'generate config'}: "key" names '${config.key}', which is not a top-level field of ${where} (fields: ${fields.map((f) => f.name).join(', ')})`);
  }
  const eventTimeFields = eventTimeFieldsOf(target, fields, where);
  const keyField = [config.key, target.keyColumn, ...target.groupFields].find(has);
  const keyFields = [...new Set([config.key, target.keyColumn, ...target.groupFields].filter(has))];
  const generator = new RecordGenerator({ schema, where, rules: config.fields, eventTimeFields: eventTimeFields.map((f) => f.field), keyFields, keys: config.keys });
  for (const path of generator.usedRules) used.add(path);
  const synthetic = keyStrings(target.keyColumn ?? 'key', config.keys);
  const keyOf = keyField !== undefined ? (value: Value) => String(value[keyField] ?? '') : (_value: Value, random: SeededRandom) => random.pick(synthetic);
  const validators = target.validators;
  const spoilers = validators.length > 0 ? generator.spoilers : generator.spoilers.filter((s) => s.configured);
  const notes = [
    `schema: ${source.schemaLabel}`,
    keyField !== undefined ? `Kafka key: ${keyField}` : `Kafka key: one of ${synthetic.length} (${synthetic[0]} …)${target.keyColumn !== undefined ? `, the topology's groupByKey column ${target.keyColumn}` : ''}`,
    target.eventTime.kind === 'record-timestamp'
      ? 'event time: the record timestamp'
      : `event time: ${eventTimeFields.map((f) => f.field).join(', ') || '(a function of the record; its timestamp fields are unknown)'}${target.eventTime.kind === 'function' ? ' (guessed: the topology reads it with a function)' : ''}`,
    validators.length > 0
      ? `invalid: a field changed until validate step ${validators.map((v) => `'${v.name}'`).join(' or ')} refuses the record${spoilers.length === 0 ? ' (no field can be changed: none are made)' : ''}`
      : spoilers.length > 0
        ? 'invalid: no validate step right after the source, so invalid records break a configured rule (range, values or pattern) and the topology will not dead-letter them'
        : 'invalid: none (no validate step right after the source and no configured rule to break)',
    ...generator.fieldNotes,
  ];
  return { topic: target.topic, generator, keyOf, eventTimeFields, spoilers, validators, windowed: target.windows.length > 0, notes };
}

function validRecord(topology: string, source: Source, random: SeededRandom, nowMs: number): Value {
  let refusal = '';
  for (let attempt = 0; attempt < MAX_TRIES; attempt++) {
    const value = source.generator.draw(random, nowMs);
    const verdict = refusedBy(source, value);
    if (verdict === undefined) return value;
    refusal = verdict.reason;
  }
  throw new Error(
    `topology '${topology}': ${MAX_TRIES} records in a row for source '${source.topic}' failed its validation (last: ${refusal}). ` +
      `Give the fields it checks values it accepts in topologies/${topology}.generate.json (or --config <file>), ` +
      `e.g. { "fields": { "speed": { "min": 0, "max": 120 }, "status": { "oneOf": ["OK", "LATE"] } } }`,
  );
}

/**
 * The first refusal of the source's validate steps, worded as the runtime
 * words it (`threw`: the check threw, which the runtime dead-letters as
 * `error`); undefined when all accept.
 */
function refusedBy(source: Source, value: Value): { readonly reason: string; readonly threw: boolean } | undefined {
  for (const step of source.validators) {
    let verdict: true | string | false;
    try {
      verdict = step.check(value);
    } catch (error) {
      return { reason: `step '${step.name}' threw: ${errorText(error)}`, threw: true };
    }
    if (verdict !== true) return { reason: typeof verdict === 'string' ? verdict : 'validation failed', threw: false };
  }
  return undefined;
}

function spoil(source: Source, record: GeneratedRecord<Value>, random: SeededRandom): { value: Value; reason: string } | undefined {
  const order = source.spoilers.slice();
  for (let i = order.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [order[i], order[j]] = [order[j] as Spoiler, order[i] as Spoiler];
  }
  for (const spoiler of order) {
    const { value: fieldValue, reason } = spoiler.spoil(random);
    const value = { ...record.value, [spoiler.field]: fieldValue };
    if (!source.generator.type.isValid(value)) continue;
    if (source.validators.length === 0) return { value, reason };
    const refusal = refusedBy(source, value);
    // A check that throws dead-letters as 'error', not 'invalid': not what was asked for.
    if (refusal !== undefined && !refusal.threw) return { value, reason: refusal.reason };
  }
  return undefined;
}

function eventTimeFieldsOf(target: GenerationTarget, fields: readonly AvroField[], where: string): { field: string; scale: number }[] {
  const scaleOf = (f: AvroField): number => (logicalOf(f.type)?.endsWith('micros') === true ? 1000 : 1);
  switch (target.eventTime.kind) {
    case 'record-timestamp':
      return [];
    case 'field': {
      const name = target.eventTime.field;
      const field = fields.find((f) => f.name === name);
      if (field === undefined) throw new Error(`${where}: its event time is field '${name}', which the schema does not have (fields: ${fields.map((f) => f.name).join(', ')})`);
      return [{ field: name, scale: scaleOf(field) }];
    }
    default:
      return fields.filter((f) => logicalOf(f.type)?.startsWith('timestamp-') === true).map((f) => ({ field: f.name, scale: scaleOf(f) }));
  }
}

function logicalOf(type: AvroSchema): string | undefined {
  if (Array.isArray(type)) return (type as readonly AvroSchema[]).map(logicalOf).find((l) => l !== undefined);
  if (typeof type !== 'object') return undefined;
  const object = type as { logicalType?: unknown; type?: unknown };
  if (typeof object.logicalType === 'string') return object.logicalType;
  return typeof object.type === 'object' && object.type !== null ? logicalOf(object.type as AvroSchema) : undefined;
}

function topFields(schema: AvroSchema): readonly AvroField[] {
  return typeof schema === 'object' && !Array.isArray(schema) && Array.isArray((schema as AvroRecordSchema).fields) ? (schema as AvroRecordSchema).fields : [];
}

function fieldNames(schema: AvroSchema): string[] {
  const out: string[] = [];
  const visit = (s: AvroSchema, prefix: string): void => {
    for (const f of topFields(s)) {
      out.push(`${prefix}${f.name}`);
      const inner = Array.isArray(f.type) ? (f.type as readonly AvroSchema[]).find((b) => topFields(b).length > 0) : f.type;
      if (inner !== undefined && prefix.split('.').length < 4) visit(inner, `${prefix}${f.name}.`);
    }
  };
  visit(schema, '');
  return out;
}
