import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ContenderCommand } from '../lib/contender-process.js';

/**
 * The JSON line a contender that stops by itself prints on stdout when done.
 *
 * @example
 * ```ts
 * const result: DrainResult = { consumed: 100_000, invalid: 1_053, positions: { '0': 16_054 }, seconds: 33.1 };
 * ```
 */
export interface DrainResult {
  /** Data records read (transaction markers excluded), valid or not. */
  readonly consumed: number;
  /** Records that failed decoding or the contract's `0 <= value <= 1000` check. */
  readonly invalid: number;
  /** Next offset per partition (by partition number): everything before it was handled, nothing after. */
  readonly positions: Readonly<Record<string, number>>;
  /** From the first record received to the last one handled; connect and group join excluded. */
  readonly seconds: number;
}

/**
 * The baseline's result line: {@link DrainResult} plus its own counters.
 *
 * @example
 * ```ts
 * const result = parseBaselineResult(stdout.trim().split('\n').at(-1)!);
 * result.late; // 0 on the contract's workload
 * ```
 */
export interface BaselineResult extends DrainResult {
  /** Of `invalid`, those not decodable at all (bad magic byte, unknown schema id, corrupt body). */
  readonly undecodable: number;
  /** Valid records for an already closed window (dropped, not dead-lettered, per the contract). */
  readonly late: number;
  /** Transaction markers skipped (kafka-python 2.0.2 hands them over as records). */
  readonly control: number;
}

/**
 * Options of {@link baselineCommand}; endpoints default to the environment as in bench/CONTRACT.md.
 *
 * @example
 * ```ts
 * const options: BaselineOptions = { input: 'bench.events', dlq: 'bench.events.baseline-dlq', table: 'bench_baseline_r1', group: 'bench-baseline-r1', maxSeconds: 60 };
 * ```
 */
