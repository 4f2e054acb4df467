import { DEFAULT_DATABASE_URL, stackLayout } from '../stack/index.js';
import { readStackState } from '../stack/stack-state.js';

/** Where `sluice run`, `generate`, `schemas` and `migrate` connect. */
export interface ResolvedEndpoints {
  readonly kafkaBootstrapServers: string;
  readonly schemaRegistryUrl: string;
  /** Undefined when neither the environment nor `sluice stack up` named one (the sink may fall back to PGlite). */
  readonly databaseUrl: string | undefined;
}

/**
 * Endpoints from the environment, else from the stack `sluice stack up`
 * started in this project, else the native stack's defaults.
 *
 * @example
 * ```ts
 * const { kafkaBootstrapServers } = resolveEndpoints(process.cwd());
 * ```
 */
export function resolveEndpoints(projectDir: string, env: NodeJS.ProcessEnv = process.env): ResolvedEndpoints {
  const state = readStackState(stackLayout({ projectDir, env }).stateFile);
  return {
    kafkaBootstrapServers: env.KAFKA_BOOTSTRAP_SERVERS || state?.endpoints.kafkaBootstrapServers || '127.0.0.1:9092',
    schemaRegistryUrl: env.SCHEMA_REGISTRY_URL || state?.endpoints.schemaRegistryUrl || 'http://127.0.0.1:8081/apis/ccompat/v7',
    databaseUrl: env.DATABASE_URL || state?.endpoints.databaseUrl || (state ? DEFAULT_DATABASE_URL : undefined),
  };
}
