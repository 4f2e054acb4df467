import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ServiceName, StackEndpoints } from './stack-endpoints.js';

/** What `sluice stack up` recorded, so `down` stops only what `up` started. */
export interface StackState {
  readonly endpoints: StackEndpoints;
  /** Compose services that `up` started (native JVMs are tracked by their pid files). */
  readonly dockerServices: readonly string[];
  readonly startedAt: string;
  readonly started: readonly ServiceName[];
  /** Nodes of the native Kafka `up` ran (absent: 1, or Kafka not native). */
  readonly kafkaBrokers?: number;
}

/**
 * Reads `.sluice/stack.json`; undefined when absent or unreadable.
 *
 * @example
 * ```ts
 * const state = readStackState('.sluice/stack.json');
 * ```
 */
export function readStackState(file: string): StackState | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

/** Writes `.sluice/stack.json`. */
export function writeStackState(file: string, state: StackState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
}

/** Removes `.sluice/stack.json`. */
export function clearStackState(file: string): void {
  rmSync(file, { force: true });
}
