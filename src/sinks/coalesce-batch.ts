import type { PartitionOffset, RejectedRecord, SinkRecord } from './sink.js';
import { errorText } from '../error-text.js';
import { partitionKey } from '../partition-key.js';

/**
 * How a batch lands, whatever the destination:
 * - `upsert`: the last value per key wins; a tombstone deletes the key's row (tables).
 * - `insert-ignore`: the first write per key wins (event logs keyed by an id); a tombstone deletes.
 * - `append`: every record is a row; tombstones change nothing.
 *
 * @example
 * ```ts
 * const mode: SinkWriteMode = 'upsert';
 * ```
 */
export type SinkWriteMode = 'upsert' | 'insert-ignore' | 'append';

/** A row ready to bind, with the record it came from (for the DLQ). */
export interface PreparedRow {
  readonly values: readonly unknown[];
  readonly record: SinkRecord;
}

/** One batch reduced to the statements it needs. */
export interface CoalescedBatch {
  /** Key values to delete (tombstones), run before `rows`. */
  readonly deletes: readonly PreparedRow[];
  readonly rows: readonly PreparedRow[];
  readonly rejected: readonly RejectedRecord[];
  readonly skipped: number;
  readonly nextOffsets: readonly PartitionOffset[];
}

/** How to read one record; throws to reject it. */
export interface RowReader {
  /** Key column values of a tombstone, for identity and deletes. */
  key(record: SinkRecord): readonly unknown[];
  /** All column values in column order, and the key values among them (read once). */
  row(record: SinkRecord): { readonly key: readonly unknown[]; readonly values: readonly unknown[] };
}

/**
 * Reduces one poll to at most one delete and one insert, in memory.
 *
 * - Records below the stored position were already applied: skipped, which
 *   makes a re-delivered batch harmless.
 * - `upsert`: the last value per key wins; a key whose last record is a
 *   tombstone is deleted. One row per key also avoids Postgres' "ON CONFLICT
 *   DO UPDATE command cannot affect row a second time".
 * - `insert-ignore`: a tombstone deletes; the first value after the key's
 *   last tombstone is inserted (first write wins, as `DO NOTHING` would).
 * - `append`: every value is a row; tombstones are skipped.
 *
 * @example
 * ```ts
 * const b = coalesceBatch(records, new Map(), 'upsert', reader);
 * // records for key R1 at offsets 5, 6, 7 → b.rows has the one from offset 7, b.skipped === 2
 * ```
 */
export function coalesceBatch(
  records: readonly SinkRecord[],
  stored: ReadonlyMap<string, bigint>,
  mode: SinkWriteMode,
  reader: RowReader,
): CoalescedBatch {
  const next = new Map<string, PartitionOffset>();
  const rejected: RejectedRecord[] = [];
  const fresh: SinkRecord[] = [];
  let skipped = 0;
  // A poll comes in runs of one partition: its key and stored position are looked up when the run
  // changes, and its next offset is recorded when the run ends.
  let run: SinkRecord | undefined;
  let tp = '';
  let position: bigint | undefined;
  let runNext = -1n;
  const endRun = (): void => {
    if (run === undefined) return;
    const current = next.get(tp)?.nextOffset ?? position ?? -1n;
    if (runNext > current) next.set(tp, { topic: run.topic, partition: run.partition, nextOffset: runNext });
  };
  for (const record of records) {
    if (record.partition !== run?.partition || record.topic !== run.topic) {
      endRun();
      run = record;
      tp = partitionKey(record.topic, record.partition);
      position = stored.get(tp);
      runNext = -1n;
    }
    if (record.offset >= runNext) runNext = record.offset + 1n;
    if (position !== undefined && record.offset < position) skipped++;
    else fresh.push(record);
  }
  endRun();

  const reject = (record: SinkRecord, error: unknown): void => {
    rejected.push({ record, code: undefined, message: errorText(error) });
  };

  if (mode === 'append') {
    const rows: PreparedRow[] = [];
    for (const record of fresh) {
      if (record.value === null) {
        skipped++;
        continue;
      }
      try {
        rows.push({ values: reader.row(record).values, record });
      } catch (error) {
        reject(record, error);
      }
    }
    return { deletes: [], rows, rejected, skipped, nextOffsets: [...next.values()] };
  }

  // Per key: the key values, whether any tombstone was seen, and the winning record.
  const byKey = new Map<string, { key: readonly unknown[]; tombstone?: SinkRecord; row?: PreparedRow; count: number }>();
  for (const record of fresh) {
    let key: readonly unknown[];
    let values: readonly unknown[] | undefined;
    try {
      if (record.value === null) key = reader.key(record);
      else ({ key, values } = reader.row(record));
      if (key.some((v) => v === null)) throw new Error('a key column is null');
    } catch (error) {
      reject(record, error);
      continue;
    }
    const id = identity(key);
    const entry = byKey.get(id) ?? { key, count: 0 };
    entry.count++;
    if (values === undefined) {
      entry.tombstone = record;
      delete entry.row;
    } else if (mode === 'upsert' || entry.row === undefined) {
      entry.row = { values, record };
    }
    byKey.set(id, entry);
  }
  const deletes: PreparedRow[] = [];
  const rows: PreparedRow[] = [];
  for (const entry of byKey.values()) {
    let used = 0;
    // Upsert overwrites anyway, so a delete is only needed when nothing follows the tombstone.
    if (entry.tombstone && (mode === 'insert-ignore' || !entry.row)) {
      deletes.push({ values: entry.key, record: entry.tombstone });
      used++;
    }
    if (entry.row) {
      rows.push(entry.row);
      used++;
    }
    skipped += entry.count - used;
  }
  return { deletes, rows, rejected, skipped, nextOffsets: [...next.values()] };
}

/**
 * Stable identity of key values: Dates by instant, bigints and bytes by value.
 * Each value is tagged with its type and strings with their length, so no two
 * different key tuples share an identity.
 *
 * @example
 * ```ts
 * identity(['R1', new Date(0)]) === identity(['R1', new Date('1970-01-01T00:00:00Z')]); // true
 * identity(['a;b']) === identity(['a', 'b']); // false
 * ```
 */
export function identity(values: readonly unknown[]): string {
  // Built by concatenation: one string per row instead of JSON.stringify of a mapped copy.
  let id = '';
  for (const v of values) {
    if (typeof v === 'string') id += `s${v.length}:${v}`;
    else if (typeof v === 'number') id += `n${v};`;
    else if (v instanceof Date) id += `D${v.getTime()};`;
    else if (typeof v === 'bigint') id += `b${v};`;
    else if (v instanceof Uint8Array) id += `x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')};`;
    else {
      const json = JSON.stringify(v) ?? 'undefined';
      id += `j${json.length}:${json}`;
    }
  }
  return id;
}
