import type { Sink } from '../sink.js';
import type { SinkDriver, SinkFault, SinkKindSpec, SinkTarget } from '../sink-driver.js';
import { createMemorySink, type MemoryRow, type MemorySink } from './memory-sink.js';
import type { MemoryColumnSpec, MemorySinkMode } from './memory-sink-spec.js';

/**
 * Options of {@link memoryDriver}.
 *
 * @example
 * ```ts
 * const options: MemoryDriverOptions = { serves: ['memory', 'postgres'] };
 * ```
 */
export interface MemoryDriverOptions {
  /**
   * The spec kinds it writes. Default `['memory']`. A `postgres` spec is read
   * for what is destination-neutral in it (`key`, `mode`, `columns`' paths),
   * so a topology's PostgreSQL sinks can be checked without a database.
   */
  readonly serves?: readonly string[];
}

/**
 * The in-memory {@link SinkDriver} (kind `memory`): sinks keep their rows in
 * the process, readable by name with {@link MemoryDriver.rows}. Nothing to
 * open or migrate; nothing it throws is worth a retry.
 *
 * @example
 * ```ts
 * const driver = memoryDriver({ serves: ['memory', 'postgres'] });
 * await driver.open({ projectDir: '.', migrate: false, log: () => {} });
 * const sink = driver.createSink(target); // target.spec: postgres({ table: 'raw_events', key: ['event_id'] })
 * await sink.writeBatch({ records });
 * driver.rows('raw-events-pg'); // [{ event_id: 'e1', … }]
 * ```
 */
export function memoryDriver(options: MemoryDriverOptions = {}): MemoryDriver {
  return new MemoryDriver(options.serves ?? ['memory']);
}

/** See {@link memoryDriver}. */
export class MemoryDriver implements SinkDriver {
  readonly kind = 'memory';
  readonly serves: readonly string[];
  readonly #sinks = new Map<string, MemorySink>();

  constructor(serves: readonly string[]) {
    this.serves = serves;
  }

  async open(): Promise<void> {}

  createSink(target: SinkTarget): Sink {
    const { key, mode, columns } = neutralSpec(target.spec, this.serves, target);
    const sink = createMemorySink({ name: target.name, key, mode, columns, records: target.records });
    this.#sinks.set(target.name, sink);
    return sink;
  }

  /** The rows of the sink named `name`; throws naming the sinks there are. */
  rows(name: string): MemoryRow[] {
    const sink = this.#sinks.get(name);
    if (sink === undefined) throw new Error(`no memory sink named "${name}" (sinks: ${[...this.#sinks.keys()].join(', ') || 'none'})`);
    return sink.rows();
  }

  classifyError(): SinkFault {
    return 'fatal';
  }

  deadLetterSpec(spec: SinkKindSpec, fields: readonly string[]): SinkKindSpec {
    // As PostgreSQL's: each dead-letter field is one column, `payload_json` one value rather than flattened.
    if (spec['columns'] !== undefined && spec['columns'] !== null) return spec;
    return Object.freeze({ ...spec, columns: Object.freeze(fields.map((field) => Object.freeze({ column: field, from: Object.freeze(['value', field]) }))) });
  }

  async close(): Promise<void> {}
}

const MODES: readonly string[] = ['upsert', 'insert-ignore', 'append'];

/** The destination-neutral options of a spec this driver serves: key columns, mode, column paths. */
function neutralSpec(
  spec: SinkKindSpec,
  serves: readonly string[],
  target: SinkTarget,
): { key: readonly string[]; mode: MemorySinkMode; columns: readonly MemoryColumnSpec[] | undefined } {
  const where = `topology "${target.topology}": sink ${target.name}`;
  if (!serves.includes(spec.kind)) throw new Error(`${where}: the memory driver serves ${serves.join(', ')}, not ${JSON.stringify(spec.kind)}`);
  const key = spec['key'] ?? [];
  if (!Array.isArray(key) || !key.every((k): k is string => typeof k === 'string')) throw new Error(`${where}: key must be a list of column names`);
  const mode = spec['mode'] ?? 'upsert';
  if (typeof mode !== 'string' || !MODES.includes(mode)) throw new Error(`${where}: unknown mode ${JSON.stringify(mode)}; use one of ${MODES.join(', ')}`);
  const columns = spec['columns'];
  if (columns === undefined || columns === null) return { key, mode: mode as MemorySinkMode, columns: undefined };
  const valid = Array.isArray(columns) && columns.every((c: unknown) => typeof (c as MemoryColumnSpec)?.column === 'string' && Array.isArray((c as MemoryColumnSpec).from));
  if (!valid) throw new Error(`${where}: columns must be a list of { column, from: path segments }`);
  return { key, mode: mode as MemorySinkMode, columns: columns as readonly MemoryColumnSpec[] };
}
