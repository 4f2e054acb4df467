import { sql, type Kysely, type Transaction } from 'kysely';
import type { PartitionOffset, RejectedRecord, Sink, SinkBatch, SinkRecord, TopicPartition, WriteOptions, WriteOutcome } from '../sink.js';
import { bindStyleFor, deleteStatement, insertStatements, type BindStyle } from './batch-statements.js';
import { classifyDatabaseError } from './classify-database-error.js';
import { coalesceBatch, partitionKey, type PreparedRow, type RowReader } from './coalesce-batch.js';
import type { Database } from './database.js';
import { InvalidIdentifierError } from './identifier.js';
import { isolateRejects } from './isolate-rejects.js';
import { lockOffsets, readOffsets, writeOffsets } from './offsets-store.js';
import type { PostgresSinkSpec } from './postgres-sink-spec.js';
import { RecordMappingError, rowValues } from './record-row.js';
import { planTable, SinkTableMismatchError, type TablePlan } from './table-plan.js';

/** Wiring for {@link createPostgresSink}. */
export interface PostgresSinkConfig {
  /** The sink's name in the topology. */
  readonly name: string;
  /** The sink's own consumer group; the key of its rows in `sluice_offsets`. */
  readonly consumerGroup: string;
  /** Owned by the caller: `close()` does not destroy it. */
  readonly db: Kysely<Database>;
  readonly spec: PostgresSinkSpec;
  /** Record field paths from the value/key schemas; makes the column check exact. */
  readonly fields?: readonly string[];
  /** Default `unnest` (measured faster); `values` is used anyway for array columns. */
  readonly bindStyle?: BindStyle;
  /** Fault injection for tests: runs inside the transaction after rows and offsets, before commit. */
  readonly beforeCommit?: () => void | Promise<void>;
}

/**
 * Creates the PostgreSQL {@link Sink}: each `writeBatch` is one transaction
 * holding the batch's rows (one `INSERT … ON CONFLICT` statement, one `DELETE`
 * for tombstones) and the `sluice_offsets` rows of its partitions.
 *
 * @example
 * ```ts
 * const sink = createPostgresSink({
 *   name: 'route-stats-pg',
 *   consumerGroup: 'bus-telemetry.route-stats-pg',
 *   db,
 *   spec: postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] }),
 * });
 * const positions = await sink.open([{ topic: 'bus.route-stats.1m', partition: 0 }]); // checks the table
 * const outcome = await sink.writeBatch({ records });
 * // { written: 2, deleted: 0, skipped: 1, rejected: [], nextOffsets: [{ topic: 'bus.route-stats.1m', partition: 0, nextOffset: 3n }] }
 * ```
 */
export function createPostgresSink(config: PostgresSinkConfig): Sink {
  return new PostgresSink(config);
}

class PostgresSink implements Sink {
  readonly name: string;
  readonly #config: PostgresSinkConfig;
  #plan: Promise<TablePlan> | undefined;
  #closed = false;

  constructor(config: PostgresSinkConfig) {
    this.name = config.name;
    this.#config = config;
  }

