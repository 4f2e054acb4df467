import { describe, expect, it } from 'vitest';
import { classifyDatabaseError, classifySqlState } from '../../../../src/sinks/postgres/classify-database-error.js';

const withCode = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('classifyDatabaseError', () => {
  it.each(['57P01', '57P03', '40001', '40P01', '53300', '08006', '08001', '55P03', '57014'])('%s → retry', (code) => {
    expect(classifyDatabaseError(withCode(code))).toBe('retry');
  });
  it.each(['23505', '23502', '23503', '23514', '22003', '22P02', '22001'])('%s → reject', (code) => {
    expect(classifyDatabaseError(withCode(code))).toBe('reject');
  });
  it.each(['42P01', '42703', '42501', '28P01', '3D000', 'XX000'])('%s → fatal', (code) => {
    expect(classifyDatabaseError(withCode(code))).toBe('fatal');
  });

  it('treats network errno codes and pg connection messages as retry', () => {
    expect(classifyDatabaseError(withCode('ECONNREFUSED'))).toBe('retry');
    expect(classifyDatabaseError(withCode('ECONNRESET'))).toBe('retry');
    expect(classifyDatabaseError(new Error('Connection terminated unexpectedly'))).toBe('retry');
    expect(classifyDatabaseError(new Error('timeout exceeded when trying to connect'))).toBe('retry');
    expect(classifyDatabaseError(new Error('Client has encountered a connection error and is not queryable'))).toBe('retry');
  });

  it('looks inside AggregateError and cause', () => {
    expect(classifyDatabaseError(new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')]))).toBe('retry');
    expect(classifyDatabaseError(new Error('wrapped', { cause: withCode('23505') }))).toBe('reject');
  });

  it('calls unknown errors fatal', () => {
    expect(classifyDatabaseError(new TypeError('x is not a function'))).toBe('fatal');
    expect(classifyDatabaseError('boom')).toBe('fatal');
    expect(classifyDatabaseError(null)).toBe('fatal');
    expect(classifySqlState('0A000')).toBe('fatal');
  });
});
