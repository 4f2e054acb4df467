import { fileURLToPath } from 'node:url';
import { count, plan, postgres, topology, TopologyDefinitionError, tumbling, type TopologyPlan } from 'sluice';
import { describe, expect, test } from 'vitest';
import { loadProjectSchemas } from '../../../src/cli/project-schemas.js';
import { checkTopologySchemas } from '../../../src/cli/start-up-checks.js';
import { TopologyCatalog } from '../../../src/cli/topology-catalog.js';
import { EXAMPLE_TOPOLOGIES, examplesOnlyDir } from '../../support/repo-examples.js';
import type { AvroRecordSchema } from '../../../src/serde/index.js';
import { randomInt, seededRandom } from '../state/seeded-random.js';

// Issue 18: field names a topology reads are checked against the schema in effect where they are
// read; a misspelt one fails at load naming topology, step, field, the fields there are and a
// suggestion, instead of keying every record "undefined".

type Row = Record<string, unknown>;
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Distinct field names such as `kor_vat`, never `key`. */
function fieldNames(random: () => number, n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) {
    const word = (): string => Array.from({ length: randomInt(random, 3, 5) }, () => LETTERS[randomInt(random, 0, 25)]).join('');
    const name = random() < 0.5 ? word() : `${word()}_${word()}`;
    if (name !== 'key') names.add(name);
  }
  return [...names];
}

/** One random edit of a letter: insert, delete, substitute or swap two neighbours. */
function typo(random: () => number, name: string): string {
  const i = randomInt(random, 0, name.length - 2);
  const letter = LETTERS[randomInt(random, 0, 25)]!;
  switch (randomInt(random, 0, 3)) {
    case 0:
      return name.slice(0, i) + letter + name.slice(i);
    case 1:
      return name.slice(0, i) + name.slice(i + 1);
    case 2:
      return name.slice(0, i) + letter + name.slice(i + 1);
    default:
      return name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2);
  }
}

/** Levenshtein with swaps, written recursively (the planner's is a table): the oracle of "closest". */
function distance(a: string, b: string, memo = new Map<string, number>()): number {
  if (a === '' || b === '') return a.length + b.length;
  const id = `${a.length},${b.length}`;
  const known = memo.get(id);
  if (known !== undefined) return known;
  let d = Math.min(distance(a.slice(1), b, memo) + 1, distance(a, b.slice(1), memo) + 1, distance(a.slice(1), b.slice(1), memo) + (a[0] === b[0] ? 0 : 1));
  if (a.length > 1 && b.length > 1 && a[0] === b[1] && a[1] === b[0]) d = Math.min(d, distance(a.slice(2), b.slice(2), memo) + 1);
  memo.set(id, d);
  return d;
}

/** The names "did you mean" may offer for `wrong`: same letters ignoring case and `_`, else the nearest within a third of the length. */
function acceptableSuggestions(wrong: string, fields: readonly string[]): string[] {
  const fold = (s: string): string => s.replaceAll('_', '').toLowerCase();
  const folded = fields.filter((f) => fold(f) === fold(wrong));
  if (folded.length > 0) return folded;
  const near = fields
    .map((f) => ({ f, d: distance(wrong, f) }))
    .filter(({ f, d }) => d <= Math.max(1, Math.floor(Math.max(wrong.length, f.length) / 3)));
  const best = Math.min(...near.map((n) => n.d));
  return near.filter((n) => n.d === best).map((n) => n.f);
}

function schemaOf(fields: readonly string[], types: Readonly<Record<string, unknown>> = {}): AvroRecordSchema {
  return {
    type: 'record',
    name: 'Rec',
    namespace: 'test.fields',
    fields: fields.map((name) => ({ name, type: types[name] ?? 'string' })),
  } as unknown as AvroRecordSchema;
}

/** The error `run` throws, asserted to be a TopologyDefinitionError naming the topology and the step, with a fix. */
function definitionError(run: () => unknown, topologyName: string, step: string): TopologyDefinitionError {
  let error: unknown;
  try {
    run();
  } catch (e) {
    error = e;
  }
  expect(error, 'expected a TopologyDefinitionError').toBeInstanceOf(TopologyDefinitionError);
  const e = error as TopologyDefinitionError;
  expect(e.topology).toBe(topologyName);
  expect(e.step).toBe(step);
  expect(e.message).toContain(`topology "${topologyName}": step "${step}"`);
  expect(e.message).toMatch(/\n {2}Fix: \S/);
  return e;
}

