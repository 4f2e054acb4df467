/** Where a service came from: the environment, docker compose, or a JVM we started. */
export type ServiceSource = 'env' | 'docker' | 'native' | 'local';

/** The three services every Sluice deployment needs. */
export type ServiceName = 'kafka' | 'registry' | 'postgres';

/**
 * The endpoints of a running stack, as handed to the runtime and to tests.
 *
 * @example
 * ```ts
 * const endpoints: StackEndpoints = {
 *   mode: 'native',
 *   kafkaBootstrapServers: '127.0.0.1:9092',
 *   schemaRegistryUrl: 'http://127.0.0.1:8081/apis/ccompat/v7',
 *   databaseUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
 *   sources: { kafka: 'native', registry: 'native', postgres: 'local' },
 * };
 * ```
 */
export interface StackEndpoints {
  /** `env` when every endpoint came from the environment, else the way Kafka was provided. */
  readonly mode: 'env' | 'docker' | 'native';
  readonly kafkaBootstrapServers: string;
  readonly schemaRegistryUrl: string;
  readonly databaseUrl: string;
  readonly sources: Readonly<Record<ServiceName, ServiceSource>>;
}

/** Liveness checks that need client libraries; the CLI injects them so this layer stays client-free. */
export interface ServiceProbes {
  /** Resolves once a metadata request to the bootstrap servers answers; rejects with the reason. */
  kafka(bootstrapServers: string, timeoutMs: number): Promise<void>;
  /** Resolves once `select 1` answers; rejects with the reason. */
  postgres(databaseUrl: string, timeoutMs: number): Promise<void>;
  /** How many brokers the cluster's metadata lists; `stack up --brokers N` waits until all N are there. */
  kafkaBrokers?(bootstrapServers: string, timeoutMs: number): Promise<number>;
}

/** Environment variable names for the three endpoints. */
export const ENDPOINT_ENV = {
  kafka: 'KAFKA_BOOTSTRAP_SERVERS',
  registry: 'SCHEMA_REGISTRY_URL',
  postgres: 'DATABASE_URL',
} as const satisfies Record<ServiceName, string>;

/** PostgreSQL used when `DATABASE_URL` is not set. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Removes the password from a connection URL so it can be printed.
 *
 * @example
 * ```ts
 * redactUrl('postgres://app:s3cret@db:5432/x'); // 'postgres://app:***@db:5432/x'
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
