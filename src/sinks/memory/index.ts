/**
 * The in-memory sink: rows kept in the process, for `TopologyTestDriver` and
 * tests. Imports no database driver.
 *
 * @example
 * ```ts
 * import { memoryDriver } from './sinks/memory/index.js';
 * const driver = memoryDriver({ serves: ['memory', 'postgres'] });
 * ```
 * @module
 */
export {
  memory, MemorySinkSpecError, type MemoryColumnSpec, type MemorySinkMode, type MemorySinkOptions, type MemorySinkSpec,
} from './memory-sink-spec.js';
export { createMemorySink, MemorySink, type MemoryRow, type MemorySinkConfig } from './memory-sink.js';
export { memoryDriver, MemoryDriver, type MemoryDriverOptions } from './memory-driver.js';