export interface BaselineOptions {
  readonly input: string;
  /** Dead-letter topic; created with one partition when missing. */
  readonly dlq: string;
  /** PostgreSQL table, created when missing; must be empty (and the group new) since aggregates start from zero. */
  readonly table: string;
  readonly group: string;
  /** Stop after this many seconds of consuming; `positions` then say which prefix the table holds. */
  readonly maxSeconds?: number;
  readonly bootstrap?: string;
  readonly registry?: string;
  readonly databaseUrl?: string;
  /** Defaults to Debian's `/usr/bin/python3`, the one with python3-kafka/-psycopg2/-avro. */
  readonly python?: string;
  /** Base environment the endpoint defaults are read from; defaults to `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

/** Debian's interpreter: the pyenv `python3` on PATH does not see the Debian packages. */
export const DEBIAN_PYTHON = '/usr/bin/python3';

/** The baseline script, bench/baseline/baseline.py. */
export const BASELINE_SCRIPT = fileURLToPath(new URL('../baseline/baseline.py', import.meta.url));

const DEBIAN_PACKAGES: Readonly<Record<string, string>> = { kafka: 'python3-kafka', psycopg2: 'python3-psycopg2', avro: 'python3-avro' };
const INSTALL_HINT = 'apt-get install python3-kafka python3-psycopg2 python3-avro';

/**
 * The command that runs the hand-written baseline (bench/baseline/baseline.py);
 * `env` holds overrides to merge over `process.env`, as `ContenderProcess.start` does.
 *
 * @example
 * ```ts
 * const command = baselineCommand({ input: 'bench.events', dlq: 'bench.events.baseline-dlq', table: 'bench_baseline_r1', group: 'bench-baseline-r1', maxSeconds: 60 });
 * const run = ContenderProcess.start(command, logFile);
 * // command.command = '/usr/bin/python3', args = ['…/bench/baseline/baseline.py', '--input', 'bench.events', …]
 * ```
 */
export function baselineCommand(options: BaselineOptions): ContenderCommand {
  const base = options.env ?? process.env;
  const bootstrap = options.bootstrap ?? base.KAFKA_BOOTSTRAP_SERVERS ?? '127.0.0.1:9092';
  const registry = options.registry ?? base.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081/apis/ccompat/v7';
  const databaseUrl = options.databaseUrl ?? base.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const args = [
    BASELINE_SCRIPT,
    '--bootstrap', bootstrap,
    '--registry', registry,
    '--database-url', databaseUrl,
    '--input', options.input,
    '--dlq', options.dlq,
    '--table', options.table,
    '--group', options.group,
  ];
  if (options.maxSeconds !== undefined) args.push('--max-seconds', String(options.maxSeconds));
  return { command: options.python ?? DEBIAN_PYTHON, args, env: { ...DEBIAN_PYTHON_ENV, KAFKA_BOOTSTRAP_SERVERS: bootstrap, SCHEMA_REGISTRY_URL: registry, DATABASE_URL: databaseUrl } };
}

/**
 * Throws, naming what to install, unless Debian's Python can import kafka-python, psycopg2 and avro.
 *
 * @example
 * ```ts
 * await checkBaselinePrerequisites(); // Error: baseline: /usr/bin/python3 cannot import avro — apt-get install python3-kafka python3-psycopg2 python3-avro (missing: python3-avro)
 * ```
 */
export async function checkBaselinePrerequisites(python: string = DEBIAN_PYTHON): Promise<void> {
  // Import for real (not find_spec): a package can be present and still fail, like kafka-python 2.0.2 on Python 3.12.
  const probe = ['import importlib, json', 'missing = []', ...Object.keys(DEBIAN_PACKAGES).map((m) => `try:\n    importlib.import_module(${JSON.stringify(m)})\nexcept Exception:\n    missing.append(${JSON.stringify(m)})`), 'print(json.dumps(missing))'].join('\n');
  let stdout: string;
  try {
    ({ stdout } = await promisify(execFile)(python, ['-c', probe], { env: { ...process.env, ...DEBIAN_PYTHON_ENV }, timeout: 30_000 }));
  } catch (error) {
    throw new Error(`baseline: cannot run ${python} (${(error as Error).message.split('\n')[0]}) — apt-get install python3 ${INSTALL_HINT.slice('apt-get install '.length)}`);
  }
  const missing = JSON.parse(stdout.trim()) as string[];
  if (missing.length > 0) {
    const packages = missing.map((m) => DEBIAN_PACKAGES[m] ?? m);
    throw new Error(`baseline: ${python} cannot import ${missing.join(', ')} — ${INSTALL_HINT} (missing: ${packages.join(', ')})`);
  }
}

/**
 * Parses the baseline's stdout result line; throws on anything else.
 *
 * @example
 * ```ts
 * parseBaselineResult('{"consumed": 5000, "invalid": 47, "positions": {"0": 842}, "seconds": 1.9, "undecodable": 2, "late": 0, "control": 0}');
 * // { consumed: 5000, invalid: 47, positions: { '0': 842 }, seconds: 1.9, undecodable: 2, late: 0, control: 0 }
 * ```
 */
export function parseBaselineResult(stdoutLine: string): BaselineResult {
  const fields = parseDrainResult(stdoutLine, 'baseline');
  const counter = (name: string): number => {
    const value = fields.raw[name];
    if (!isCount(value)) throw new Error(`baseline: result field "${name}" is not a count in ${stdoutLine}`);
    return value;
  };
  return { ...fields.result, undecodable: counter('undecodable'), late: counter('late'), control: counter('control') };
}

/**
 * Parses a {@link DrainResult} line (shared by the self-stopping contenders); `raw` keeps every field for extras.
 *
 * @example
 * ```ts
 * const { result } = parseDrainResult('{"consumed": 1, "invalid": 0, "positions": {"0": 1}, "seconds": 0.1}', 'ceiling');
 * ```
 */
export function parseDrainResult(stdoutLine: string, contender: string): { result: DrainResult; raw: Readonly<Record<string, unknown>> } {
  let raw: unknown;
  try {
    raw = JSON.parse(stdoutLine);
  } catch {
    throw new Error(`${contender}: result line is not JSON: ${stdoutLine.slice(0, 200)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`${contender}: result line is not a JSON object: ${stdoutLine.slice(0, 200)}`);
  const fields = raw as Record<string, unknown>;
  const { consumed, invalid, positions, seconds } = fields;
  if (!isCount(consumed) || !isCount(invalid)) throw new Error(`${contender}: "consumed" and "invalid" must be counts in ${stdoutLine.slice(0, 200)}`);
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new Error(`${contender}: "seconds" must be a non-negative number in ${stdoutLine.slice(0, 200)}`);
  if (typeof positions !== 'object' || positions === null || Array.isArray(positions) || !Object.entries(positions).every(([p, o]) => /^\d+$/.test(p) && isCount(o))) {
    throw new Error(`${contender}: "positions" must map partition numbers to offsets in ${stdoutLine.slice(0, 200)}`);
  }
  return { result: { consumed, invalid, positions: positions as Record<string, number>, seconds }, raw: fields };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

// Debian's python must not pick up the pyenv interpreter's paths or a user site. These are overrides
// merged over process.env (ContenderProcess.start does so); Python treats an empty PYTHONPATH/PYTHONHOME as unset.
const DEBIAN_PYTHON_ENV: Readonly<Record<string, string>> = { PYTHONPATH: '', PYTHONHOME: '', PYTHONNOUSERSITE: '1', PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
