import { sql, type Transaction } from 'kysely';
import type { RejectedRecord } from '../sink.js';
import type { PreparedRow } from './coalesce-batch.js';
import type { Database } from './database.js';
import { classifyDatabaseError } from './classify-database-error.js';

/**
 * Applies `rows` with `write`, isolating rows the database refuses for good.
 *
 * Bisection under savepoints: try the whole set; on a `reject` roll back to
 * the savepoint and try each half, down to single rows. For k bad rows among
 * n that is O(k·log n) statements, against n for a savepoint per row, and the
 * happy path never comes here (the writer tries the plain batch first).
 * `retry`/`fatal` errors propagate and abort the whole transaction.
 *
 * @returns rows the database accepted (for counting)
 * @example
 * ```ts
 * const rejected: RejectedRecord[] = [];
 * const written = await isolateRejects(tx, rows, insert, rejected);
 * // 20 rows, offsets 7 and 13 violate a CHECK: written === 18, rejected holds those two with SQLSTATE 23514
 * ```
 */
export async function isolateRejects(
  tx: Transaction<Database>,
  rows: readonly PreparedRow[],
  write: (rows: readonly PreparedRow[]) => Promise<number>,
  rejected: RejectedRecord[],
): Promise<number> {
  if (rows.length === 0) return 0;
  await sql`savepoint sluice_isolate`.execute(tx);
  try {
    const n = await write(rows);
    await sql`release savepoint sluice_isolate`.execute(tx);
    return n;
  } catch (error) {
    await sql`rollback to savepoint sluice_isolate`.execute(tx);
    await sql`release savepoint sluice_isolate`.execute(tx);
    if (classifyDatabaseError(error) !== 'reject') throw error;
    if (rows.length === 1) {
      const e = error as { code?: unknown; message?: unknown; detail?: unknown };
      const detail = typeof e.detail === 'string' && e.detail ? ` (${e.detail})` : '';
      rejected.push({
        record: rows[0]!.record,
        code: typeof e.code === 'string' ? e.code : undefined,
        message: `${String(e.message ?? error)}${detail}`,
      });
      return 0;
    }
    const mid = Math.ceil(rows.length / 2);
    return (
      (await isolateRejects(tx, rows.slice(0, mid), write, rejected)) +
      (await isolateRejects(tx, rows.slice(mid), write, rejected))
    );
  }
}
