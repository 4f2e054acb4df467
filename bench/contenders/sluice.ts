import { fileURLToPath } from 'node:url';
import type { ContenderCommand } from '../lib/contender-process.js';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const sluiceBin = fileURLToPath(new URL('../../bin/sluice.js', import.meta.url));

/** Topics and group of one Sluice run. */
export interface SluiceRunOptions {
  readonly topology: string;
  readonly input: string;
  readonly table: string;
  readonly dlq: string;
  readonly group: string;
  /** `sinks` runs only the topology's sinks (the sink benchmark). */
  readonly only?: 'processing' | 'sinks';
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The real CLI, `sluice run <topology>`, in bench/ as its project directory
 * (bench/topologies, bench/schemas), exactly as a user runs it.
 *
 * @example
 * ```ts
 * ContenderProcess.start(sluiceCommand({ topology: 'bench-windowed', input, table, dlq, group: 'bench-sluice-r1' }), log);
 * ```
 */
export function sluiceCommand(options: SluiceRunOptions): ContenderCommand {
  return {
    command: process.execPath,
    args: [
      sluiceBin,
      'run',
      options.topology,
      '--application-id',
      options.group,
      '--instance-id',
      options.group,
      '--no-migrate',
      '--log-format',
      'json',
      '--log-level',
      'warn',
      ...(options.only ? ['--only', options.only] : []),
    ],
    cwd: benchDir,
    env: {
      BENCH_INPUT_TOPIC: options.input,
      BENCH_TABLE_TOPIC: options.table,
      BENCH_DLQ_TOPIC: options.dlq,
      SLUICE_METRICS_PORT: '0',
      ...options.env,
    },
  };
}
