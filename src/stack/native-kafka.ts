import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JavaToolchain } from './java-toolchain.js';
import { ManagedProcess } from './managed-process.js';
import { ensureKafkaLibs } from './maven-artifacts.js';
import { runCommand } from './run-command.js';
import { GENERAL_ALTERNATIVES, StackError } from './stack-error.js';
import { clusterSizesOnDisk, kafkaNodes, type KafkaNode, type NativePorts, type StackLayout } from './stack-layout.js';
import { portInUse } from './port-check.js';
import { waitUntilReady } from './wait-until-ready.js';

const START_TIMEOUT_MS = 90_000;
/** Three JVMs starting at once on two cores, then electing a controller, take longer than one. */
const CLUSTER_START_TIMEOUT_MS = 180_000;

/** The background Kafka broker of the one-broker native stack (node 1 of {@link kafkaNodes} with 1 broker). */
export function kafkaProcess(layout: StackLayout): ManagedProcess {
  return new ManagedProcess({ name: 'kafka', pidFile: layout.kafka.pidFile, logFile: layout.kafka.logFile, marker: layout.kafka.configFile });
}

/** The background process of one native Kafka node (its server.properties path marks it as ours). */
export function kafkaNodeProcess(node: KafkaNode, brokers: number): ManagedProcess {
  return new ManagedProcess({ name: brokers === 1 ? 'kafka' : `kafka-${node.id}`, pidFile: node.pidFile, logFile: node.logFile, marker: node.configFile });
}

/**
 * The shapes (broker counts) of this project's native Kafka of which at
 * least one node runs: `[1]` for the one-broker stack, `[3]` for a
 * three-broker cluster; empty when none runs.
 */
export function runningKafkaShapes(layout: StackLayout, ports: NativePorts): number[] {
  return [1, ...clusterSizesOnDisk(layout).filter((n) => n > 1)].filter((brokers) =>
    kafkaNodes(layout, ports, brokers).some((node) => kafkaNodeProcess(node, brokers).running()),
  );
}

/**
 * Starts (or finds running) a native Kafka 4 in KRaft mode of `brokers`
 * nodes on loopback, each with combined broker and controller roles (so a
 * cluster of 3 has a 3-voter quorum), and waits until every node answers and
 * the cluster's metadata lists all of them. Nodes of a running cluster that
 * are down (killed, crashed) are started again; the others are reused.
 *
 * A cluster of 3 or more replicates its internal topics (consumer offsets,
 * transaction state) 3 times with `min.insync.replicas=2`; topics created
 * without a replication factor get 3 replicas as well.
 *
 * @example
 * ```ts
 * const { bootstrapServers } = await startNativeKafka({ layout, ports, brokers: 3, toolchain, probe, log: console.log });
 * // '127.0.0.1:9092,127.0.0.1:9094,127.0.0.1:9096'
 * ```
 */
