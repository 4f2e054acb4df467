import { createHash } from 'node:crypto';

/** A numbered migration file of the user's: `sql/002_bus_telemetry.sql`. */
export interface MigrationFile {
  /** File name, the key in `sluice_migrations`. */
  readonly name: string;
  readonly number: number;
  readonly sql: string;
  /** sha256 of the text with line endings normalised, so a checkout on Windows is not "changed". */
  readonly checksum: string;
}

/**
 * Thrown for a migrations folder that cannot be applied as is, or a file that failed.
 *
 * @example
 * ```ts
 * await runMigrations(db);
 * // MigrationError: migration sql/002_bus.sql failed and was rolled back: syntax error at or near "tabel" [42601]
 * ```
 */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
}

const FILE_PATTERN = /^(\d{3,})_([a-z0-9_]+)\.sql$/;

/**
 * Orders and checks migration files (pure: the caller reads the folder).
 * Non-`.sql` files are ignored; a `.sql` file not named `NNN_name.sql` or two
 * files sharing a number are errors naming the files.
 *
 * @example
 * ```ts
 * parseMigrationFiles([
 *   { name: '010_bus_route_hour.sql', sql: 'create table …' },
 *   { name: '002_bus_route_minute.sql', sql: 'create table …' },
 *   { name: 'README.md', sql: '…' },
 * ]).map((m) => m.name);
 * // ['002_bus_route_minute.sql', '010_bus_route_hour.sql']
 * ```
 */
export function parseMigrationFiles(files: readonly { name: string; sql: string }[]): MigrationFile[] {
  const parsed: MigrationFile[] = [];
  for (const file of files) {
    if (!file.name.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(file.name);
    if (!match) {
      throw new MigrationError(
        `migration file ${file.name} is not named NNN_name.sql (three or more digits, "_", lower-case letters, digits and "_"); rename it`,
      );
    }
    parsed.push({ name: file.name, number: Number(match[1]), sql: file.sql, checksum: checksumOf(file.sql) });
  }
  parsed.sort((a, b) => a.number - b.number);
  for (let i = 1; i < parsed.length; i++) {
    const [prev, cur] = [parsed[i - 1]!, parsed[i]!];
    if (prev.number === cur.number) {
      throw new MigrationError(`migration files ${prev.name} and ${cur.name} share number ${cur.number}; renumber one`);
    }
  }
  return parsed;
}

/**
 * Checksum stored in `sluice_migrations.checksum`.
 *
 * @example
 * ```ts
 * checksumOf('select 1;\r\n') === checksumOf('select 1;\n'); // true
 * ```
 */
export function checksumOf(sqlText: string): string {
  return createHash('sha256').update(sqlText.replace(/\r\n/g, '\n')).digest('hex');
}
