/**
 * A local-infrastructure problem explained for a human: what is wrong, which
 * log to read, and what else would work.
 *
 * @example
 * ```ts
 * throw new StackError({
 *   problem: 'Kafka did not answer a metadata request within 60 s',
 *   logFile: '.sluice/kafka/kafka.log',
 *   alternatives: ['set KAFKA_BOOTSTRAP_SERVERS to an existing broker'],
 * });
 * // Error: Kafka did not answer a metadata request within 60 s
 * //   log:  .sluice/kafka/kafka.log
 * //   or:   set KAFKA_BOOTSTRAP_SERVERS to an existing broker
 * ```
 */
export class StackError extends Error {
  readonly problem: string;
  readonly logFile: string | undefined;
  readonly alternatives: readonly string[];

  constructor(details: { problem: string; logFile?: string; logTail?: string; alternatives?: readonly string[] }) {
    const lines = [details.problem];
    if (details.logFile) lines.push(`  log:  ${details.logFile}`);
    if (details.logTail) lines.push('  last log lines:', ...details.logTail.split('\n').map((l) => `    ${l}`));
    for (const alternative of details.alternatives ?? []) lines.push(`  or:   ${alternative}`);
    super(lines.join('\n'));
    this.name = 'StackError';
    this.problem = details.problem;
    this.logFile = details.logFile;
    this.alternatives = details.alternatives ?? [];
  }
}

/** The ways out that apply to every service we cannot bring up ourselves. */
export const GENERAL_ALTERNATIVES: readonly string[] = [
  'with a Docker engine: docker compose up -d --wait (uses docker-compose.yml)',
  'an existing cluster: set KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL and DATABASE_URL',
];
