import { readdirSync } from 'node:fs';
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

/** The most Kafka nodes `sluice stack up --brokers N` runs (every node is a voter of the controller quorum). */
export const MAX_BROKERS = 5;

/**
 * One node of the native Kafka: its id, ports and files. A single broker is
 * node 1 in `.sluice/kafka/` (the layout of the one-broker stack); a cluster
 * of N lives in `.sluice/kafka-cluster-<N>/broker-<id>/`, so its data never
 * mixes with a differently shaped one.
 */
export interface KafkaNode {
  readonly id: number;
  /** Client (PLAINTEXT) port. */
  readonly port: number;
  /** KRaft controller port. */
  readonly controllerPort: number;
  readonly dir: string;
  readonly logFile: string;
  readonly pidFile: string;
  readonly dataDir: string;
  readonly configFile: string;
}

/**
 * The nodes of a native Kafka of `brokers` nodes. Node `i` (1-based) listens
 * on the Kafka port + 2(i−1) and its controller on the controller port +
 * 2(i−1): 9092/9093, 9094/9095, 9096/9097 by default.
 *
 * @example
 * ```ts
 * kafkaNodes(stackLayout({ projectDir: '/p' }), nativePorts({}), 3).map((n) => n.port); // [9092, 9094, 9096]
 * ```
 */
export function kafkaNodes(layout: StackLayout, ports: NativePorts, brokers: number): KafkaNode[] {
  if (brokers === 1) {
    const { dir, logFile, pidFile, dataDir, configFile } = layout.kafka;
    return [{ id: 1, port: ports.kafka, controllerPort: ports.controller, dir, logFile, pidFile, dataDir, configFile }];
  }
  return Array.from({ length: brokers }, (_, i) => {
    const dir = join(clusterDir(layout, brokers), `broker-${i + 1}`);
    return {
      id: i + 1,
      port: ports.kafka + 2 * i,
      controllerPort: ports.controller + 2 * i,
      dir,
      logFile: join(dir, 'kafka.log'),
      pidFile: join(dir, 'kafka.pid'),
      dataDir: join(dir, 'data'),
      configFile: join(dir, 'server.properties'),
    };
  });
}

/** Where a native cluster of `brokers` nodes keeps its files. */
export function clusterDir(layout: StackLayout, brokers: number): string {
  return join(layout.stateDir, `kafka-cluster-${brokers}`);
}

/** The sizes of the native clusters this project has files for (not whether they run). */
export function clusterSizesOnDisk(layout: StackLayout): number[] {
  try {
    return readdirSync(layout.stateDir)
      .map((name) => /^kafka-cluster-(\d+)$/.exec(name)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

/**
 * How many Kafka nodes `sluice stack up` runs when `--brokers` is not given:
 * `SLUICE_STACK_BROKERS`, else undefined (the running shape, else 1).
 *
 * @example
 * ```ts
 * stackBrokers({ SLUICE_STACK_BROKERS: '3' }); // 3
 * ```
 */
export function stackBrokers(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.SLUICE_STACK_BROKERS;
  if (raw === undefined || raw === '') return undefined;
  return brokerCount(raw, 'SLUICE_STACK_BROKERS');
}

/** Parses a broker count (1..MAX_BROKERS); `what` names the option or variable in the error. */
export function brokerCount(raw: string | number, what: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_BROKERS) throw new Error(`${what} must be a whole number from 1 to ${MAX_BROKERS}, got '${raw}'`);
  return n;
}
