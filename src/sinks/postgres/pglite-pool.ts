import type { PGlite } from '@electric-sql/pglite';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';

/**
 * Presents a PGlite instance as the subset of `pg.Pool` that Kysely's
 * `PostgresDialect` uses, so the embedded database runs the exact same
 * Kysely code (compiler, transactions, savepoints) as a real server.
 *
 * PGlite is one connection: a FIFO mutex hands it to one Kysely "client" at a
 * time, which keeps a transaction's statements from interleaving with another
 * caller's. Parameterless statements go through `exec` so multi-statement
 * migration files work as they do with `pg`'s simple query protocol.
 *
 * @example
 * ```ts
 * const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }) });
 * ```
 */
export class PGlitePool implements PostgresPool {
  #tail: Promise<void> = Promise.resolve();
  #ended = false;

  constructor(readonly pglite: PGlite) {}

  async connect(): Promise<PostgresPoolClient> {
    if (this.#ended) throw new Error('PGlite pool has been ended');
    let release!: () => void;
    const turn = new Promise<void>((resolve) => (release = resolve));
    const previous = this.#tail;
    this.#tail = previous.then(() => turn);
    await previous;
    const pglite = this.pglite;
    let released = false;
    const client = {
      async query<R>(sqlText: string, parameters: ReadonlyArray<unknown>): Promise<PostgresQueryResult<R>> {
        if (parameters.length === 0) {
          const results = await pglite.exec(sqlText);
          const last = results[results.length - 1];
          return toResult<R>(sqlText, (last?.rows ?? []) as R[], last?.affectedRows);
        }
        const result = await pglite.query<R>(sqlText, [...parameters]);
        return toResult<R>(sqlText, result.rows, result.affectedRows);
      },
      release(): void {
        if (released) return;
        released = true;
        release();
      },
    };
    return client as PostgresPoolClient;
  }

  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    await this.#tail;
    await this.pglite.close();
  }
}

// Kysely only reports affected rows for these commands; PGlite does not
// return the command tag, so it is read from the statement's first word.
function toResult<R>(sqlText: string, rows: R[], affectedRows: number | undefined): PostgresQueryResult<R> {
  const command = /^\s*(insert|update|delete|merge)\b/i.exec(sqlText)?.[1]?.toUpperCase() ?? 'SELECT';
  return { command: command as PostgresQueryResult<R>['command'], rowCount: affectedRows ?? rows.length, rows };
}
