import { describe, expect, it } from 'vitest';
import { RETIRED_FILE_CHECKSUMS } from '../../../../src/sinks/postgres/framework-migrations.js';
import { checksumOf, MigrationError, parseMigrationFiles } from '../../../../src/sinks/postgres/migration-files.js';
import { EXAMPLE_MIGRATIONS } from '../../../support/repo-examples.js';

describe('migration files', () => {
  it('orders by number, numerically, and ignores non-SQL files', () => {
    const files = parseMigrationFiles([
      { name: '010_later.sql', sql: 'b' },
      { name: 'README.md', sql: '' },
      { name: '002_second.sql', sql: 'a' },
      { name: '001_first.sql', sql: 'c' },
    ]);
    expect(files.map((f) => [f.name, f.number])).toEqual([
      ['001_first.sql', 1], ['002_second.sql', 2], ['010_later.sql', 10],
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

  it("the examples' migrations in sql/ create none of Sluice's own tables: those are created by code, not by a file there", async () => {
    const { readFile } = await import('node:fs/promises');
    const dir = new URL('../../../../sql/', import.meta.url);
    // The examples by name (a user's own files in sql/ are theirs); they keep their numbers (and so their ledger keys) after 001 left.
    for (const name of EXAMPLE_MIGRATIONS) {
      const text = await readFile(new URL(name, dir), 'utf8');
      expect(text, name).not.toMatch(/create\s+table\s+(if\s+not\s+exists\s+)?sluice_/i);
      expect(RETIRED_FILE_CHECKSUMS.has(checksumOf(text)), name).toBe(false);
    }
  });
});
