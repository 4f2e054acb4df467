import { sql, type Kysely, type Transaction } from 'kysely';
import type { PartitionOffset, RejectedRecord, Sink, SinkBatch, SinkRecord, TopicPartition, WriteOptions, WriteOutcome } from '../sink.js';
import { bindStyleFor, deleteStatement, insertStatements, type BindStyle } from './batch-statements.js';
import { classifyDatabaseError } from './classify-database-error.js';
import { partitionKey } from '../../partition-key.js';
import { coalesceBatch, type PreparedRow, type RowReader } from '../coalesce-batch.js';
import type { Database } from './database.js';
import { InvalidIdentifierError } from './identifier.js';
import { isolateRejects } from '../isolate-rejects.js';
import { lockOffsets, readOffsets, writeOffsets } from './offsets-store.js';
import type { PostgresSinkSpec } from './postgres-sink-spec.js';
import { RecordMappingError } from './record-row.js';
import { RowExtractor } from './row-extractor.js';
import { savepointScope } from './savepoint-scope.js';
import type { SinkRecordSchemas } from './avro-columns.js';
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
  /** The Avro schemas of the records: each column's type is checked against its field's at start-up. */
  readonly schemas?: SinkRecordSchemas;
  /** The topology the sink belongs to, named in start-up errors. */
  readonly topology?: string;
  /** Default `unnest` (measured faster); `values` is used anyway for array columns. */
  readonly bindStyle?: BindStyle;
  /**
   * Transactions a batch is written in, side by side, each holding the rows
   * and positions of a share of its partitions (default 2; 1 = one transaction
   * per batch), so the server works on one batch with several backends. Only
   * when `writeBatch` is given a `deadLetter` callback: refused rows must be
   * acknowledged inside their own transaction. Rows with the same key from
   * different partitions (a table keyed otherwise than its topic) have no
   * defined order in Kafka either: the transaction committing last wins.
   */
  readonly parallelTransactions?: number;
  /** Fault injection for tests: runs inside each transaction after rows and offsets, before commit. */
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
  /** Built once per plan: it learns where columns sit in each record type. */
  #reader: { readonly plan: TablePlan; readonly reader: RowReader } | undefined;
  #closed = false;

  readonly #parallel: number;

  constructor(config: PostgresSinkConfig) {
    const parallel = config.parallelTransactions ?? DEFAULT_PARALLEL_TRANSACTIONS;
    if (!Number.isInteger(parallel) || parallel < 1) {
      throw new RangeError(`sink ${config.name}: parallelTransactions must be a whole number of at least 1, got ${parallel}`);
    }
    this.name = config.name;
    this.#config = config;
    this.#parallel = parallel;
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
    // Without a dead-letter callback the caller learns of refused rows only from the outcome, which a
    // failing sibling transaction would take with it: one transaction then.
    const groups = partitionGroups(batch.records, options.deadLetter ? this.#parallel : 1);
    if (groups.length === 1) return this.#writeGroup(plan, groups[0]!, options);
    // Each group commits its rows with its own partitions' positions, so a group that commits while
    // another fails is skipped by position when the runner retries the whole batch.
    const settled = await Promise.allSettled(groups.map((records) => this.#writeGroup(plan, records, options)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    return mergeOutcomes(settled.map((s) => (s as PromiseFulfilledResult<WriteOutcome>).value));
  }

  async #writeGroup(plan: TablePlan, records: readonly SinkRecord[], options: WriteOptions): Promise<WriteOutcome> {
    const run = (isolate: boolean): Promise<WriteOutcome> =>
      this.#config.db.transaction().execute((tx) => this.#apply(tx, plan, records, isolate, options));
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
    const batch = coalesceBatch(records, stored, plan.spec.mode, this.#readerFor(plan));
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

    const scope = savepointScope(tx);
    const before = rejected.length;
    const deleted = isolate ? await isolateRejects(batch.deletes, remove, rejected, scope) : await remove(batch.deletes);
    const deleteRejects = rejected.length - before;
    const written = isolate ? await isolateRejects(batch.rows, insert, rejected, scope) : await insert(batch.rows);
    const rowRejects = rejected.length - before - deleteRejects;
    await writeOffsets(tx, consumerGroup, batch.nextOffsets);
    // The DLQ is acknowledged before the offsets past the refused records commit.
    if (rejected.length > 0 && options.deadLetter) await options.deadLetter(rejected);
    await this.#config.beforeCommit?.();
    // Tombstones for absent keys and rows ignored on conflict changed nothing.
    const unchanged = batch.deletes.length - deleteRejects - deleted + (batch.rows.length - rowRejects - written);
    return { written, deleted, skipped: batch.skipped + unchanged, rejected, nextOffsets: batch.nextOffsets };
  }

  #readerFor(plan: TablePlan): RowReader {
    if (this.#reader?.plan !== plan) this.#reader = { plan, reader: readerFor(plan) };
    return this.#reader.reader;
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
        `sink ${this.name}: table sluice_offsets does not exist; run \`sluice migrate\`, which creates Sluice's own tables (in code: await ensureFrameworkSchema(db))`,
      );
    }
    try {
      return await planTable(this.#config.db, this.#config.spec, this.#config.fields, this.#config.schemas);
    } catch (error) {
      const topology = this.#config.topology === undefined ? '' : `topology "${this.#config.topology}": `;
      if (error instanceof SinkTableMismatchError || error instanceof InvalidIdentifierError) error.message = `${topology}sink ${this.name}: ${error.message}`;
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
  const keys = new RowExtractor(plan.keyColumns, scalarKeyColumn);
  const rows = new RowExtractor(plan.columns, scalarKeyColumn);
  const checked = (values: readonly unknown[], record: SinkRecord): readonly unknown[] => {
    const i = values.findIndex((v) => v === null);
    if (i >= 0) {
      const what = record.value === null ? 'tombstone' : 'record';
      throw new RecordMappingError(`${what} has no value for key column ${plan.keyColumns[i]!.column}`);
    }
    return values;
  };
  return {
    key: (record) => checked(keys.values(record), record),
    row(record) {
      const values = rows.values(record);
      return { values, key: checked(keyIndexes.map((i) => values[i]), record) };
    },
  };
}

const DEFAULT_PARALLEL_TRANSACTIONS = 2;

/** The batch's records split into at most `count` groups of whole partitions, each in poll order. */
function partitionGroups(records: readonly SinkRecord[], count: number): SinkRecord[][] {
  if (count === 1) return [records as SinkRecord[]];
  const groupOf = new Map<string, SinkRecord[]>();
  const groups: SinkRecord[][] = [];
  // A poll comes in runs of one partition: the group is looked up when the run changes.
  let run: SinkRecord | undefined;
  let group: SinkRecord[] = [];
  for (const record of records) {
    if (record.partition !== run?.partition || record.topic !== run.topic) {
      run = record;
      const key = partitionKey(record.topic, record.partition);
      let found = groupOf.get(key);
      if (!found) {
        // Partitions are dealt out in order of first appearance.
        const index = groupOf.size % count;
        found = groups[index] ??= [];
        groupOf.set(key, found);
      }
      group = found;
    }
    group.push(record);
  }
  return groups;
}

function mergeOutcomes(outcomes: readonly WriteOutcome[]): WriteOutcome {
  return {
    written: outcomes.reduce((n, o) => n + o.written, 0),
    deleted: outcomes.reduce((n, o) => n + o.deleted, 0),
    skipped: outcomes.reduce((n, o) => n + o.skipped, 0),
    rejected: outcomes.flatMap((o) => o.rejected),
    nextOffsets: outcomes.flatMap((o) => o.nextOffsets),
  };
}

function uniquePartitions(records: readonly SinkRecord[]): TopicPartition[] {
  const seen = new Map<string, TopicPartition>();
  for (const r of records) seen.set(partitionKey(r.topic, r.partition), { topic: r.topic, partition: r.partition });
  return [...seen.values()];
}
