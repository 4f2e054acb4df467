import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JavaToolchain } from './java-toolchain.js';
import { ManagedProcess } from './managed-process.js';
import { ensureKafkaLibs } from './maven-artifacts.js';
import { runCommand } from './run-command.js';
import { GENERAL_ALTERNATIVES, StackError } from './stack-error.js';
import type { NativePorts, StackLayout } from './stack-layout.js';
import { portInUse } from './port-check.js';
import { waitUntilReady } from './wait-until-ready.js';

const START_TIMEOUT_MS = 90_000;

/** The background Kafka broker of the native stack. */
export function kafkaProcess(layout: StackLayout): ManagedProcess {
  return new ManagedProcess({ name: 'kafka', pidFile: layout.kafka.pidFile, logFile: layout.kafka.logFile, marker: layout.kafka.configFile });
}

/**
 * Starts (or finds running) a single-node Kafka 4 broker in KRaft mode with
 * combined broker and controller roles, and waits until `probe` answers.
 *
 * @example
 * ```ts
 * const bootstrap = await startNativeKafka({ layout, ports, toolchain, probe, log: console.log });
 * // '127.0.0.1:9092'
 * ```
 */
export async function startNativeKafka(options: {
  layout: StackLayout;
  ports: NativePorts;
  toolchain: JavaToolchain;
  probe: (bootstrapServers: string, timeoutMs: number) => Promise<void>;
  log: (line: string) => void;
}): Promise<{ bootstrapServers: string; reused: boolean }> {
  const { layout, ports, toolchain, log } = options;
  const bootstrapServers = `127.0.0.1:${ports.kafka}`;
  const broker = kafkaProcess(layout);
  if (broker.running()) {
    await waitFor(broker, () => options.probe(bootstrapServers, 5_000), layout, 30_000);
    return { bootstrapServers, reused: true };
  }
  for (const port of [ports.kafka, ports.controller]) {
    if (await portInUse(port)) {
      throw new StackError({
        problem: `port ${port} is already taken by a process the native stack did not start, so Kafka cannot listen on it`,
        alternatives: [
          `if that is a Kafka broker, use it: KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:${ports.kafka}`,
          'or move ours: SLUICE_STACK_KAFKA_PORT=19092 SLUICE_STACK_CONTROLLER_PORT=19093',
          ...GENERAL_ALTERNATIVES,
        ],
      });
    }
  }
  await ensureKafkaLibs(toolchain, layout.kafka.libsDir, log);
  mkdirSync(layout.kafka.dataDir, { recursive: true });
  const log4jConfig = join(layout.kafka.dir, 'log4j2.properties');
  writeFileSync(layout.kafka.configFile, serverProperties(layout, ports));
  writeFileSync(log4jConfig, LOG4J2_PROPERTIES);
  const classpath = `${layout.kafka.libsDir}/*`;
  const jvm = ['-Djava.awt.headless=true', `-Dlog4j2.configurationFile=${log4jConfig}`, '-cp', classpath];
  if (!existsSync(join(layout.kafka.dataDir, 'meta.properties'))) {
    const uuid = await runCommand(toolchain.java, [...jvm, 'kafka.tools.StorageTool', 'random-uuid'], { timeoutMs: 60_000 });
    const clusterId = uuid.stdout.trim().split('\n').pop() ?? '';
    const format = await runCommand(
      toolchain.java,
      [...jvm, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', layout.kafka.configFile],
      { timeoutMs: 60_000 },
    );
    if (uuid.code !== 0 || format.code !== 0) {
      throw new StackError({
        problem: 'formatting the Kafka KRaft storage failed',
        logTail: `${uuid.stderr}\n${format.stdout}\n${format.stderr}`.trim().split('\n').slice(-10).join('\n'),
        alternatives: [`remove ${layout.kafka.dataDir} and retry`, ...GENERAL_ALTERNATIVES],
      });
    }
  }
  log(`starting Kafka on ${bootstrapServers} (log: ${layout.kafka.logFile})`);
  broker.start(toolchain.java, ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', ...jvm, 'kafka.Kafka', layout.kafka.configFile]);
  await waitFor(broker, () => options.probe(bootstrapServers, 5_000), layout, START_TIMEOUT_MS);
  return { bootstrapServers, reused: false };
}

async function waitFor(broker: ManagedProcess, check: () => Promise<void>, layout: StackLayout, timeoutMs: number): Promise<void> {
  const failure = await waitUntilReady({
    timeoutMs,
    check,
    gaveUp: () => (broker.running() ? undefined : 'the Kafka process exited'),
  });
  if (failure) {
    throw new StackError({
      problem: `Kafka did not answer a metadata request: ${failure}`,
      logFile: layout.kafka.logFile,
      logTail: broker.logTail(),
      alternatives: GENERAL_ALTERNATIVES,
    });
  }
}

function serverProperties(layout: StackLayout, ports: NativePorts): string {
  return `# Written by sluice stack up: a single-node KRaft broker for development and tests.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:${ports.controller}
listeners=PLAINTEXT://127.0.0.1:${ports.kafka},CONTROLLER://127.0.0.1:${ports.controller}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports.kafka}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${layout.kafka.dataDir}
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
group.initial.rebalance.delay.ms=0
log.retention.hours=48
log.segment.bytes=67108864
log.cleaner.dedupe.buffer.size=33554432
`;
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
