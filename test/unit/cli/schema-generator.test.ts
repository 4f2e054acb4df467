import avro from 'avsc';
import { count, plan, topology, tumbling, type Topology } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { take, type GeneratedRecord, type GeneratorOptions } from '../../../src/cli/generators/event-generator.js';
import { generationTargets } from '../../../src/cli/generators/generation-target.js';
import { DEFAULT_GENERATOR_CONFIG, parseGeneratorConfig, type GeneratorConfig } from '../../../src/cli/generators/generator-config.js';
import { schemaWorkload } from '../../../src/cli/generators/schema-generator.js';
import { DecimalType, type AvroSchema } from '../../../src/serde/index.js';
import { PARKING_SCHEMA } from '../../support/parking-project.js';

const START_MS = Date.UTC(2026, 0, 5, 8, 0, 0);
const OPTIONS: GeneratorOptions = { seed: 20260105, startMs: START_MS, eventsPerSecond: 20, invalidRatio: 0.1, lateRatio: 0.05 };
const DAY_MS = 86_400_000;

type Parking = { readonly lot_id: string; readonly bay: number; readonly timestamp: number };

/** The user's parking topology of issue 18, with the schema inline (no file needed). */
function parking(options: { validate?: boolean } = {}): Topology {
  const source = topology('parking-occupancy').source<Parking>('parking.events', { schema: PARKING_SCHEMA, eventTime: 'timestamp' });
  const checked = options.validate === false ? source : source.validate('bay-range', (e) => (e.bay >= 1 && e.bay <= 400) || `bay ${e.bay} outside 1..400`);
  return checked.deadLetter('parking.events.dlq').groupBy('by-lot', 'lot_id')
    .window('per-minute', tumbling('1m'), { grace: '10s' }).aggregate('occupancy', { events: count() }).toTable('parking.occupancy.1m');
}

function workloadOf(t: Topology, config: GeneratorConfig = DEFAULT_GENERATOR_CONFIG, schema: AvroSchema = PARKING_SCHEMA) {
  const sources = generationTargets(plan(t)).map((target) => ({ target, schema, schemaLabel: 'inline', partitions: 3 }));
  return schemaWorkload('parking-occupancy', sources, config);
}

const config = (json: object): GeneratorConfig => parseGeneratorConfig(JSON.stringify(json), 'parking.generate.json');

/** The oracle: avsc itself, with the one logical type Sluice registers (decimals as exact strings), knows nothing of the generator. */
const avscType = avro.Type.forSchema(PARKING_SCHEMA as avro.Schema, { wrapUnions: 'never', logicalTypes: { decimal: DecimalType } });

