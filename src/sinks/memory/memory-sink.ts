import { partitionKey } from '../../partition-key.js';
import { coalesceBatch, identity, type RowReader } from '../coalesce-batch.js';
import { flattenRecord, isPlainObject, valueAt } from '../record-fields.js';
import type { PartitionOffset, RejectedRecord, Sink, SinkBatch, SinkRecord, TopicPartition, WriteOptions, WriteOutcome } from '../sink.js';
import type { MemoryColumnSpec, MemorySinkMode } from './memory-sink-spec.js';

/**
 * One row of a {@link MemorySink}: column → value as decoded.
 *
 * @example
 * ```ts
 * const row: MemoryRow = { route_id: 'R1', window_start: 60000, window_end: 120000, events: 3 };
 * ```
 */
export type MemoryRow = Readonly<Record<string, unknown>>;

/** Wiring for {@link createMemorySink}. */
export interface MemorySinkConfig {
  /** The sink's name in the topology. */
  readonly name: string;
  /** Columns identifying a row; empty: the record's Kafka key (none: every record is its own row). */
  readonly key: readonly string[];
  readonly mode: MemorySinkMode;
  /** Explicit columns; `undefined`: every record field as its snake_case column. */
  readonly columns?: readonly MemoryColumnSpec[] | undefined;
  /** What the records are: a table's `…__…` accumulator state fields are not columns, as in PostgreSQL. */
  readonly records?: 'table' | 'stream' | 'dead-letter';
}

/**
 * Creates an in-memory {@link Sink}: the rows a destination table would hold,
 * kept in the process, with positions stored beside them so a re-delivered
 * batch changes nothing (the same exactly-once rule as PostgreSQL's
 * `sluice_offsets`). Batches are coalesced as the PostgreSQL sink coalesces
 * them: last value per key (`upsert`), first (`insert-ignore`), every record
 * (`append`); tombstones delete. A record without a value for a key column
 * is refused (`rejected`, handed to `deadLetter`), nothing else is.
 *
 * @example
 * ```ts
 * const sink = createMemorySink({ name: 'route-stats', key: ['route_id', 'window_start'], mode: 'upsert' });
 * await sink.writeBatch({ records: [{ topic: 't', partition: 0, offset: 0n, key: { route_id: 'R1', window_start: 0 }, value: { events: 1 } }] });
 * sink.rows(); // [{ events: 1, route_id: 'R1', window_start: 0 }]
 * ```
 */
export function createMemorySink(config: MemorySinkConfig): MemorySink {
  return new MemorySink(config);
}

/** See {@link createMemorySink}. */
export class MemorySink implements Sink {
  readonly name: string;
  readonly #config: MemorySinkConfig;
  readonly #reader: RowReader;
  readonly #rows = new Map<string, MemoryRow>();
  readonly #positions = new Map<string, bigint>();
  #appended = 0;
  #closed = false;

  constructor(config: MemorySinkConfig) {
    this.name = config.name;
    this.#config = config;
    this.#reader = rowReader(config);
  }

  /** The rows now held, in order of first write (a replaced row keeps its place). */
  rows(): MemoryRow[] {
    return [...this.#rows.values()].map((row) => ({ ...row }));
  }

  async open(assignment: readonly TopicPartition[]): Promise<readonly PartitionOffset[]> {
    this.#assertOpen();
    const stored: PartitionOffset[] = [];
    for (const { topic, partition } of assignment) {
      const nextOffset = this.#positions.get(partitionKey(topic, partition));
      if (nextOffset !== undefined) stored.push({ topic, partition, nextOffset });
    }
    return stored;
  }

  async writeBatch(batch: SinkBatch, options: WriteOptions = {}): Promise<WriteOutcome> {
    this.#assertOpen();
    if (batch.records.length === 0) return { written: 0, deleted: 0, skipped: 0, rejected: [], nextOffsets: [] };
    const coalesced = coalesceBatch(batch.records, this.#positions, this.#config.mode, this.#reader);
    const rejected: RejectedRecord[] = [...coalesced.rejected];
    // As in a destination transaction: the DLQ is acknowledged before anything changes, and a failure changes nothing.
    if (rejected.length > 0 && options.deadLetter) await options.deadLetter(rejected);
    let deleted = 0;
    let written = 0;
    let unchanged = 0;
    for (const { values } of coalesced.deletes) {
      if (this.#rows.delete(identity(values))) deleted++;
      else unchanged++;
    }
    for (const { values } of coalesced.rows) {
      const [row, id] = values as [MemoryRow, string];
      if (this.#config.mode === 'append') this.#rows.set(`append:${this.#appended++}`, row);
      else if (this.#config.mode === 'insert-ignore' && this.#rows.has(id)) {
        unchanged++;
        continue;
      } else this.#rows.set(id, row);
      written++;
    }
    for (const o of coalesced.nextOffsets) this.#positions.set(partitionKey(o.topic, o.partition), o.nextOffset);
    return { written, deleted, skipped: coalesced.skipped + unchanged, rejected, nextOffsets: coalesced.nextOffsets };
  }

  async onPaused(): Promise<void> {
    // Nothing is buffered between batches.
  }

  async close(): Promise<void> {
    this.#closed = true;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`sink ${this.name} is closed`);
  }
}

/** Reads a row and its identity (key values) from a record; throws to refuse it. */
function rowReader(config: MemorySinkConfig): RowReader {
  const keyOf = (row: MemoryRow, record: SinkRecord): readonly unknown[] => {
    if (config.key.length === 0) return recordIdentity(record);
    return config.key.map((column) => {
      const v = row[column];
      if (v === undefined || v === null) throw new Error(`${record.value === null ? 'tombstone' : 'record'} has no value for key column ${column}`);
      return v;
    });
  };
  return {
    key: (record) => keyOf(rowOf(record, config), record),
    row(record) {
      const row = rowOf(record, config);
      const key = keyOf(row, record);
      // The identity rides along with the row: the sink needs it to replace or skip, coalescing only passes values on.
      return { key, values: [row, identity(key)] };
    },
  };
}

/** The row a record becomes: as PostgreSQL's default columns (snake_case fields), or the explicit columns. */
function rowOf(record: SinkRecord, config: MemorySinkConfig): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  if (config.columns !== undefined) {
    for (const { column, from } of config.columns) row[column] = valueAt(record, from) ?? null;
  } else {
    // A scalar Kafka key is no column of its own: it fills a single key column the value lacks, below.
    const flat = flattenRecord(isPlainObject(record.key) ? record.key : null, record.value);
    for (const [column, value] of flat) {
      if (config.records === 'table' && column.includes('__')) continue;
      row[column] = value;
    }
  }
  const [only, ...more] = config.key;
  const scalarKey = record.key !== null && record.key !== undefined && typeof record.key !== 'object';
  if (only !== undefined && more.length === 0 && scalarKey && (row[only] === undefined || row[only] === null)) row[only] = record.key;
  return row;
}

/** Without key columns a row is identified by the Kafka key; a keyless record is a row of its own. */
function recordIdentity(record: SinkRecord): readonly unknown[] {
  if (record.key === null || record.key === undefined) return ['record', record.topic, record.partition, record.offset];
  if (isPlainObject(record.key)) return ['key', ...flattenRecord(record.key, null).values()];
  return ['key', record.key];
}
