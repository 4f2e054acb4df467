import type { RejectedRecord, SinkRecord } from './sink.js';

/**
 * How a destination lets {@link isolateRejects} try rows and undo a failed
 * try: for PostgreSQL, savepoints inside the batch's transaction.
 *
 * @example
 * ```ts
 * const scope: IsolationScope = {
 *   attempt: async (write) => { await savepoint(); try { const n = await write(); await release(); return n; } catch (e) { await rollbackTo(); throw e; } },
 *   refusal: (e) => (classifyDatabaseError(e) === 'reject' ? { code: e.code, message: e.message } : undefined),
 * };
 * ```
 */
export interface IsolationScope {
  /** Runs `write`; when it throws, undoes whatever it did before rethrowing. */
  attempt(write: () => Promise<number>): Promise<number>;
  /** The destination's reason when `error` refuses the rows for good; `undefined` for any other error (it propagates). */
  refusal(error: unknown): { readonly code: string | undefined; readonly message: string } | undefined;
}

/**
 * Applies `rows` with `write`, isolating rows the destination refuses for good.
 *
 * Bisection: try the whole set; on a refusal undo it and try each half, down
 * to single rows. For k bad rows among n that is O(k·log n) tries, against n
 * for one try per row, and the happy path never comes here (writers try the
 * plain batch first). Errors that are no refusal propagate and abort the
 * whole batch.
 *
 * @returns rows the destination accepted (for counting)
 * @example
 * ```ts
 * const rejected: RejectedRecord[] = [];
 * const written = await isolateRejects(rows, insert, rejected, savepoints(tx));
 * // 20 rows, offsets 7 and 13 violate a CHECK: written === 18, rejected holds those two with SQLSTATE 23514
 * ```
 */
export async function isolateRejects<R extends { readonly record: SinkRecord }>(
  rows: readonly R[],
  write: (rows: readonly R[]) => Promise<number>,
  rejected: RejectedRecord[],
  scope: IsolationScope,
): Promise<number> {
  if (rows.length === 0) return 0;
  try {
    return await scope.attempt(() => write(rows));
  } catch (error) {
    const refusal = scope.refusal(error);
    if (refusal === undefined) throw error;
    if (rows.length === 1) {
      rejected.push({ record: rows[0]!.record, code: refusal.code, message: refusal.message });
      return 0;
    }
    const mid = Math.ceil(rows.length / 2);
    return (
      (await isolateRejects(rows.slice(0, mid), write, rejected, scope)) +
      (await isolateRejects(rows.slice(mid), write, rejected, scope))
    );
  }
}
