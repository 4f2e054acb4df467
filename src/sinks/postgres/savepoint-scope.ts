import { sql, type Transaction } from 'kysely';
import type { IsolationScope } from '../isolate-rejects.js';
import { classifyDatabaseError } from './classify-database-error.js';
import type { Database } from './database.js';

/**
 * The PostgreSQL {@link IsolationScope}: each try runs under a savepoint of
 * the batch's transaction, rolled back when the try fails; errors
 * {@link classifyDatabaseError} calls `reject` are refusals, with their
 * SQLSTATE and the server's detail.
 *
 * @example
 * ```ts
 * const written = await isolateRejects(rows, insert, rejected, savepointScope(tx));
 * ```
 */
export function savepointScope(tx: Transaction<Database>): IsolationScope {
  return {
    async attempt(write) {
      await sql`savepoint sluice_isolate`.execute(tx);
      try {
        const n = await write();
        await sql`release savepoint sluice_isolate`.execute(tx);
        return n;
      } catch (error) {
        await sql`rollback to savepoint sluice_isolate`.execute(tx);
        await sql`release savepoint sluice_isolate`.execute(tx);
        throw error;
      }
    },
    refusal(error) {
      if (classifyDatabaseError(error) !== 'reject') return undefined;
      const e = error as { code?: unknown; message?: unknown; detail?: unknown };
      const detail = typeof e.detail === 'string' && e.detail ? ` (${e.detail})` : '';
      return { code: typeof e.code === 'string' ? e.code : undefined, message: `${String(e.message ?? error)}${detail}` };
    },
  };
}
