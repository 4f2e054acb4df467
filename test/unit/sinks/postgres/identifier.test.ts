import { describe, expect, it } from 'vitest';
import { assertIdentifier, InvalidIdentifierError, parseQualifiedName, quoteIdentifier } from '../../../../src/sinks/postgres/identifier.js';

describe('SQL identifiers', () => {
  it('accepts lower-case snake_case names up to 63 characters', () => {
    expect(assertIdentifier('route_id')).toBe('route_id');
    expect(assertIdentifier('_x9')).toBe('_x9');
    expect(assertIdentifier('a'.repeat(63))).toBe('a'.repeat(63));
  });

  it.each([
    'id"; DROP TABLE x; --',
    'Route',
    '9lives',
    'a'.repeat(64),
    '',
    'a-b',
    'a b',
    'é',
    'x;',
  ])('refuses %j, naming it and the rule', (bad) => {
    expect(() => assertIdentifier(bad, 'column')).toThrow(InvalidIdentifierError);
    expect(() => assertIdentifier(bad, 'column')).toThrow(/invalid column .*must match \^\[a-z_\]/);
  });

  it('names the injection string in the message', () => {
    expect(() => assertIdentifier('id"; DROP TABLE x; --', 'column')).toThrow('invalid column "id\\"; DROP TABLE x; --"');
  });

  it('splits schema-qualified names and validates both parts', () => {
    expect(parseQualifiedName('analytics.route_minute')).toEqual({ schema: 'analytics', name: 'route_minute' });
    expect(parseQualifiedName('route_minute')).toEqual({ schema: undefined, name: 'route_minute' });
    expect(() => parseQualifiedName('a.b.c')).toThrow(InvalidIdentifierError);
    expect(() => parseQualifiedName('Public.t')).toThrow(/table schema/);
    expect(() => parseQualifiedName(42)).toThrow(InvalidIdentifierError);
  });

  it('quotes only validated names', () => {
    expect(quoteIdentifier('window_start')).toBe('"window_start"');
    expect(() => quoteIdentifier('a"b')).toThrow(InvalidIdentifierError);
  });
});