describe('the schema-driven generator', () => {
  const records = take(workloadOf(parking()).records(OPTIONS), 4_000);
  const values = records.map((r) => r.value as Record<string, unknown>);

  test('every record is valid for avsc, field by field, and encodes', () => {
    for (const value of values) {
      const problems: string[] = [];
      avscType.isValid(value, { errorHook: (path: string[]) => problems.push(path.join('.')) });
      expect(problems, JSON.stringify(value)).toEqual([]);
      expect(avscType.fromBuffer(avscType.toBuffer(value))).toMatchObject({ lot_id: value.lot_id, fee: value.fee, deposit: value.deposit });
    }
  });

  test('each type gets values of its kind, and unions and collections take every shape', () => {
    const seen = (field: string): unknown[] => values.map((v) => v[field]);
    const nowOf = (i: number): number => records[i]!.timestamp!;
    expect(new Set(seen('kind'))).toEqual(new Set(['ARRIVAL', 'DEPARTURE', 'FAULT']));
    expect(new Set(seen('paid'))).toEqual(new Set([true, false]));
    expect(seen('plate').some((p) => p === null) && seen('plate').some((p) => typeof p === 'string')).toBe(true);
    expect(new Set(seen('extra').map((e) => (e === null ? 'null' : typeof e)))).toEqual(new Set(['null', 'number', 'string']));
    expect(seen('fee').every((f) => typeof f === 'string' && /^\d{1,4}\.\d{2}$/.test(f))).toBe(true);
    expect(seen('deposit').every((f) => typeof f === 'string' && /^\d{1,5}\.\d{2}$/.test(f))).toBe(true);
    expect(seen('sensor_id').every((u) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(String(u)))).toBe(true);
    expect(seen('checksum').every((c) => Buffer.isBuffer(c) && c.length === 4)).toBe(true);
    expect(seen('raw').every((c) => Buffer.isBuffer(c) && c.length >= 1)).toBe(true);
    expect(seen('opened_at').every((t) => Number.isInteger(t) && (t as number) >= 0 && (t as number) < DAY_MS)).toBe(true);
    expect(seen('closed_at').every((t) => Number.isInteger(t) && (t as number) >= 0 && (t as number) < DAY_MS * 1000)).toBe(true);
    expect(seen('tags').some((t) => (t as unknown[]).length === 0) && seen('tags').some((t) => (t as unknown[]).length > 1)).toBe(true);
    expect(seen('readings').some((m) => Object.keys(m as object).length > 0)).toBe(true);
    expect(seen('vehicle').some((v) => v === null)).toBe(true);
    expect(seen('vehicle').filter((v) => v !== null).every((v) => ['ARRIVAL', 'DEPARTURE', 'FAULT'].includes((v as { kind: string }).kind))).toBe(true);
    expect(seen('nothing').every((n) => n === null)).toBe(true);
    records.forEach((r, i) => {
      if (r.kind !== 'valid') return;
      const v = r.value as Record<string, number>;
      expect(v.timestamp).toBe(nowOf(i)); // the event time is the record's timestamp, on the clock
      expect(v.day).toBe(Math.floor(nowOf(i) / DAY_MS));
      expect(v.seen_micros! / 1000).toBeLessThanOrEqual(nowOf(i) + 1);
      expect(v.seen_micros! / 1000).toBeGreaterThanOrEqual(nowOf(i) - 3_600_000);
    });
  });

  test('the event time moves on the clock: one record every 1/rate s from --start', () => {
    const valid = records.map((r, i) => [r, i] as const).filter(([r]) => r.kind === 'valid');
    for (const [r, i] of valid) expect(r.timestamp).toBe(Math.round(START_MS + (i * 1000) / OPTIONS.eventsPerSecond));
  });

  test('keys come from the field the topology groups by, 50 values', () => {
    const keys = new Set(records.map((r) => r.key));
    expect(records.every((r) => r.key === (r.value as Parking).lot_id)).toBe(true);
    expect(keys.size).toBe(50);
    expect([...keys].every((k) => /^lot-\d{2}$/.test(k))).toBe(true);
    const few = take(workloadOf(parking(), config({ keys: 7 })).records(OPTIONS), 2_000);
    expect(new Set(few.map((r) => r.key)).size).toBe(7);
  });

  test('the same seed gives the same records; another seed others', () => {
    const again = take(workloadOf(parking()).records(OPTIONS), 300);
    expect(again).toEqual(records.slice(0, 300));
    const other = take(workloadOf(parking()).records({ ...OPTIONS, seed: OPTIONS.seed + 1 }), 300);
    expect(other.map((r) => r.value)).not.toEqual(records.slice(0, 300).map((r) => r.value));
  });

  test('invalid and late records come at about their ratios; invalid ones fail the topology\'s own check, with its message', () => {
    const share = (kind: string): number => records.filter((r) => r.kind === kind).length / records.length;
    expect(share('invalid')).toBeCloseTo(0.1, 1);
    expect(share('late')).toBeCloseTo(0.05, 1);
    const check = (e: Parking): true | string => (e.bay >= 1 && e.bay <= 400) || `bay ${e.bay} outside 1..400`;
    for (const r of records) {
      if (r.kind === 'invalid') expect(r.reason).toBe(check(r.value as Parking));
      else expect(check(r.value as Parking)).toBe(true);
    }
    const none = take(workloadOf(parking()).records({ ...OPTIONS, invalidRatio: 0, lateRatio: 0 }), 1_000);
    expect(none.every((r) => r.kind === 'valid')).toBe(true);
  });

  test('--oracle writes the counts per kind and topic, the distinct keys and the expected dead letters', () => {
    const oracle = workloadOf(parking()).oracle(records);
    const of = (kind: string): number => records.filter((r) => r.kind === kind).length;
    expect(oracle).toEqual({
      records: 4_000,
      perTopic: { 'parking.events': { valid: of('valid'), invalid: of('invalid'), late: of('late'), keys: 50 } },
      deadLetters: { invalid: of('invalid'), late: of('late'), messages: records.filter((r) => r.kind === 'invalid').map((r) => r.reason).sort() },
    });
  });

  test('a late record is older than the end + grace of its window, by the event times before it', () => {
    let highest = -Infinity;
    for (const r of records) {
      const t = (r.value as Parking).timestamp;
      expect(r.timestamp).toBe(t);
      if (r.kind === 'late') expect(Math.floor(t / 60_000) * 60_000 + 60_000 + 10_000).toBeLessThanOrEqual(highest);
      else highest = Math.max(highest, t);
    }
  });

  test('on the test driver, the topology dead-letters exactly the invalid and late records and counts the rest per lot and minute', async () => {
    const driver = new TopologyTestDriver(parking(), { topicPartitions: { 'parking.events': 3 } });
    for (let i = 0; i < records.length; i += 40) {
      await driver.input<Record<string, unknown>>('parking.events').sendAll(records.slice(i, i + 40).map((r) => ({ value: r.value, key: r.key, timestamp: r.timestamp! })));
    }
    const dead = await driver.deadLetters('parking.events.dlq').records();
    expect(dead.filter((d) => d.reason === 'invalid').map((d) => d.message).sort()).toEqual(records.filter((r) => r.kind === 'invalid').map((r) => r.reason).sort());
    expect(dead.filter((d) => d.reason === 'late').length).toBe(records.filter((r) => r.kind === 'late').length);
    expect(dead.filter((d) => d.reason !== 'invalid' && d.reason !== 'late')).toEqual([]);
    const expected = new Map<string, number>();
    for (const r of records.filter((x) => x.kind === 'valid')) {
      const v = r.value as Parking;
      const id = `${v.lot_id}@${Math.floor(v.timestamp / 60_000) * 60_000}`;
      expected.set(id, (expected.get(id) ?? 0) + 1);
    }
    const rows = (await driver.table('parking.occupancy.1m').rows()) as { lot_id: string; window_start: number; events: number }[];
    expect(new Map(rows.map((row) => [`${row.lot_id}@${row.window_start}`, row.events]))).toEqual(expected);
  });
});

