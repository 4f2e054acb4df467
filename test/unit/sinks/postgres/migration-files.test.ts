import { describe, expect, it } from 'vitest';
import { checksumOf, MigrationError, parseMigrationFiles } from '../../../../src/sinks/postgres/migration-files.js';

describe('migration files', () => {
  it('orders by number, numerically, and ignores non-SQL files', () => {
    const files = parseMigrationFiles([
      { name: '010_later.sql', sql: 'b' },
      { name: 'README.md', sql: '' },
      { name: '002_second.sql', sql: 'a' },
      { name: '001_sluice_offsets.sql', sql: 'c' },
    ]);
    expect(files.map((f) => [f.name, f.number])).toEqual([
      ['001_sluice_offsets.sql', 1], ['002_second.sql', 2], ['010_later.sql', 10],
    ]);
  });

  it('refuses badly named files and duplicate numbers, naming them', () => {
    expect(() => parseMigrationFiles([{ name: '1_x.sql', sql: '' }])).toThrow(/1_x\.sql is not named NNN_name\.sql/);
    expect(() => parseMigrationFiles([{ name: '001_Bad.sql', sql: '' }])).toThrow(MigrationError);
    expect(() => parseMigrationFiles([{ name: '001_a.sql', sql: '' }, { name: '001_b.sql', sql: '' }])).toThrow(
      /001_a\.sql and 001_b\.sql share number 1/,
    );
  });

  it('checksums content, ignoring CRLF vs LF', () => {
    expect(checksumOf('select 1;\r\n')).toBe(checksumOf('select 1;\n'));
    expect(checksumOf('select 1;')).not.toBe(checksumOf('select 2;'));
    expect(checksumOf('x')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ships 001_sluice_offsets.sql', async () => {
    const { readdir } = await import('node:fs/promises');
    const names = await readdir(new URL('../../../../sql/', import.meta.url));
    expect(parseMigrationFiles(names.map((name) => ({ name, sql: '' })))[0]?.name).toBe('001_sluice_offsets.sql');
  });
});
