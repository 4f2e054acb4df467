import { describe, expect, it } from 'vitest';
import { FRAMEWORK_MIGRATIONS, RETIRED_FILE_CHECKSUMS } from '../../../../src/sinks/postgres/framework-migrations.js';
import { describeFrameworkReport } from '../../../../src/sinks/postgres/framework-schema.js';
import { checksumOf } from '../../../../src/sinks/postgres/migration-files.js';
import { OLD_SLUICE_OFFSETS_FILE } from '../../../support/old-sluice-offsets-file.js';

describe('framework migrations', () => {
  it('are numbered 1, 2, 3… in order, each naming the tables it touches', () => {
    expect(FRAMEWORK_MIGRATIONS.map((m) => m.version)).toEqual(FRAMEWORK_MIGRATIONS.map((_, i) => i + 1));
    for (const m of FRAMEWORK_MIGRATIONS) {
      expect(m.name, `v${m.version}`).toMatch(/^[a-z][a-z ]+$/);
      expect(m.tables.length, m.name).toBeGreaterThan(0);
      for (const t of m.tables) expect(t).toMatch(/^sluice_[a-z_]+$/);
    }
    expect(new Set(FRAMEWORK_MIGRATIONS.flatMap((m) => m.tables))).toEqual(new Set(['sluice_migrations', 'sluice_offsets']));
  });

  it('recognise the old sql/001_sluice_offsets.sql, byte for byte and with Windows line endings, and nothing else', () => {
    expect(RETIRED_FILE_CHECKSUMS.has(checksumOf(OLD_SLUICE_OFFSETS_FILE))).toBe(true);
    expect(RETIRED_FILE_CHECKSUMS.has(checksumOf(OLD_SLUICE_OFFSETS_FILE.replace(/\n/g, '\r\n')))).toBe(true);
    // An edited copy is the user's own file: it runs (and gets a hint if it collides).
    expect(RETIRED_FILE_CHECKSUMS.has(checksumOf(OLD_SLUICE_OFFSETS_FILE.replace('-- Positions', '-- positions')))).toBe(false);
    expect(RETIRED_FILE_CHECKSUMS.has(checksumOf(OLD_SLUICE_OFFSETS_FILE.trimEnd()))).toBe(false);
  });

  it('describe what they did in one line', () => {
    expect(describeFrameworkReport({ from: 0, to: 2, applied: ['v1 migration ledger', 'v2 sink offsets'], recreated: [] })).toBe(
      "Sluice's own tables: schema v0 → v2 (v1 migration ledger, v2 sink offsets)",
    );
    expect(describeFrameworkReport({ from: 2, to: 2, applied: [], recreated: [] })).toBe("Sluice's own tables: schema v2, up to date");
    expect(describeFrameworkReport({ from: 2, to: 2, applied: [], recreated: ['sluice_offsets'] })).toBe(
      "Sluice's own tables: schema v2; recreated sluice_offsets, missing although recorded as created: sinks without stored positions start from the beginning of their topics",
    );
  });
});
