import { fileURLToPath } from 'node:url';
import type { ContenderCommand } from '../lib/contender-process.js';
import { parseDrainResult, type DrainResult } from './baseline.js';

/**
 * The ceiling's result line (bench/contenders/ceiling-main.ts): consumed,
 * `invalid` = records failing decode or the value check, of which
 * `undecodable` did not decode; `positions` are the end offsets seen at start.
 *
 * @example
 * ```ts
 * const result: CeilingResult = { consumed: 100_000, invalid: 1_053, undecodable: 106, positions: { '0': 16_054 }, seconds: 0.9 };
 * ```
 */
export interface CeilingResult extends DrainResult {
  readonly undecodable: number;
}

/**
 * Options of {@link ceilingCommand}; endpoints default to the environment as in bench/CONTRACT.md.
 *
 * @example
 * ```ts
 * const options: CeilingOptions = { input: 'bench.events', group: 'bench-ceiling-r1' };
 * ```
 */
export interface CeilingOptions {
  readonly input: string;
  /** Only names the client (partitions are assigned directly and nothing is committed). */
  readonly group: string;
  readonly bootstrap?: string;
  readonly registry?: string;
  /** Messages per `consume(n)` call; default 10,000. */
  readonly batchSize?: number;
  /** Base environment the endpoint defaults are read from; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** The ceiling's entry point, run by node with tsx. */
export const CEILING_MAIN = fileURLToPath(new URL('./ceiling-main.ts', import.meta.url));

/**
 * The command that runs the ceiling contender: this node, with tsx registered
 * the way bin/sluice.js does it (so no build step), on ceiling-main.ts;
 * `env` holds overrides to merge over `process.env`, as `ContenderProcess.start` does.
 *
 * @example
 * ```ts
 * const { command, args, env } = ceilingCommand({ input: 'bench.events', group: 'bench-ceiling-r1' });
 * // command = process.execPath, args = ['--import', 'file:///…/node_modules/tsx/dist/loader.mjs', '…/bench/contenders/ceiling-main.ts', '--input', 'bench.events', …]
 * const run = ContenderProcess.start({ command, args, env }, logFile);
 * ```
 */
export function ceilingCommand(options: CeilingOptions): ContenderCommand {
  const base = options.env ?? process.env;
  const bootstrap = options.bootstrap ?? base.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
  const registry = options.registry ?? base.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
  // Resolved here rather than `--import tsx`, which node would resolve from the child's working directory.
  const tsx = import.meta.resolve('tsx');
  const args = [
    '--import', tsx,
    CEILING_MAIN,
    '--bootstrap', bootstrap,
    '--registry', registry,
    '--input', options.input,
    '--group', options.group,
    '--batch', String(options.batchSize ?? 10_000),
  ];
  return { command: process.execPath, args, env: { KAFKA_BOOTSTRAP_SERVERS: bootstrap, SCHEMA_REGISTRY_URL: registry } };
}

/**
 * Parses the ceiling's stdout result line; throws on anything else.
 *
 * @example
 * ```ts
 * parseCeilingResult('{"consumed":5000,"invalid":47,"undecodable":2,"positions":{"0":842},"seconds":0.2}');
 * // { consumed: 5000, invalid: 47, undecodable: 2, positions: { '0': 842 }, seconds: 0.2 }
 * ```
 */
export function parseCeilingResult(stdoutLine: string): CeilingResult {
  const { result, raw } = parseDrainResult(stdoutLine, 'ceiling');
  const undecodable = raw.undecodable;
  if (typeof undecodable !== 'number' || !Number.isSafeInteger(undecodable) || undecodable < 0) {
    throw new Error(`ceiling: result field "undecodable" is not a count in ${stdoutLine.slice(0, 200)}`);
  }
  return { ...result, undecodable };
}