/** The four places a field name is read, each as a topology over `schema` reading `name`. */
const SITES = {
  groupBy: {
    step: 'by-field',
    build: (schema: AvroRecordSchema, ts: string, name: string) =>
      topology('sites')
        .source<Row>('in', { schema, eventTime: ts as never })
        .deadLetter('dlq')
        .groupBy('by-field', name as never)
        .window('w', tumbling('1m'))
        .aggregate('agg', { n: count() })
        .toTable('out'),
    what: 'groupBy field',
  },
  eventTime: {
    step: 'in',
    build: (schema: AvroRecordSchema, _ts: string, name: string) => topology('sites').source<Row>('in', { schema, eventTime: name as never }).to('out'),
    what: 'eventTime field',
  },
  sinkKey: {
    step: 'out-pg',
    build: (schema: AvroRecordSchema, ts: string, name: string) =>
      topology('sites')
        .source<Row>('in', { schema, eventTime: ts as never })
        .to('out')
        .sink('out-pg', postgres({ table: 'out_rows', key: name === ts ? [name] : [name, ts] })),
    what: 'sink key column',
  },
} as const;

describe('field names are checked against the schema in effect (seeded random schemas and typos)', () => {
  test.each(Object.keys(SITES) as (keyof typeof SITES)[])('%s: an error exactly when the field is missing, naming it, the fields there are and the closest', (site) => {
    const { step, build, what } = SITES[site];
    const seen = { accepted: 0, refused: 0, suggested: 0 };
    for (let seed = 1; seed <= 150; seed++) {
      const random = seededRandom(seed * 7919 + site.length);
      const fields = fieldNames(random, randomInt(random, 2, 8));
      const ts = fields[0]!;
      const schema = schemaOf(fields, { [ts]: { type: 'long', logicalType: 'timestamp-millis' } });
      const roll = random();
      const name = roll < 0.3 ? fields[randomInt(random, 0, fields.length - 1)]! : roll < 0.85 ? typo(random, fields[randomInt(random, 0, fields.length - 1)]!) : fieldNames(random, 1)[0]!;
      // The oracle: the schema's own field list. The event time must also be a number.
      const present = fields.includes(name) && (site !== 'eventTime' || name === ts);
      if (present) {
        expect(() => plan(build(schema, ts, name)), `seed ${seed}: "${name}" is a field`).not.toThrow();
        seen.accepted++;
        continue;
      }
      const error = definitionError(() => plan(build(schema, ts, name)), 'sites', step);
      seen.refused++;
      if (!fields.includes(name)) {
        expect(error.problem, `seed ${seed}`).toContain(`${what} "${name}" is not a`);
        for (const field of fields) expect(error.problem, `seed ${seed} lists ${field}`).toContain(field);
        const offered = /did you mean "([^"]+)"\?/.exec(error.problem)?.[1];
        const acceptable = acceptableSuggestions(name, fields);
        if (acceptable.length === 0) expect(offered, `seed ${seed}: nothing is close to "${name}"`).toBeUndefined();
        else {
          expect(acceptable, `seed ${seed}: "${offered}" for "${name}"`).toContain(offered);
          expect(error.fix, `seed ${seed}: the fix uses the suggestion`).toContain(`'${offered}'`);
          seen.suggested++;
        }
      } else {
        expect(error.problem).toMatch(/is string in the inline schema Rec: event time is read as a number of epoch milliseconds/);
      }
    }
    // The draws cover every branch: fields that exist, typos with a suggestion, and names nothing is close to.
    expect(seen.accepted).toBeGreaterThan(10);
    expect(seen.suggested).toBeGreaterThan(40);
    expect(seen.refused - seen.suggested).toBeGreaterThan(10);
  });
});

