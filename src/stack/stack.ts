import { composeStop, composeUp, COMPOSE_ENDPOINTS, COMPOSE_SERVICES, dockerEngineAnswers } from './docker-stack.js';
import { findJavaToolchain, type JavaToolchain } from './java-toolchain.js';
import { kafkaNodeProcess, runningKafkaShapes, startNativeKafka, stopNativeKafka } from './native-kafka.js';
import { probeRegistry, registryProcess, startNativeRegistry } from './native-registry.js';
import {
  DEFAULT_DATABASE_URL,
  ENDPOINT_ENV,
  redactUrl,
  type ServiceName,
  type ServiceProbes,
  type ServiceSource,
  type StackEndpoints,
} from './stack-endpoints.js';
import { GENERAL_ALTERNATIVES, StackError } from './stack-error.js';
import { brokerCount, kafkaNodes, nativePorts, stackBrokers, stackLayout, type StackLayout } from './stack-layout.js';
import { clearStackState, readStackState, writeStackState } from './stack-state.js';
import { waitUntilReady } from './wait-until-ready.js';

/** How `stack up` may provide a service that the environment does not name. */
export type StackPreference = 'auto' | 'docker' | 'native';

/** Inputs shared by `up`, `down` and `status`. */
export interface StackOptions {
  readonly projectDir: string;
  readonly probes: ServiceProbes;
  readonly env?: NodeJS.ProcessEnv;
  readonly log?: (line: string) => void;
  /**
   * Kafka nodes of the native stack (`stack up --brokers N`, 1..5): default
   * `SLUICE_STACK_BROKERS`, else the shape already running, else 1.
   */
  readonly brokers?: number;
}

/** One service in `stack status`. */
export interface ServiceStatus {
  readonly service: ServiceName;
  /** The row's name when a service has several (`kafka-1`, `kafka-2`… of a native cluster). */
  readonly name?: string;
  readonly source: ServiceSource | 'none';
  readonly endpoint: string | undefined;
  readonly answering: boolean;
  readonly pid?: number;
  readonly logFile?: string;
  readonly detail?: string;
}

const ENV_PROBE_TIMEOUT_MS = 30_000;

/**
 * Finds or starts Kafka, the schema registry and PostgreSQL and waits until
 * each answers. Per service: its endpoint from the environment, else
 * docker compose where a Docker engine answers, else the native JVM stack
 * (PostgreSQL: the local default). Idempotent: a running stack is reused.
 *
 * @example
 * ```ts
 * const endpoints = await stackUp({ projectDir: process.cwd(), probes });
 * endpoints.kafkaBootstrapServers; // '127.0.0.1:9092'
 * ```
 */
