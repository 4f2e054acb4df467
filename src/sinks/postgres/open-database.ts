import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { importOptional } from '../../optional-package.js';
import type { Database } from './database.js';
import { lockPgliteDir } from './pglite-lock.js';
import { PGlitePool } from './pglite-pool.js';

/** The server tried when no URL is configured. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Options for {@link openDatabase}. */
export interface OpenDatabaseOptions {
  /** A configured URL is used as is: if it does not answer, that is a retryable fault, not a reason to fall back. */
  readonly databaseUrl?: string | undefined;
  /** Where the embedded database lives. Default `.sluice/pglite` under the working directory. */
  readonly pgliteDir?: string;
  /** The server probed when no URL is configured. Default {@link DEFAULT_DATABASE_URL}. */
  readonly defaultDatabaseUrl?: string;
  /** How long the default server may take to answer `select 1`. Default 1500 ms. */
  readonly probeTimeoutMs?: number;
  /** Pool size for a server. Default 10. */
  readonly maxConnections?: number;
}

/** What {@link openDatabase} chose, for the start-up message. */
export type DatabaseTarget =
  | { readonly kind: 'postgres'; readonly url: string; readonly reason: 'configured' | 'default-url-answered' }
  | { readonly kind: 'pglite'; readonly dataDir: string; readonly reason: string };

/** An open database and how it was chosen. */
export interface OpenedDatabase {
  readonly db: Kysely<Database>;
  readonly target: DatabaseTarget;
  /** Human-readable, password redacted: print it at start. */
  readonly description: string;
  close(): Promise<void>;
}

/**
 * Opens the database the sinks write to: the configured URL; else the default
 * local server if it answers `select 1` in time; else an embedded PGlite on
 * disk. All three run the same Kysely code.
 *
 * @example
 * ```ts
 * const { db, description, close } = await openDatabase({ databaseUrl: process.env.DATABASE_URL });
 * console.log(description);
 * // "embedded PostgreSQL (PGlite) at /app/.sluice/pglite: no DATABASE_URL and postgres://postgres@127.0.0.1:5432/postgres did not answer (ECONNREFUSED)"
 * await close();
 * ```
 */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<OpenedDatabase> {
  if (options.databaseUrl) {
    return fromPool(options.databaseUrl, 'configured', options.maxConnections);
  }
  const defaultUrl = options.defaultDatabaseUrl ?? DEFAULT_DATABASE_URL;
  const answer = await probe(defaultUrl, options.probeTimeoutMs ?? 1500);
  if (answer === true) return fromPool(defaultUrl, 'default-url-answered', options.maxConnections);

  const dataDir = resolve(options.pgliteDir ?? '.sluice/pglite');
  // Loaded lazily: the WASM build is large and servers never need it.
  const { PGlite } = await importOptional(
    '@electric-sql/pglite',
    () => import('@electric-sql/pglite'),
    `an embedded database (no DATABASE_URL, and ${redactUrl(defaultUrl)} did not answer: ${answer})`,
    'or set DATABASE_URL to a PostgreSQL server',
  );
  // Before anything touches the directory: PGlite itself does not keep a second process out.
  const lock = lockPgliteDir(dataDir);
  let db: Kysely<Database>;
  try {
    await mkdir(dataDir, { recursive: true });
    const pglite = await PGlite.create(dataDir).catch((error: unknown) => {
      throw damagedDirectoryError(dataDir, error);
    });
    db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
  } catch (error) {
    lock.release();
    throw error;
  }
  const reason = `no DATABASE_URL and ${redactUrl(defaultUrl)} did not answer (${answer})`;
  return {
    db,
    target: { kind: 'pglite', dataDir, reason },
    description: `embedded PostgreSQL (PGlite) at ${dataDir}: ${reason}`,
    close: async () => {
      try {
        await db.destroy();
      } finally {
        lock.release();
      }
    },
  };
}

/**
 * PGlite dies opening a directory whose files are damaged (WebAssembly
 * `RuntimeError: Aborted()` or `unreachable`, no more): name the directory,
 * the usual cause and the way out. Its files are the user's rows, so they are
 * left where they are.
 */
function damagedDirectoryError(dataDir: string, error: unknown): Error {
  if (!(error instanceof Error)) return new Error(String(error));
  // WebAssembly.RuntimeError, which Node's types do not declare as a value.
  if (error.name !== 'RuntimeError') return error;
  return new Error(
    `the embedded database at ${dataDir} could not be opened (PGlite: ${error.message}): its files are damaged, ` +
      'most often by two processes having used it at once. Sluice leaves it as it is. ' +
      `To start over with an empty database, move it aside (mv ${dataDir} ${dataDir}.damaged): the next start re-applies the migrations; ` +
      'or set DATABASE_URL to a PostgreSQL server.',
    { cause: error },
  );
}

/**
 * Replaces the password in a connection URL, for logs.
 *
 * @example
 * ```ts
 * redactUrl('postgres://sluice:s3cret@db:5432/app'); // 'postgres://sluice:***@db:5432/app'
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '<unparseable database URL>';
  }
}

function fromPool(url: string, reason: 'configured' | 'default-url-answered', max = 10): OpenedDatabase {
  const pool = new pg.Pool({ connectionString: url, max });
  // An idle client losing its server (restart) emits 'error' on the pool; without
  // a listener Node would crash the process instead of letting the next query retry.
  pool.on('error', () => {});
  // Same for a checked-out client idle inside a transaction when the server
  // goes away: pg emits 'error' on it, and Kysely attaches no listener. The
  // fault then surfaces on the next query (or COMMIT) as a retryable error.
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const shown = redactUrl(url);
  return {
    db,
    target: { kind: 'postgres', url: shown, reason },
    description:
      reason === 'configured' ? `PostgreSQL at ${shown}` : `PostgreSQL at ${shown} (no DATABASE_URL; the default server answered)`,
    close: () => db.destroy(),
  };
}

async function probe(url: string, timeoutMs: number): Promise<true | string> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return typeof e.code === 'string' ? e.code : String(e.message ?? error);
  } finally {
    await client.end().catch(() => {});
  }
}