describe('eventTime', () => {
  const withType = (type: unknown) => schemaOf(['id', 'at'], { at: type });
  const source = (type: unknown) => topology('times').source<Row>('in', { schema: withType(type), eventTime: 'at' as never }).to('out');

  test.each([
    ['long', 'long'],
    ['int', 'int'],
    ['double', 'double'],
    ['timestamp-millis', { type: 'long', logicalType: 'timestamp-millis' }],
    ['nullable timestamp-millis', ['null', { type: 'long', logicalType: 'timestamp-millis' }]],
  ])('a %s field is read as epoch milliseconds', (_what, type) => {
    expect(() => plan(source(type))).not.toThrow();
  });

  test.each([
    ['string', 'string', /"at" is string in the inline schema Rec: .*every record would be dead-lettered \(reason event-time\)/],
    ['timestamp-micros', { type: 'long', logicalType: 'timestamp-micros' }, /long \(timestamp-micros\).*counts microseconds/],
    ['date', { type: 'int', logicalType: 'date' }, /int \(date\).*counts days/],
    ['boolean', 'boolean', /is boolean/],
    ['a union of long and string', ['long', 'string'], /is union/],
  ])('a %s field is refused', (_what, type, problem) => {
    const error = definitionError(() => plan(source(type)), 'times', 'in');
    expect(error.problem).toMatch(problem);
    expect(error.fix).toContain('eventTime: (e) =>');
  });

  test('a function or the record timestamp is not checked', () => {
    const schema = schemaOf(['id']);
    expect(() => plan(topology('t').source<Row>('in', { schema, eventTime: () => 0 }).to('out'))).not.toThrow();
    expect(() => plan(topology('t').source<Row>('in', { schema, eventTime: 'record-timestamp' }).to('out'))).not.toThrow();
  });
});

describe('groupBy and groupByKey', () => {
  const schema = schemaOf(['lot_id', 'machine', 'at'], { at: 'long' });
  const start = () => topology('lots').source<Row>('lots', { schema, eventTime: 'at' as never }).deadLetter('dlq');

  test("the issue's case: groupBy('by-lot', 'lot_idd') names the fields and suggests lot_id", () => {
    const t = start().groupBy('by-lot', 'lot_idd' as never).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-lot');
    const error = definitionError(() => plan(t), 'lots', 'by-lot');
    expect(error.message).toContain('groupBy field "lot_idd" is not a field of the inline schema Rec (its fields: lot_id, machine, at); did you mean "lot_id"?');
    expect(error.fix).toContain(".groupBy('by-lot', 'lot_id')");
    expect(error.fix).toContain("(e) => e.lot_idd, { as: 'lot_idd' }");
  });

  test('a key function is not checked; its `as` names a new column', () => {
    const t = start().groupBy('by-zone', () => 'z', { as: 'zone' }).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-zone');
    expect(() => plan(t)).not.toThrow();
  });

  test("groupBy checks against its own schema option, which describes the records after a pipe", () => {
    const enriched = schemaOf(['lot_id', 'machine', 'at', 'zone'], { at: 'long' });
    const ok = start().pipe('enrich').groupBy('by-zone', 'zone' as never, { schema: enriched }).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-zone');
    expect(() => plan(ok)).not.toThrow();
    const missing = start().pipe('enrich').groupBy('by-zone', 'zone' as never).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-zone');
    expect(definitionError(() => plan(missing), 'lots', 'by-zone').fix).toContain('a field a .pipe() adds is grouped by with a function');
  });

  test('after a groupBy, fields are read from the repartition schema', () => {
    const narrow = schemaOf(['lot_id', 'at'], { at: 'long' });
    const t = start()
      .split('s', {
        a: (s) => s.groupBy('by-lot', 'lot_id' as never, { schema: narrow }).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-lot')
          .sink('pg', postgres({ table: 'per_lot', key: ['lot_id', 'window_start'] })),
      });
    expect(() => plan(t)).not.toThrow();
  });

  test("groupByKey's `as` names a new column for the Kafka key: it need not be a field of the value", () => {
    const byKey = (as?: string) =>
      (as === undefined ? start().groupByKey('by-key') : start().groupByKey('by-key', { as })).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-key');
    for (const as of [undefined, 'key', 'machine', 'device']) expect(() => plan(byKey(as)), String(as)).not.toThrow();
  });
});