export async function startNativeKafka(options: {
  layout: StackLayout;
  ports: NativePorts;
  brokers?: number;
  toolchain: JavaToolchain;
  probe: (bootstrapServers: string, timeoutMs: number) => Promise<void>;
  /** How many brokers the cluster's metadata lists; needed to wait for a cluster of more than one. */
  countBrokers?: (bootstrapServers: string, timeoutMs: number) => Promise<number>;
  log: (line: string) => void;
}): Promise<{ bootstrapServers: string; brokers: number; reused: boolean; startedNodes: number[] }> {
  const { layout, ports, toolchain, log } = options;
  const brokers = options.brokers ?? 1;
  const nodes = kafkaNodes(layout, ports, brokers);
  const bootstrapServers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  assertDistinctPorts(nodes);

  const other = runningKafkaShapes(layout, ports).find((shape) => shape !== brokers);
  if (other !== undefined) {
    throw new StackError({
      problem: `a native Kafka of ${other} broker(s) from this project runs already, so one of ${brokers} cannot start beside it`,
      alternatives: [`use it: sluice stack up --brokers ${other}`, `stop it first: sluice stack down, then sluice stack up --brokers ${brokers}`],
    });
  }

  const processes = nodes.map((node) => kafkaNodeProcess(node, brokers));
  const down = nodes.filter((_, i) => !processes[i]!.running());
  if (down.length === 0) {
    await waitForCluster(nodes, processes, options, 30_000);
    return { bootstrapServers, brokers, reused: true, startedNodes: [] };
  }
  const ephemeral = ephemeralPortRange();
  const inEphemeral = (port: number): boolean => ephemeral !== undefined && port >= ephemeral[0] && port <= ephemeral[1];
  const ephemeralNote = (port: number): string =>
    `port ${port} is in this machine's ephemeral range (${ephemeral![0]}-${ephemeral![1]}): a client reconnecting to a stopped broker there can get it as its own ` +
    'source port (a TCP self-connection, left in TIME_WAIT for a minute); choose ports below it, e.g. SLUICE_STACK_KAFKA_PORT=19092 SLUICE_STACK_CONTROLLER_PORT=19093';
  if (brokers > 1) {
    const risky = nodes.flatMap((n) => [n.port, n.controllerPort]).find(inEphemeral);
    if (risky !== undefined) log(`warning: ${ephemeralNote(risky)}`);
  }
  for (const node of down) {
    for (const port of [node.port, node.controllerPort]) {
      if (await portInUse(port)) {
        throw new StackError({
          problem: `port ${port} is already taken by a process the native stack did not start, so Kafka${brokers > 1 ? ` node ${node.id}` : ''} cannot listen on it`,
          alternatives: [
            ...(inEphemeral(port) ? [ephemeralNote(port)] : []),
            ...(brokers === 1 ? [`if that is a Kafka broker, use it: KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:${ports.kafka}`] : []),
            `or move ours: SLUICE_STACK_KAFKA_PORT=19092 SLUICE_STACK_CONTROLLER_PORT=19093${brokers > 1 ? ` (node i listens on both + 2(i-1))` : ''}`,
            ...GENERAL_ALTERNATIVES,
          ],
        });
      }
    }
  }
  await ensureKafkaLibs(toolchain, layout.kafka.libsDir, log);
  const log4jConfig = join(layout.kafka.dir, 'log4j2.properties');
  mkdirSync(layout.kafka.dir, { recursive: true });
  writeFileSync(log4jConfig, LOG4J2_PROPERTIES);
  const jvm = ['-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4jConfig}`, '-cp', `${layout.kafka.libsDir}/*`];
  for (const node of down) {
    mkdirSync(node.dataDir, { recursive: true });
    writeFileSync(node.configFile, serverProperties(node, nodes));
  }
  const unformatted = down.filter((node) => !existsSync(join(node.dataDir, 'meta.properties')));
  if (unformatted.length > 0) {
    // Every node of a cluster is formatted with the same cluster id: the one already on disk, if any.
    const clusterId = nodes.map((node) => clusterIdOnDisk(node)).find((id) => id !== undefined) ?? newClusterId();
    const formats = await Promise.all(
      unformatted.map((node) => runCommand(toolchain.java, [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', node.configFile], { timeoutMs: 90_000 })),
    );
    const failed = formats.findIndex((f) => f.code !== 0);
    if (failed >= 0) {
      throw new StackError({
        problem: `formatting the Kafka KRaft storage${brokers > 1 ? ` of node ${unformatted[failed]!.id}` : ''} failed`,
        logTail: `${formats[failed]!.stdout}\n${formats[failed]!.stderr}`.trim().split('\n').slice(-10).join('\n'),
        alternatives: [`remove ${unformatted[failed]!.dataDir} and retry`, ...GENERAL_ALTERNATIVES],
      });
    }
  }
  // One broker keeps the heap it always had; a cluster's nodes share the machine, so each gets less.
  const heap = brokers === 1 ? ['-Xms256m', '-Xmx768m'] : ['-Xms128m', '-Xmx384m'];
  for (const node of down) {
    log(`starting Kafka${brokers > 1 ? ` node ${node.id} of ${brokers}` : ''} on 127.0.0.1:${node.port} (log: ${node.logFile})`);
    processes[nodes.indexOf(node)]!.start(toolchain.java, [...heap, '-XX:+UseG1GC', ...jvm, 'kafka.Kafka', node.configFile]);
  }
  await waitForCluster(nodes, processes, options, brokers === 1 ? START_TIMEOUT_MS : CLUSTER_START_TIMEOUT_MS);
  return { bootstrapServers, brokers, reused: false, startedNodes: down.map((n) => n.id) };
}

/**
 * Stops every native Kafka node of this project — the one-broker stack's and
 * every cluster's — at once (SIGTERM, SIGKILL after the grace period).
 * Returns the names of what it stopped: `kafka`, or `kafka-1`, `kafka-2`…
 */
export async function stopNativeKafka(layout: StackLayout, ports: NativePorts, graceMs = 60_000): Promise<string[]> {
  const all = [1, ...clusterSizesOnDisk(layout).filter((n) => n > 1)].flatMap((brokers) => kafkaNodes(layout, ports, brokers).map((node) => kafkaNodeProcess(node, brokers)));
  const stopped = await Promise.all(all.map(async (p) => ((await p.stop(graceMs)) ? p.name : undefined)));
  return stopped.filter((name): name is string => name !== undefined);
}

async function waitForCluster(
  nodes: readonly KafkaNode[],
  processes: readonly ManagedProcess[],
  options: { probe: (bootstrapServers: string, timeoutMs: number) => Promise<void>; countBrokers?: (bootstrapServers: string, timeoutMs: number) => Promise<number> },
  timeoutMs: number,
): Promise<void> {
  const bootstrapServers = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  const failure = await waitUntilReady({
    timeoutMs,
    check: async (remaining) => {
      // Each node answers on its own address…
      for (const node of nodes) await options.probe(`127.0.0.1:${node.port}`, remaining);
      // …and, for a cluster, every node has registered with the controller quorum.
      if (nodes.length > 1 && options.countBrokers) {
        const listed = await options.countBrokers(bootstrapServers, remaining);
        if (listed < nodes.length) throw new Error(`the cluster's metadata lists ${listed} of ${nodes.length} brokers`);
      }
    },
    gaveUp: () => {
      const dead = nodes.find((_, i) => !processes[i]!.running());
      return dead ? `the Kafka process${nodes.length > 1 ? ` of node ${dead.id}` : ''} exited` : undefined;
    },
  });
  if (failure) {
    const dead = nodes.findIndex((_, i) => !processes[i]!.running());
    const shown = dead >= 0 ? dead : 0;
    throw new StackError({
      problem: `Kafka did not answer a metadata request: ${failure}`,
      logFile: nodes[shown]!.logFile,
      logTail: processes[shown]!.logTail(),
      alternatives: GENERAL_ALTERNATIVES,
    });
  }
}

function assertDistinctPorts(nodes: readonly KafkaNode[]): void {
  const ports = nodes.flatMap((n) => [n.port, n.controllerPort]);
  const clash = ports.find((port, i) => ports.indexOf(port) !== i);
  if (clash !== undefined) {
    throw new StackError({
      problem: `the ${nodes.length} Kafka nodes would share port ${clash}: node i listens on SLUICE_STACK_KAFKA_PORT + 2(i-1) and SLUICE_STACK_CONTROLLER_PORT + 2(i-1)`,
      alternatives: ['set SLUICE_STACK_CONTROLLER_PORT to SLUICE_STACK_KAFKA_PORT + 1 (9092 and 9093, the defaults, work)'],
    });
  }
}

/** Linux's range of ephemeral (client source) ports; undefined elsewhere. */
function ephemeralPortRange(): [number, number] | undefined {
  try {
    const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
    return low !== undefined && high !== undefined && Number.isInteger(low) && Number.isInteger(high) ? [low, high] : undefined;
  } catch {
    return undefined;
  }
}

function clusterIdOnDisk(node: KafkaNode): string | undefined {
  try {
    return /^cluster\.id=(.+)$/m.exec(readFileSync(join(node.dataDir, 'meta.properties'), 'utf8'))?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** A Kafka cluster id as `kafka-storage random-uuid` prints it: 16 random bytes in URL-safe base64, not starting with '-'. */
function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function serverProperties(node: KafkaNode, nodes: readonly KafkaNode[]): string {
  const replicas = Math.min(3, nodes.length);
  const minIsr = replicas >= 3 ? 2 : 1;
  const cluster =
    nodes.length === 1
      ? '# Written by sluice stack up: a single-node KRaft broker for development and tests.'
      : `# Written by sluice stack up --brokers ${nodes.length}: node ${node.id} of a KRaft cluster on loopback (combined broker and controller roles).`;
  return `${cluster}
process.roles=broker,controller
node.id=${node.id}
controller.quorum.voters=${nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}`).join(',')}
listeners=PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}
advertised.listeners=PLAINTEXT://127.0.0.1:${node.port}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${node.dataDir}
num.partitions=1
auto.create.topics.enable=false
default.replication.factor=${replicas}
min.insync.replicas=${minIsr}
offsets.topic.replication.factor=${replicas}
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=${replicas}
transaction.state.log.min.isr=${minIsr}
transaction.state.log.num.partitions=10
unclean.leader.election.enable=false
group.initial.rebalance.delay.ms=0
log.retention.hours=48
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=${nodes.length === 1 ? 33554432 : 16777216}
${nodes.length === 1 ? '' : 'num.network.threads=2\nnum.io.threads=4\nnum.replica.fetchers=1\n'}`;
}

const LOG4J2_PROPERTIES = `status = warn
appender.out.type = Console
appender.out.name = out
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = out
logger.state.name = state.change.logger
logger.state.level = WARN
logger.controller.name = org.apache.kafka.controller
logger.controller.level = WARN
`;
