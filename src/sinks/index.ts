/**
 * Driver-free surface of `src/sinks`: the `Sink` and `SinkDriver` contracts
 * and the spec factories `postgres({...})` and `memory({...})`. Safe for the package root: importing it loads
 * no database driver. The writer, migrations and `openDatabase` are in
 * `./postgres/index.js`, for the CLI and runtime wiring.
 *
 * @example
 * ```ts
 * import { postgres, type Sink } from './sinks/index.js';
 * const spec = postgres({ table: 'bus_route_minute', key: ['route_id', 'window_start'] });
 * ```
 * @module
 */
export type {
  PartitionOffset, RejectedRecord, Sink, SinkBatch, SinkRecord, TopicPartition, WriteOptions, WriteOutcome,
} from './sink.js';
export type { SinkDriver, SinkDriverContext, SinkDriverLog, SinkFault, SinkKindSpec, SinkTarget } from './sink-driver.js';
export { retryWithBackoff, type RetryOptions } from './retry-with-backoff.js';
export {
  postgres, PostgresSinkSpecError,
  type PostgresColumnMapping, type PostgresColumnSpec, type PostgresColumnType,
  type PostgresSinkMode, type PostgresSinkOptions, type PostgresSinkSpec,
} from './postgres/postgres-sink-spec.js';
export {
  memory, MemorySinkSpecError,
  type MemoryColumnSpec, type MemorySinkMode, type MemorySinkOptions, type MemorySinkSpec,
} from './memory/memory-sink-spec.js';
export type { SinkWriteMode } from './coalesce-batch.js';