describe('generate config rules', () => {
  const rules = config({
    keys: 20,
    fields: {
      bay: { min: 1, max: 400 },
      kind: { oneOf: ['ARRIVAL', 'DEPARTURE'] },
      plate: { pattern: 'AB-{001..999}' },
      'vehicle.plate': { pattern: '{north|south}-{1..9}' },
      occupancy: { min: 0.5, max: 0.75 },
      visits: 7,
      fee: { min: 2, max: 2.5 },
      seen_micros: { min: '2026-01-01T00:00:00Z', max: '2026-01-02T00:00:00Z' },
      day: { min: '2025-12-24', max: '2025-12-26' },
      extra: { value: null },
      lot_id: { oneOf: ['north', 'south'] },
    },
  });
  const records = take(workloadOf(parking(), rules).records({ ...OPTIONS, invalidRatio: 0, lateRatio: 0 }), 2_000);
  const values = records.map((r) => r.value as Record<string, unknown>);

  test('fixed values, oneOf, ranges (numbers, decimals, ISO times) and patterns, nested fields included', () => {
    const dayOf = (iso: string): number => Date.parse(iso) / DAY_MS;
    for (const v of values) {
      expect(avscType.isValid(v)).toBe(true);
      expect(Number.isInteger(v.bay) && (v.bay as number) >= 1 && (v.bay as number) <= 400).toBe(true);
      expect(['ARRIVAL', 'DEPARTURE']).toContain(v.kind);
      expect(v.plate).toMatch(/^AB-\d{3}$/);
      expect(v.occupancy as number).toBeGreaterThanOrEqual(0.5);
      expect(v.occupancy as number).toBeLessThanOrEqual(0.75);
      expect(v.visits).toBe(7);
      expect(Number(v.fee)).toBeGreaterThanOrEqual(2);
      expect(Number(v.fee)).toBeLessThanOrEqual(2.5);
      expect(v.seen_micros as number).toBeGreaterThanOrEqual(Date.parse('2026-01-01T00:00:00Z') * 1000);
      expect(v.seen_micros as number).toBeLessThanOrEqual(Date.parse('2026-01-02T00:00:00Z') * 1000);
      expect(v.day as number).toBeGreaterThanOrEqual(dayOf('2025-12-24'));
      expect(v.day as number).toBeLessThanOrEqual(dayOf('2025-12-26'));
      expect(v.extra).toBeNull();
      if (v.vehicle !== null) expect((v.vehicle as { plate: string }).plate).toMatch(/^(north|south)-[1-9]$/);
    }
    // A rule on the key field bounds it instead of the 20 generated keys.
    expect(new Set(records.map((r) => r.key))).toEqual(new Set(['north', 'south']));
  });

  test('without a validate step, invalid records break a configured rule and say which', () => {
    const unchecked = workloadOf(parking({ validate: false }), config({ fields: { bay: { min: 1, max: 400 }, kind: { oneOf: ['ARRIVAL'] } } }));
    const mixed = take(unchecked.records(OPTIONS), 4_000);
    const invalid = mixed.filter((r) => r.kind === 'invalid');
    expect(invalid.length / mixed.length).toBeCloseTo(0.1, 1);
    for (const r of invalid) {
      const v = r.value as { bay: number; kind: string };
      const bayOut = v.bay < 1 || v.bay > 400;
      expect(bayOut || v.kind !== 'ARRIVAL').toBe(true);
      expect(r.reason).toBe(bayOut ? `bay ${v.bay} outside the configured range 1..400` : `kind "${v.kind}" is not one of the configured values`);
    }
    // kind is an enum: the only value outside ['ARRIVAL'] that stays valid Avro is another symbol, so bay carries them all.
    expect(invalid.every((r) => r.reason?.startsWith('bay '))).toBe(true);
    const nothingToBreak = take(workloadOf(parking({ validate: false })).records(OPTIONS), 2_000);
    expect(nothingToBreak.filter((r) => r.kind === 'invalid')).toEqual([]);
    expect(workloadOf(parking({ validate: false })).describe().join('\n')).toContain('invalid: none (no validate step right after the source and no configured rule to break)');
  });

  test.each([
    [{ fields: { bays: 3 } }, "no source of topology 'parking-occupancy' has field 'bays' (fields: lot_id, bay, kind"],
    [{ fields: { bay: 'many' } }, `the generate rule for field 'bay' gives "many", which is not a valid int`],
    [{ fields: { bay: { min: 0, max: 3_000_000_000 } } }, "the generate rule for field 'bay' 0..3000000000 holds no int value, or leaves the type's range"],
    [{ fields: { bay: { pattern: 'b-{1..3}' } } }, "the generate rule for field 'bay' is a pattern, but the field is int, not a string"],
    [{ fields: { lot_id: { min: 1, max: 2 } } }, "the generate rule for field 'lot_id' is a range, but the field is string, not a number, decimal or time"],
    [{ fields: { kind: { oneOf: ['ARRIVAL', 'PARKED'] } } }, `the generate rule for field 'kind' gives "PARKED", which is not a valid enum BayEvent`],
    [{ fields: { bay: { min: '2026-01-01', max: '2026-01-02' } } }, "field 'bay' has ISO-8601 times, but the field is a plain int: give numbers"],
    [{ fields: { timestamp: { min: 0, max: 1 } } }, "field 'timestamp' is the event time, set by the generator's clock (--start, --rate): remove its generate rule"],
    [{ key: 'lot' }, `"key" names 'lot', which is not a top-level field of topology 'parking-occupancy', source 'parking.events' (inline)`],
  ])('%j is refused: %s', (json, message) => {
    expect(() => workloadOf(parking(), config(json))).toThrow(message);
  });

  test('a validation the defaults cannot pass fails, naming the check and the fix', () => {
    const strict = topology('strict').source<Parking>('parking.events', { schema: PARKING_SCHEMA, eventTime: 'timestamp' })
      .validate('big-bays', (e) => e.bay > 5_000 || `bay ${e.bay} is below 5000`).deadLetter('strict.dlq').to('out');
    const w = schemaWorkload('strict', generationTargets(plan(strict)).map((target) => ({ target, schema: PARKING_SCHEMA, schemaLabel: 'inline', partitions: 1 })), DEFAULT_GENERATOR_CONFIG);
    expect(() => take(w.records(OPTIONS), 10)).toThrow(
      /topology 'strict': 100 records in a row for source 'parking.events' failed its validation \(last: bay \d+ is below 5000\)\. Give the fields it checks values it accepts in topologies\/strict\.generate\.json/,
    );
    const fixed = schemaWorkload('strict', generationTargets(plan(strict)).map((target) => ({ target, schema: PARKING_SCHEMA, schemaLabel: 'inline', partitions: 1 })), config({ fields: { bay: { min: 5_001, max: 9_000 } } }));
    expect(take(fixed.records(OPTIONS), 500).filter((r) => r.kind === 'invalid').every((r) => /^bay -?\d+ is below 5000$/.test(r.reason ?? ''))).toBe(true);
  });

  test('a topology without windows has nothing late: --late-ratio gives valid records', () => {
    const streamOnly = topology('stream-only').source<Parking>('parking.events', { schema: PARKING_SCHEMA, eventTime: 'timestamp' }).to('parking.copy');
    const w = schemaWorkload('stream-only', generationTargets(plan(streamOnly)).map((target) => ({ target, schema: PARKING_SCHEMA, schemaLabel: 'inline', partitions: 1 })), DEFAULT_GENERATOR_CONFIG);
    const out = take(w.records({ ...OPTIONS, invalidRatio: 0, lateRatio: 0.5 }), 1_000);
    expect(out.every((r) => r.kind === 'valid')).toBe(true);
    expect(new Set(out.map((r) => r.key)).size).toBe(50); // no grouping: a bounded key of its own
    expect(out.every((r) => /^key-\d{2}$/.test(r.key))).toBe(true);
  });

  test('with the record timestamp as event time, late copies carry an older timestamp', () => {
    const byTimestamp = topology('by-ts').source<Parking>('parking.events', { schema: PARKING_SCHEMA, eventTime: 'record-timestamp' })
      .deadLetter('by-ts.dlq').groupBy('by-lot', 'lot_id').window('m', tumbling('1m'), { grace: '5s' }).aggregate('n', { events: count() }).toTable('t');
    const w = schemaWorkload('by-ts', generationTargets(plan(byTimestamp)).map((target) => ({ target, schema: PARKING_SCHEMA, schemaLabel: 'inline', partitions: 1 })), DEFAULT_GENERATOR_CONFIG);
    const out: GeneratedRecord<unknown>[] = take(w.records(OPTIONS), 2_000);
    const late = out.filter((r) => r.kind === 'late');
    expect(late.length).toBeGreaterThan(50);
    let highest = -Infinity;
    for (const r of out) {
      if (r.kind === 'late') expect(r.timestamp! + 65_000).toBeLessThanOrEqual(highest);
      else highest = Math.max(highest, r.timestamp!);
    }
  });

  test('a source whose schema is not a record, or whose event-time field is not a long, is refused', () => {
    const plain = topology('plain').source<string>('words', { schema: 'string', eventTime: 'record-timestamp' }).to('copy');
    expect(() => schemaWorkload('plain', generationTargets(plan(plain)).map((target) => ({ target, schema: 'string', schemaLabel: 'inline', partitions: 1 })), DEFAULT_GENERATOR_CONFIG)).toThrow(
      "topology 'plain', source 'words' (inline): its schema is string, not a record",
    );
    // Named by file, so the planner cannot see the field's type (a schema from the registry, say).
    const schema: AvroSchema = { type: 'record', name: 'T', fields: [{ name: 'at', type: 'string' }] };
    const t = topology('t').source<{ at: string }>('ts', { schema: 'from-registry', eventTime: 'at' as never }).to('copy');
    expect(() => schemaWorkload('t', generationTargets(plan(t)).map((target) => ({ target, schema, schemaLabel: 'inline', partitions: 1 })), DEFAULT_GENERATOR_CONFIG)).toThrow(
      "event-time field 'at' is string; it must hold epoch milliseconds",
    );
  });
});
