import type { Workload } from './workload.js';
import type { Verdict } from './oracle.js';

/** Where the stack is. */
export interface BenchEndpoints {
  readonly bootstrap: string;
  readonly registryUrl: string;
  readonly databaseUrl: string;
}

/** What one round of one contender needs. */
export interface RoundContext {
  readonly round: number;
  readonly runId: string;
  readonly workload: Workload;
  readonly endpoints: BenchEndpoints;
  /** Directory for the contender's log file. */
  readonly logDir: string;
  readonly log: (line: string) => void;
}

/** What one round measured. */
export interface RoundOutcome {
  readonly contender: string;
  readonly round: number;
  /** Events the contender went through (the whole topic, or a prefix for a contender that stops early). */
  readonly events: number;
  /** Spawn to drained, seconds. */
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly verdict: Verdict;
  readonly note?: string;
}

/**
 * One implementation of the benchmark topology, measured round by round.
 *
 * @example
 * ```ts
 * const c: Contender = { name: 'sluice', prepare: async () => {}, runRound: async (ctx) => outcome };
 * ```
 */
export interface Contender {
  readonly name: string;
  /** Build or check prerequisites once, before the rounds (not measured). */
  prepare(log: (line: string) => void): Promise<void>;
  runRound(context: RoundContext): Promise<RoundOutcome>;
}