describe('PostgreSQL sink keys and column paths', () => {
  const schema = schemaOf(['route_id', 'speed', 'at'], { at: { type: 'long', logicalType: 'timestamp-millis' }, speed: 'double' });
  const stats = () =>
    topology('buses').source<Row>('buses', { schema, eventTime: 'at' as never }).deadLetter('dlq').groupBy('by-route', 'route_id' as never).window('w', tumbling('1m'))
      .aggregate('stats', { events: count() }).toTable('route-stats');

  test('a table sink key is checked against the generated table schema at plan time', () => {
    expect(() => plan(stats().sink('pg', postgres({ table: 'route_stats', key: ['route_id', 'window_start'] })))).not.toThrow();
    const error = definitionError(() => plan(stats().sink('pg', postgres({ table: 'route_stats', key: ['route_id', 'window_strat'] }))), 'buses', 'pg');
    expect(error.problem).toBe(`sink key column "window_strat" is not a column of the records of table topic 'route-stats' (columns: route_id, window_start, window_end, events); did you mean "window_start"?`);
    expect(error.fix).toContain("key: ['route_id', 'window_start']");
  });

  test('a stream sink with one key column may take it from the text key; with two, both must be columns', () => {
    const stream = (key: string[]) => topology('buses').source<Row>('buses', { schema, eventTime: 'at' as never }).to('copy').sink('pg', postgres({ table: 'copy', key }));
    expect(() => plan(stream(['bus_id']))).not.toThrow();
    expect(() => plan(stream(['route_id', 'at']))).not.toThrow();
    expect(definitionError(() => plan(stream(['route_id', 'ta'])), 'buses', 'pg').problem).toMatch(/sink key column "ta" is not a column .*\(columns: route_id, speed, at\); did you mean "at"\?/);
  });

  test('explicit column paths must reach a field', () => {
    const mapped = (from: string) => stats().sink('pg', postgres({ table: 'route_stats', key: ['route'], columns: { route: 'key.route_id', n: from } }));
    expect(() => plan(mapped('value.events'))).not.toThrow();
    expect(() => plan(mapped('events'))).not.toThrow();
    const error = definitionError(() => plan(mapped('value.evnets')), 'buses', 'pg');
    expect(error.problem).toContain(`column n maps from "value.evnets", which is not a field of the value of table topic 'route-stats'`);
    expect(error.problem).toContain('did you mean "events"?');
    const keyError = definitionError(() => plan(stats().sink('pg', postgres({ table: 'route_stats', key: ['route'], columns: { route: 'key.rout_id' } }))), 'buses', 'pg');
    expect(keyError.problem).toContain('(fields there: route_id, window_start); did you mean "route_id"?');
  });
});

describe('schemas named from schemas/ are checked at start-up, once resolved', () => {
  const lotEvent = schemaOf(['lot_id', 'machine', 'at'], { at: 'long' });
  const resolve = (ref: unknown) => {
    if (ref === 'lot-event') return lotEvent;
    if (ref === 'lot-state') return schemaOf(['lot', 'count'], { count: 'long' });
    if (typeof ref === 'string') throw new Error(`schema '${ref}' is unknown`);
    return ref as AvroRecordSchema;
  };
  const lots = () => topology('lots').source<Row>('lots', { schema: 'lot-event', eventTime: 'at' as never }).deadLetter('dlq');

  test('plan() cannot see a named schema; the start-up check can', () => {
    const t = lots().groupBy('by-lot', 'lot_idd' as never).window('w', tumbling('1m')).aggregate('n', { n: count() }).toTable('per-lot');
    const planned: TopologyPlan = plan(t);
    const error = definitionError(() => checkTopologySchemas(planned, resolve), 'lots', 'by-lot');
    expect(error.problem).toContain(`groupBy field "lot_idd" is not a field of schema 'lot-event' (its fields: lot_id, machine, at); did you mean "lot_id"?`);
  });

  test('a named state schema without the key column', () => {
    const t = lots()
      .groupByKey('by-lot', { as: 'lot_id' })
      .track('state', { schema: 'lot-state', initial: (lot_id) => ({ lot_id }), update: (s) => s })
      .toTable('lot-state');
    const error = definitionError(() => checkTopologySchemas(plan(t), resolve), 'lots', 'state');
    expect(error.problem).toContain(`the state schema has no field "lot_id" (the key column) (schema 'lot-state')`);
  });

  test('an unknown schema name is left to the missing-file check', () => {
    const t = topology('lots').source<Row>('lots', { schema: 'no-such', eventTime: 'nope' as never }).to('out');
    expect(() => checkTopologySchemas(plan(t), resolve)).not.toThrow();
  });

  test('every example topology plans and passes the start-up check against schemas/', async () => {
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const catalog = new TopologyCatalog(root);
    const schemas = await loadProjectSchemas(examplesOnlyDir('schemas'), '.');
    // The examples by name: a user's topology in topologies/ is not this test's business.
    for (const name of EXAMPLE_TOPOLOGIES) {
      const planned = await catalog.plan(name);
      expect(() => checkTopologySchemas(planned, schemas.resolve), name).not.toThrow();
    }
  });
});
