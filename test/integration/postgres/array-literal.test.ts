import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStatements } from '../../../src/sinks/postgres/batch-statements.js';
import { postgres } from '../../../src/sinks/postgres/postgres-sink-spec.js';
import { planTable } from '../../../src/sinks/postgres/table-plan.js';
import { openServerDatabase, type TestDatabase } from './support/test-database.js';

// Values node-postgres and our own array literal must write alike: quotes, backslashes, braces, commas,
// the word NULL, empty and non-ASCII strings, float specials, 64-bit integers, booleans, instants, nulls.
const awkward = [
  ['plain', 1.5, 1n, true, new Date(Date.UTC(2026, 11, 3, 12, 0, 0, 123)), new Date(Date.UTC(2026, 0, 1))],
  ['say "hi" \\ back\\\\slash', Number.NaN, 9_007_199_254_740_993n, false, new Date(0), new Date(Date.UTC(1999, 11, 31))],
  ['{a,b}', Number.POSITIVE_INFINITY, -42n, null, new Date(-86_400_000), null],
  ['NULL', -0, 0n, true, null, new Date(Date.UTC(2026, 5, 15, 23, 59, 59, 999))],
  ['', Number.NEGATIVE_INFINITY, 12, false, new Date(Date.UTC(9999, 11, 31)), new Date(Date.UTC(2026, 1, 28))],
  ['ünïcødé ✓ 𝄞', 1e-300, '77', true, new Date(Date.UTC(1, 0, 1)), new Date(Date.UTC(2026, 2, 1))],
  ['trailing space ', -123.456e10, null, null, new Date(Date.UTC(2026, 6, 4)), new Date(Date.UTC(2024, 1, 29))],
];

describe('unnest binding through array literals (real PostgreSQL)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openServerDatabase('literal');
    for (const table of ['by_literal', 'by_driver']) {
      await sql`create table ${sql.id(table)} (id int primary key, s text, f float8, i int8, b boolean, at timestamptz, local_at timestamp)`.execute(t.db);
    }
  });
  afterAll(async () => t?.close());

  it('writes exactly what node-postgres writes for the same rows', async () => {
    const rows = awkward.map((r, id) => [id, ...r]);
    const spec = { key: ['id'] };
    const [statement] = insertStatements(await planTable(t.db, postgres({ table: 'by_literal', ...spec })), rows, 'unnest');
    // Every column a literal, but the timestamp without time zone (dates there are left to node-postgres).
    expect(statement!.compile(t.db).parameters.map((p) => typeof p)).toEqual(['string', 'string', 'string', 'string', 'string', 'string', 'object']);
    // unnest binds through arrayLiteral; VALUES binds every value through node-postgres itself.
    for (const s of insertStatements(await planTable(t.db, postgres({ table: 'by_literal', ...spec })), rows, 'unnest')) await s.execute(t.db);
    for (const s of insertStatements(await planTable(t.db, postgres({ table: 'by_driver', ...spec })), rows, 'values')) await s.execute(t.db);
    const read = async (table: string) =>
      (await sql<Record<string, unknown>>`select id, s, f::text as f, i::text as i, b, at, local_at::text as local_at from ${sql.id(table)} order by id`.execute(t.db)).rows;
    const written = await read('by_literal');
    expect(written).toEqual(await read('by_driver'));
    expect(written).toHaveLength(awkward.length);
    expect(written[1]).toMatchObject({ s: 'say "hi" \\ back\\\\slash', f: 'NaN', i: '9007199254740993', b: false, at: new Date(0) });
    expect(written[3]).toMatchObject({ s: 'NULL', at: null });
  });

  it('leaves instants outside years 1-9999 to node-postgres, with the same result', async () => {
    const rows = [[100, 'far', 0, 0, true, new Date(Date.UTC(10_000, 0, 1)), null], [101, 'near', 0, 0, true, new Date(0), null]];
    const spec = { key: ['id'] };
    const [literal] = insertStatements(await planTable(t.db, postgres({ table: 'by_literal', ...spec })), rows, 'unnest');
    expect(literal!.compile(t.db).parameters[5]).toEqual([rows[0]![5], rows[1]![5]]);
    await literal!.execute(t.db);
    for (const s of insertStatements(await planTable(t.db, postgres({ table: 'by_driver', ...spec })), rows, 'values')) await s.execute(t.db);
    const at = async (table: string) => (await sql<{ at: string }>`select at::text as at from ${sql.id(table)} where id >= 100 order by id`.execute(t.db)).rows;
    expect(await at('by_literal')).toEqual(await at('by_driver'));
  });
});
