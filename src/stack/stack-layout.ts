import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Versions of the JVM services the native stack runs; both come from Maven Central. */
export const NATIVE_VERSIONS = {
  kafka: '4.1.1',
  /** 3.1+ is not on Maven Central and 3.3+ needs Java 21; 3.0.9 runs on Java 17. */
  apicurio: '3.0.9',
  /** Kafka 4.1 logs through Log4j 2 and slf4j 1.7; this is the matching binding. */
  log4j: '2.24.3',
} as const;

/**
 * Where the native stack keeps its files: run state (pids, logs, data) under
 * the project's `.sluice/`, downloaded artifacts in a per-user cache that
 * survives fresh clones.
 *
 * @example
 * ```ts
 * const layout = stackLayout({ projectDir: process.cwd() });
 * layout.kafka.logFile; // '<project>/.sluice/kafka/kafka.log'
 * ```
 */
export interface StackLayout {
  readonly stateDir: string;
  readonly stateFile: string;
  readonly cacheDir: string;
  readonly kafka: ServiceLayout & { readonly dataDir: string; readonly configFile: string; readonly libsDir: string };
  readonly registry: ServiceLayout & { readonly appDir: string };
}

/** Files of one background JVM service. */
export interface ServiceLayout {
  readonly dir: string;
  readonly logFile: string;
  readonly pidFile: string;
}

/**
 * Ports the native stack binds. The variables say STACK so they never look like
 * `SLUICE_KAFKA_<PROPERTY>` client settings. Override with `SLUICE_STACK_KAFKA_PORT`, `SLUICE_STACK_CONTROLLER_PORT`, `SLUICE_STACK_REGISTRY_PORT`. */
export interface NativePorts {
  readonly kafka: number;
  readonly controller: number;
  readonly registry: number;
}

/** Computes the layout; pure. See {@link StackLayout}. */
export function stackLayout(options: { projectDir: string; env?: NodeJS.ProcessEnv }): StackLayout {
  const env = options.env ?? process.env;
  const stateDir = resolve(options.projectDir, '.sluice');
  const cacheDir = resolve(env.SLUICE_CACHE_DIR ?? join(env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'sluice'));
  const kafkaDir = join(stateDir, 'kafka');
  const registryDir = join(stateDir, 'registry');
  return {
    stateDir,
    stateFile: join(stateDir, 'stack.json'),
    cacheDir,
    kafka: {
      dir: kafkaDir,
      logFile: join(kafkaDir, 'kafka.log'),
      pidFile: join(kafkaDir, 'kafka.pid'),
      dataDir: join(kafkaDir, 'data'),
      configFile: join(kafkaDir, 'server.properties'),
      libsDir: join(cacheDir, `kafka-${NATIVE_VERSIONS.kafka}`, 'libs'),
    },
    registry: {
      dir: registryDir,
      logFile: join(registryDir, 'registry.log'),
      pidFile: join(registryDir, 'registry.pid'),
      appDir: join(cacheDir, `apicurio-${NATIVE_VERSIONS.apicurio}`),
    },
  };
}

/**
 * Reads the native ports from the environment, with Kafka's and the registry's usual defaults.
 *
 * @example
 * ```ts
 * nativePorts({ SLUICE_STACK_KAFKA_PORT: '19092' }).kafka; // 19092
 * ```
 */
export function nativePorts(env: NodeJS.ProcessEnv = process.env): NativePorts {
  return {
    kafka: portFrom(env, 'SLUICE_STACK_KAFKA_PORT', 9092),
    controller: portFrom(env, 'SLUICE_STACK_CONTROLLER_PORT', 9093),
    registry: portFrom(env, 'SLUICE_STACK_REGISTRY_PORT', 8081),
  };
}

function portFrom(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`${key} must be a TCP port between 1 and 65535, got '${raw}'`);
  }
  return port;
}