export async function stackUp(options: StackOptions): Promise<StackUpResult> {
  const env = options.env ?? process.env;
  const log = options.log ?? (() => {});
  const layout = stackLayout({ projectDir: options.projectDir, env });
  const preference = stackPreference(env);
  const fromEnv = (service: ServiceName): string | undefined => env[ENDPOINT_ENV[service]] || undefined;
  const ports = nativePorts(env);
  const requestedBrokers = options.brokers !== undefined ? brokerCount(options.brokers, '--brokers') : stackBrokers(env);
  const brokers = requestedBrokers ?? runningKafkaShapes(layout, ports)[0] ?? 1;
  if (requestedBrokers !== undefined && requestedBrokers > 1 && fromEnv('kafka')) {
    throw new StackError({
      problem: `--brokers ${requestedBrokers} starts a native Kafka cluster, but KAFKA_BOOTSTRAP_SERVERS names a Kafka already (${fromEnv('kafka')})`,
      alternatives: ['unset KAFKA_BOOTSTRAP_SERVERS to start the cluster', 'or drop --brokers / SLUICE_STACK_BROKERS to use that Kafka'],
    });
  }
  if (brokers > 1 && preference === 'docker') {
    throw new StackError({
      problem: `docker-compose.yml runs one Kafka broker; a cluster of ${brokers} runs on the native stack only`,
      alternatives: [`SLUICE_STACK=native sluice stack up --brokers ${brokers}`],
    });
  }

  const needed = (['kafka', 'registry'] as const).filter((service) => !fromEnv(service));
  // A cluster is native (compose has one broker), and so is the rest of the stack beside it.
  const useDocker = needed.length > 0 && brokers === 1 && preference !== 'native' && (preference === 'docker' || (await dockerEngineAnswers()));
  if (preference === 'docker' && !useDocker) throw new StackError({ problem: 'SLUICE_STACK=docker but no Docker engine answers' });

  const sources: Record<ServiceName, ServiceSource> = { kafka: 'env', registry: 'env', postgres: 'env' };
  const started: ServiceName[] = [];
  const dockerServices: string[] = [];
  let toolchain: JavaToolchain | undefined;

  let kafka = fromEnv('kafka');
  let registry = fromEnv('registry');
  if (kafka) await waitForEnvEndpoint('kafka', kafka, (t) => options.probes.kafka(kafka!, t));
  if (registry) await waitForEnvEndpoint('registry', registry, (t) => probeRegistry(registry!, t));

  if (useDocker) {
    const services = needed.map((service) => COMPOSE_SERVICES[service]);
    log(`starting ${services.join(', ')} with docker compose`);
    await composeUp(options.projectDir, services);
    dockerServices.push(...services);
    for (const service of needed) sources[service] = 'docker';
    kafka ??= COMPOSE_ENDPOINTS.kafka;
    registry ??= COMPOSE_ENDPOINTS.registry;
  } else {
    if (!kafka) {
      toolchain ??= await findJavaToolchain(env);
      const result = await startNativeKafka({
        layout,
        ports,
        brokers,
        toolchain,
        probe: options.probes.kafka,
        ...(options.probes.kafkaBrokers ? { countBrokers: options.probes.kafkaBrokers } : {}),
        log,
      });
      kafka = result.bootstrapServers;
      sources.kafka = 'native';
      if (!result.reused) started.push('kafka');
      const what = brokers === 1 ? 'broker' : `cluster of ${brokers} brokers`;
      const restarted = brokers > 1 && !result.reused && result.startedNodes.length < brokers ? ` (started node(s) ${result.startedNodes.join(', ')} again)` : '';
      log(`kafka: ${result.reused ? `reusing the running ${what}` : `started${brokers > 1 ? ` a ${what}` : ''}${restarted}`} at ${kafka}`);
    }
    if (!registry) {
      toolchain ??= await findJavaToolchain(env);
      const result = await startNativeRegistry({ layout, ports, toolchain, log });
      registry = result.url;
      sources.registry = 'native';
      if (!result.reused) started.push('registry');
      log(`registry: ${result.reused ? 'reusing the running registry' : 'started'} at ${registry}`);
    }
  }

  let databaseUrl = fromEnv('postgres');
  if (!databaseUrl) {
    databaseUrl = useDocker ? COMPOSE_ENDPOINTS.postgres : DEFAULT_DATABASE_URL;
    sources.postgres = useDocker ? 'docker' : 'local';
    if (useDocker) {
      await composeUp(options.projectDir, [COMPOSE_SERVICES.postgres]);
      dockerServices.push(COMPOSE_SERVICES.postgres);
    }
  }
  await waitForPostgres(databaseUrl, sources.postgres, options.probes);

  const previous = readStackState(layout.stateFile);
  const endpoints: StackEndpoints = {
    mode: sources.kafka === 'env' && sources.registry === 'env' ? 'env' : sources.kafka === 'docker' ? 'docker' : 'native',
    kafkaBootstrapServers: kafka!,
    schemaRegistryUrl: registry!,
    databaseUrl,
    sources,
  };
  writeStackState(layout.stateFile, {
    endpoints,
    ...(sources.kafka === 'native' ? { kafkaBrokers: brokers } : {}),
    dockerServices: unique([...(previous?.dockerServices ?? []), ...dockerServices]),
    started: unique([...(previous?.started ?? []), ...started]),
    startedAt: previous?.startedAt ?? new Date().toISOString(),
  });
  return { ...endpoints, startedNow: [...started, ...dockerServices.map((service) => `docker:${service}`)] };
}

/** The endpoints, plus what this call started (empty when everything was reused or external). */
export type StackUpResult = StackEndpoints & { readonly startedNow: readonly string[] };

/**
 * Stops what `stack up` started in this project — native JVMs by their pid
 * files, compose services it brought up — and nothing else.
 *
 * @example
 * ```ts
 * const stopped = await stackDown({ projectDir: process.cwd(), probes });
 * // ['registry', 'kafka'] — or ['registry', 'kafka-1', 'kafka-2', 'kafka-3'] for a cluster
 * ```
 */
export async function stackDown(options: Omit<StackOptions, 'probes'>): Promise<string[]> {
  const layout = stackLayout({ projectDir: options.projectDir, env: options.env });
  const stopped: string[] = [];
  // The registry first: it has nothing to flush into Kafka, and Kafka shuts down cleaner without clients.
  if (await registryProcess(layout).stop()) stopped.push('registry');
  stopped.push(...(await stopNativeKafka(layout, nativePorts(options.env ?? process.env), 60_000)));
  const state = readStackState(layout.stateFile);
  if (state && state.dockerServices.length > 0) {
    await composeStop(options.projectDir, state.dockerServices);
    stopped.push(...state.dockerServices.map((service) => `docker:${service}`));
  }
  clearStackState(layout.stateFile);
  return stopped;
}

/**
 * Reports, per service, where it runs and whether it answers — without starting anything.
 *
 * @example
 * ```ts
 * for (const s of await stackStatus({ projectDir: process.cwd(), probes })) console.log(s.service, s.endpoint, s.answering);
 * ```
 */