  async open(assignment: readonly TopicPartition[]): Promise<readonly PartitionOffset[]> {
    this.#assertOpen();
    await this.#tablePlan();
    return readOffsets(this.#config.db, this.#config.consumerGroup, assignment);
  }

  async writeBatch(batch: SinkBatch, options: WriteOptions = {}): Promise<WriteOutcome> {
    this.#assertOpen();
    const plan = await this.#tablePlan();
    if (batch.records.length === 0) return { written: 0, deleted: 0, skipped: 0, rejected: [], nextOffsets: [] };
    const run = (isolate: boolean): Promise<WriteOutcome> =>
      this.#config.db.transaction().execute((tx) => this.#apply(tx, plan, batch.records, isolate, options));
    try {
      return await run(false);
    } catch (error) {
      // The optimistic attempt is aborted as a whole; redo it isolating the bad rows.
      if (classifyDatabaseError(error) !== 'reject') throw error;
      return run(true);
    }
  }

  async onPaused(): Promise<void> {
    // Nothing is buffered between batches: a paused partition has nothing to drop.
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  async #apply(
    tx: Transaction<Database>,
    plan: TablePlan,
    records: readonly SinkRecord[],
    isolate: boolean,
    options: WriteOptions,
  ): Promise<WriteOutcome> {
    const { consumerGroup } = this.#config;
    const partitions = uniquePartitions(records);
    const stored = new Map(
      (await lockOffsets(tx, consumerGroup, partitions)).map((o) => [partitionKey(o.topic, o.partition), o.nextOffset]),
    );
    const batch = coalesceBatch(records, stored, plan.spec.mode, readerFor(plan));
    const rejected: RejectedRecord[] = [...batch.rejected];
    const style = bindStyleFor(plan, this.#config.bindStyle ?? 'unnest');

    const remove = async (rows: readonly PreparedRow[]): Promise<number> => {
      const statement = deleteStatement(plan, rows.map((r) => r.values));
      return statement ? Number((await statement.execute(tx)).numAffectedRows ?? 0n) : 0;
    };
    const insert = async (rows: readonly PreparedRow[]): Promise<number> => {
      let affected = 0;
      for (const s of insertStatements(plan, rows.map((r) => r.values), style)) {
        affected += Number((await s.execute(tx)).numAffectedRows ?? 0n);
      }
      return affected;
    };

    const before = rejected.length;
    const deleted = isolate ? await isolateRejects(tx, batch.deletes, remove, rejected) : await remove(batch.deletes);
    const deleteRejects = rejected.length - before;
    const written = isolate ? await isolateRejects(tx, batch.rows, insert, rejected) : await insert(batch.rows);
    const rowRejects = rejected.length - before - deleteRejects;
    await writeOffsets(tx, consumerGroup, batch.nextOffsets);
    // The DLQ is acknowledged before the offsets past the refused records commit.
    if (rejected.length > 0 && options.deadLetter) await options.deadLetter(rejected);
    await this.#config.beforeCommit?.();
    // Tombstones for absent keys and rows ignored on conflict changed nothing.
    const unchanged = batch.deletes.length - deleteRejects - deleted + (batch.rows.length - rowRejects - written);
    return { written, deleted, skipped: batch.skipped + unchanged, rejected, nextOffsets: batch.nextOffsets };
  }

  #tablePlan(): Promise<TablePlan> {
    this.#plan ??= this.#checkTables().catch((error: unknown) => {
      this.#plan = undefined; // a database outage at start-up must not stick
      throw error;
    });
    return this.#plan;
  }

  async #checkTables(): Promise<TablePlan> {
    const { rows } = await sql<{ found: boolean }>`select to_regclass('sluice_offsets') is not null as found`.execute(this.#config.db);
    if (!rows[0]?.found) {
      throw new SinkTableMismatchError(
        `sink ${this.name}: table sluice_offsets does not exist; run \`sluice migrate\` (it applies sql/001_sluice_offsets.sql)`,
      );
    }
    try {
      return await planTable(this.#config.db, this.#config.spec, this.#config.fields);
    } catch (error) {
      if (error instanceof SinkTableMismatchError || error instanceof InvalidIdentifierError) error.message = `sink ${this.name}: ${error.message}`;
      throw error;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`sink ${this.name} is closed`);
  }
}

function readerFor(plan: TablePlan): RowReader {
  const scalarKeyColumn = plan.keyColumns.length === 1 ? plan.keyColumns[0]!.column : undefined;
  const keyIndexes = plan.keyColumns.map((k) => plan.columns.indexOf(k));
  const checked = (values: readonly unknown[], record: SinkRecord): readonly unknown[] => {
    const i = values.findIndex((v) => v === null);
    if (i >= 0) {
      const what = record.value === null ? 'tombstone' : 'record';
      throw new RecordMappingError(`${what} has no value for key column ${plan.keyColumns[i]!.column}`);
    }
    return values;
  };
  return {
    key: (record) => checked(rowValues(record, plan.keyColumns, scalarKeyColumn), record),
    row(record) {
      const values = rowValues(record, plan.columns, scalarKeyColumn);
      return { values, key: checked(keyIndexes.map((i) => values[i]), record) };
    },
  };
}

function uniquePartitions(records: readonly SinkRecord[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const r of records) seen.set(partitionKey(r.topic, r.partition), { topic: r.topic, partition: r.partition });
  return [...seen.values()];
}
