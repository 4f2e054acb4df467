import { describe, expect, it } from 'vitest';
import { InvalidIdentifierError } from '../../../../src/sinks/postgres/identifier.js';
import { postgres, PostgresSinkSpecError } from '../../../../src/sinks/postgres/postgres-sink-spec.js';

describe('postgres() sink spec', () => {
  it('returns frozen plain data with defaults', () => {
    const spec = postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] });
    expect(spec).toEqual({
      kind: 'postgres',
      table: 'bus_route_minute',
      schema: undefined,
      tableName: 'bus_route_minute',
      key: ['route_id', 'window_start'],
      mode: 'upsert',
      columns: undefined,
    });
    expect(Object.isFrozen(spec)).toBe(true);
    expect(Object.isFrozen(spec.key)).toBe(true);
    expect(JSON.parse(JSON.stringify(spec))).toMatchObject({ kind: 'postgres' });
  });

  it('parses explicit column mappings, string or object', () => {
    const spec = postgres({
      table: 'analytics.route_minute',
      key: ['route_id'],
      mode: 'upsert',
      columns: { route_id: 'key.routeId', avg_kmh: { from: 'value.avgSpeed', type: 'numeric', scale: 2 } },
    });
    expect(spec.schema).toBe('analytics');
    expect(spec.columns).toEqual([
      { column: 'route_id', from: ['key', 'routeId'], type: undefined, scale: undefined },
      { column: 'avg_kmh', from: ['value', 'avgSpeed'], type: 'numeric', scale: 2 },
    ]);
    expect(Object.isFrozen(spec.columns![1]!.from)).toBe(true);
  });

  it('refuses the injection string wherever an identifier goes', () => {
    const bad = 'id"; DROP TABLE x; --';
    expect(() => postgres({ table: bad, key: ['id'] })).toThrow(InvalidIdentifierError);
    expect(() => postgres({ table: 't', key: [bad] })).toThrow(/invalid key column/);
    expect(() => postgres({ table: 't', key: ['id'], columns: { id: 'id', [bad]: 'x' } })).toThrow(/invalid column "id\\"; DROP TABLE x; --"/);
  });

  it('leaves the key to the table primary key when omitted', () => {
    expect(postgres({ table: 't' }).key).toEqual([]);
    expect(postgres({ table: 't', mode: 'append' }).key).toEqual([]);
  });

  it('explains other mistakes', () => {
    expect(() => postgres({ table: 't', key: ['a', 'a'] })).toThrow(PostgresSinkSpecError);
    expect(() => postgres({ table: 't', key: ['a'], mode: 'merge' as 'upsert' })).toThrow(/unknown mode "merge"/);
    expect(() => postgres({ table: 't', key: ['a'], columns: { b: 'b' } })).toThrow(/key column\(s\) a missing from columns/);
    expect(() => postgres({ table: 't', key: ['a'], columns: { a: 'x..y' } })).toThrow(/dotted field path/);
    expect(() => postgres({ table: 't', key: ['a'], columns: { a: { from: 'a', type: 'money' as 'numeric' } } })).toThrow(/unknown type/);
    expect(() => postgres({ table: 't', key: ['a'], columns: {} })).toThrow(/columns is empty/);
  });
});
