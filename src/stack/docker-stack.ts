import { runCommand } from './run-command.js';
import { StackError } from './stack-error.js';
import type { ServiceName } from './stack-endpoints.js';

/** Compose service names in docker-compose.yml for each Sluice service. */
export const COMPOSE_SERVICES: Readonly<Record<ServiceName, string>> = {
  kafka: 'kafka',
  registry: 'schema-registry',
  postgres: 'postgres',
};

/** Endpoints docker-compose.yml publishes on the host. */
export const COMPOSE_ENDPOINTS: Readonly<Record<ServiceName, string>> = {
  kafka: '127.0.0.1:9092',
  registry: 'http://127.0.0.1:8081',
  postgres: 'postgres://postgres:sluice@127.0.0.1:55432/sluice',
};

/**
 * Whether a Docker engine answers (not merely whether the `docker` client exists).
 *
 * @example
 * ```ts
 * if (await dockerEngineAnswers()) await composeUp(projectDir, ['kafka']);
 * ```
 */
export async function dockerEngineAnswers(): Promise<boolean> {
  const info = await runCommand('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs: 8_000 });
  return info.code === 0 && info.stdout.trim() !== '';
}

/**
 * Starts compose services and waits for their health checks.
 *
 * @example
 * ```ts
 * await composeUp('/path/to/project', ['kafka', 'schema-registry']);
 * ```
 */
export async function composeUp(projectDir: string, services: readonly string[]): Promise<void> {
  const result = await runCommand('docker', ['compose', 'up', '-d', '--wait', ...services], { cwd: projectDir, timeoutMs: 5 * 60_000 });
  if (result.code !== 0) {
    throw new StackError({
      problem: `docker compose up ${services.join(' ')} failed (exit ${result.code})`,
      logTail: result.stderr.trim().split('\n').slice(-12).join('\n'),
      alternatives: ['docker compose logs  # to see why', 'SLUICE_STACK=native to use the JVM stack instead'],
    });
  }
}

/**
 * Stops compose services that `sluice stack up` started.
 *
 * @example
 * ```ts
 * await composeStop('/path/to/project', ['kafka']);
 * ```
 */
export async function composeStop(projectDir: string, services: readonly string[]): Promise<void> {
  if (services.length === 0) return;
  await runCommand('docker', ['compose', 'stop', ...services], { cwd: projectDir, timeoutMs: 2 * 60_000 });
}
