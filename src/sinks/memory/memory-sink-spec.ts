/**
 * `memory({...})`: the pure description of an in-memory sink, as written in a
 * topology. Plain frozen data, no I/O.
 */
import { IDENTIFIER_PATTERN } from '../column-names.js';
import type { SinkWriteMode } from '../coalesce-batch.js';

/** How a batch lands in memory: the same modes, with the same meaning, as `postgres({ mode })`. */
export type MemorySinkMode = SinkWriteMode;

/** What a topology author writes. */
export interface MemorySinkOptions {
  /**
   * Columns that identify a row (upserts replace it, tombstones delete it).
   * Default: the record's Kafka key (a table's key fields; a stream's text key).
   */
  readonly key?: readonly string[];
  /** Default `upsert`. */
  readonly mode?: MemorySinkMode;
}

/**
 * One explicitly mapped column: where its value is read in the record
 * (path segments, e.g. `['value', 'payload_json']`).
 */
export type MemoryColumnSpec = {
  readonly column: string;
  readonly from: readonly string[];
};

/**
 * The frozen, validated description a topology carries (a type alias so it
 * is assignable to the planner's `SinkSpec`).
 */
export type MemorySinkSpec = {
  readonly kind: 'memory';
  readonly key: readonly string[];
  readonly mode: MemorySinkMode;
  /** `undefined`: every record field is a snake_case column, as `postgres()` derives them. */
  readonly columns: readonly MemoryColumnSpec[] | undefined;
};

const MODES: readonly MemorySinkMode[] = ['upsert', 'insert-ignore', 'append'];

/** Thrown by {@link memory} for a definition that cannot work. */
export class MemorySinkSpecError extends Error {
  override readonly name = 'MemorySinkSpecError';
}

/**
 * Describes an in-memory sink: rows kept in the process, read back with
 * `TopologyTestDriver#sink(name).rows()`. Rows are what `postgres()` would
 * write without explicit columns (snake_case columns from the record's key
 * and value fields), as decoded: no column types. Key column names follow
 * the same rule as SQL identifiers, so a spec moves to `postgres()` as is.
 *
 * @example
 * ```ts
 * topology('events-pipeline')
 *   // …
 *   .sink('raw-events', memory({ key: ['event_id'], mode: 'insert-ignore' }));
 * // → { kind: 'memory', key: ['event_id'], mode: 'insert-ignore', columns: undefined }
 *
 * memory({ key: ['EventId'] });
 * // throws MemorySinkSpecError: memory(): invalid key column "EventId": column names must match /^[a-z_][a-z0-9_]{0,62}$/ …
 * ```
 */
export function memory(options: MemorySinkOptions = {}): MemorySinkSpec {
  if (options === null || typeof options !== 'object') {
    throw new MemorySinkSpecError('memory(): expected an options object like { key, mode }');
  }
  const mode = options.mode ?? 'upsert';
  if (!MODES.includes(mode)) {
    throw new MemorySinkSpecError(`memory(): unknown mode ${JSON.stringify(mode)}; use one of ${MODES.join(', ')}`);
  }
  const key = [...(options.key ?? [])];
  for (const column of key) {
    if (typeof column !== 'string' || !IDENTIFIER_PATTERN.test(column)) {
      throw new MemorySinkSpecError(
        `memory(): invalid key column ${JSON.stringify(column)}: column names must match ${IDENTIFIER_PATTERN.source} ` +
          '(lower-case letters, digits and "_", not starting with a digit, at most 63 characters)',
      );
    }
  }
  if (new Set(key).size !== key.length) throw new MemorySinkSpecError(`memory(): key lists a column twice: ${key.join(', ')}`);
  return Object.freeze({ kind: 'memory', key: Object.freeze(key), mode, columns: undefined });
}
