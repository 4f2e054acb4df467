import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import {
  applyMigrations, describeFrameworkReport, ensureFrameworkSchema, MigrationError, openDatabase, parseMigrationFiles, type MigrationFile,
} from '../../sinks/postgres/index.js';
import type { CliContext } from '../cli-context.js';
import { usageErrors } from '../usage-errors.js';
import { resolveEndpoints } from '../endpoints.js';
import { reportFailure } from '../report-failure.js';
import { errorText } from '../../error-text.js';

/**
 * `sluice migrate [--dir sql]`: creates or upgrades Sluice's own tables
 * (`sluice_offsets`, the migration ledger), then applies the project's
 * numbered `.sql` files not yet applied, each in its own transaction, and
 * says which were applied and which skipped. A failing file is named with
 * the database's error (exit 1); the files before it stay applied. A
 * project without `sql/` gets Sluice's own tables only (exit 0).
 *
 * @example
 * ```sh
 * $ sluice migrate
 * database: PostgreSQL at postgres://postgres@127.0.0.1:5432/postgres
 * Sluice's own tables: schema v2, up to date
 * skipped  002_bus_telemetry.sql (already applied)
 * applied  009_bus_route_hour.sql
 * 1 applied, 1 already applied
 * ```
 */
export function migrateCommand(context: CliContext): Command {
  const command = new Command('migrate')
    .description('create Sluice\'s own tables, then apply the SQL migrations in sql/ (NNN_name.sql, in order, each once) to the sinks\' database')
    .option('--dir <dir>', 'directory of numbered .sql files', 'sql')
    .option('--database-url <url>', 'PostgreSQL URL (default: DATABASE_URL, else the stack `sluice stack up` started)')
    .addHelpText(
      'after',
      `
Sluice creates and upgrades its own tables (sluice_offsets, sluice_migrations,
sluice_schema_version) itself, first: sql/ holds only your migrations, and a
project without sql/ gets Sluice's tables only.

Applied files are recorded in sluice_migrations with a checksum: editing one afterwards is an
error (put the change in a new numbered file). Concurrent runs wait for each other.

Exit codes: 0 ok, 1 a migration failed (named, with the database error), 2 usage.

Examples:
  $ sluice migrate
  $ DATABASE_URL=postgres://app@db:5432/app sluice migrate --dir db/migrations`,
    )
    .action(async (options: { dir: string; databaseUrl?: string }) => {
      await reportFailure(context, 'migrate', async () => {
        const databaseUrl = options.databaseUrl ?? resolveEndpoints(context.projectDir).databaseUrl;
        const dir = resolve(context.projectDir, options.dir);
        const files = existsSync(dir) || command.getOptionValueSource('dir') !== 'default' ? await readMigrations(dir, options.dir) : undefined;
        const database = await openDatabase({ databaseUrl, pgliteDir: resolve(context.projectDir, '.sluice/pglite') });
        context.info(`database: ${database.description}`);
        try {
          context.info(describeFrameworkReport(await ensureFrameworkSchema(database.db)));
          if (files === undefined) {
            context.print(`no ${options.dir}/ folder: only Sluice's own tables`);
            return;
          }
          let applied = 0;
          // One file per call (same lock, same checks as runMigrations) so the files applied
          // before a failing one are printed too: they stay applied.
          for (const file of files) {
            const report = await applyMigrations(database.db, [file], options.dir);
            applied += report.applied.length;
            context.print(
              report.applied.length > 0
                ? `applied  ${file.name}`
                : report.retired.length > 0
                  ? `skipped  ${file.name} (no longer needed: Sluice creates sluice_offsets itself now; delete the file)`
                  : `skipped  ${file.name} (already applied)`,
            );
          }
          context.print(`${applied} applied, ${files.length - applied} already applied`);
        } finally {
          await database.close();
        }
      });
    });
  return usageErrors(command);
}

async function readMigrations(dir: string, shown: string): Promise<MigrationFile[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const missing = (error as { code?: unknown }).code === 'ENOENT' ? ` (no such folder: create it, or leave out --dir to use sql/)` : '';
    throw new MigrationError(`cannot read migrations folder ${shown}: ${errorText(error)}${missing}`, { cause: error });
  }
  const sql = names.filter((n) => n.endsWith('.sql'));
  return parseMigrationFiles(await Promise.all(sql.map(async (name) => ({ name, sql: await readFile(join(dir, name), 'utf8') }))));
}