export async function stackStatus(options: StackOptions): Promise<ServiceStatus[]> {
  const env = options.env ?? process.env;
  const layout = stackLayout({ projectDir: options.projectDir, env });
  const state = readStackState(layout.stateFile);
  const ports = nativePorts(env);
  const answers = async (check: () => Promise<void>): Promise<boolean> => check().then(() => true, () => false);

  const kafkaEndpoint = env.KAFKA_BOOTSTRAP_SERVERS || state?.endpoints.kafkaBootstrapServers || `127.0.0.1:${ports.kafka}`;
  const registryEndpoint = env.SCHEMA_REGISTRY_URL || state?.endpoints.schemaRegistryUrl || `http://127.0.0.1:${ports.registry}/apis/ccompat/v7`;
  const databaseUrl = env.DATABASE_URL || state?.endpoints.databaseUrl || DEFAULT_DATABASE_URL;
  // A native cluster gets a row per node; Kafka from the environment or a single broker, one row.
  const brokers = env.KAFKA_BOOTSTRAP_SERVERS ? 1 : (runningKafkaShapes(layout, ports)[0] ?? state?.kafkaBrokers ?? stackBrokers(env) ?? 1);
  const nodes = kafkaNodes(layout, ports, brokers).map((node) => ({ node, pid: kafkaNodeProcess(node, brokers).pid() }));
  const registryPid = registryProcess(layout).pid();

  const [kafkaUp, registryUp, postgresUp] = await Promise.all([
    Promise.all(nodes.map(({ node }) => answers(() => options.probes.kafka(brokers === 1 ? kafkaEndpoint : `127.0.0.1:${node.port}`, 5_000)))),
    answers(() => probeRegistry(registryEndpoint, 5_000)),
    answers(() => options.probes.postgres(databaseUrl, 5_000)),
  ]);
  const sourceOf = (service: ServiceName, pid: number | undefined): ServiceSource | 'none' =>
    env[ENDPOINT_ENV[service]] ? 'env' : pid !== undefined ? 'native' : (state?.endpoints.sources[service] ?? 'none');
  const kafkaRows: ServiceStatus[] = nodes.map(({ node, pid }, i) => ({
    service: 'kafka',
    ...(brokers > 1 ? { name: `kafka-${node.id}`, detail: `node ${node.id} of ${brokers}` } : {}),
    source: brokers > 1 ? (pid !== undefined ? 'native' : 'none') : sourceOf('kafka', pid),
    endpoint: brokers === 1 ? kafkaEndpoint : `127.0.0.1:${node.port}`,
    answering: kafkaUp[i]!,
    ...(pid ? { pid, logFile: node.logFile } : {}),
  }));
  return [
    ...kafkaRows,
    { service: 'registry', source: sourceOf('registry', registryPid), endpoint: registryEndpoint, answering: registryUp, ...(registryPid ? { pid: registryPid, logFile: layout.registry.logFile } : {}) },
    { service: 'postgres', source: env.DATABASE_URL ? 'env' : (state?.endpoints.sources.postgres ?? 'local'), endpoint: redactUrl(databaseUrl), answering: postgresUp },
  ];
}

/** Reads `SLUICE_STACK` (auto, docker or native). */
export function stackPreference(env: NodeJS.ProcessEnv): StackPreference {
  const raw = (env.SLUICE_STACK ?? 'auto').toLowerCase();
  if (raw === 'auto' || raw === 'docker' || raw === 'native') return raw;
  throw new StackError({ problem: `SLUICE_STACK must be auto, docker or native, got '${env.SLUICE_STACK}'` });
}

async function waitForEnvEndpoint(service: ServiceName, endpoint: string, check: (timeoutMs: number) => Promise<void>): Promise<void> {
  const failure = await waitUntilReady({ timeoutMs: ENV_PROBE_TIMEOUT_MS, check });
  if (failure) {
    throw new StackError({
      problem: `${ENDPOINT_ENV[service]}=${redactUrl(endpoint)} does not answer: ${failure}`,
      alternatives: [`unset ${ENDPOINT_ENV[service]} to let sluice start a local ${service}`, 'check the address, credentials and network'],
    });
  }
}

async function waitForPostgres(databaseUrl: string, source: ServiceSource, probes: ServiceProbes): Promise<void> {
  const failure = await waitUntilReady({ timeoutMs: ENV_PROBE_TIMEOUT_MS, check: (t) => probes.postgres(databaseUrl, t) });
  if (!failure) return;
  throw new StackError({
    problem: `PostgreSQL at ${redactUrl(databaseUrl)} (${source === 'env' ? 'from DATABASE_URL' : source}) does not answer: ${failure}`,
    alternatives:
      source === 'local'
        ? ['start the local server: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start', 'or set DATABASE_URL', ...GENERAL_ALTERNATIVES]
        : ['check DATABASE_URL (host, port, credentials, database name)'],
  });
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

export type { StackLayout };
