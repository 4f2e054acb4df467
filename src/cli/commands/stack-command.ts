import { Command } from 'commander';
import { MAX_BROKERS, redactUrl, stackDown, stackStatus, stackUp, type StackEndpoints } from '../../stack/index.js';
import { serviceProbes } from '../service-probes.js';
import type { CliContext } from '../cli-context.js';

/**
 * `sluice stack up | down | status`.
 *
 * @example
 * ```sh
 * sluice stack up      # finds or starts Kafka, the registry and PostgreSQL
 * sluice stack up --brokers 3   # Kafka as a 3-node KRaft cluster on loopback
 * sluice stack status  # what runs where
 * sluice stack down    # stops only what `up` started
 * ```
 */
export function stackCommand(context: CliContext): Command {
  const stack = new Command('stack').description('find or start the local Kafka, schema registry and PostgreSQL');
  stack
    .command('up')
    .description('find or start the three services and wait until each answers (idempotent)')
    .option('--brokers <n>', `Kafka nodes of the native stack, 1 to ${MAX_BROKERS} (default: SLUICE_STACK_BROKERS, else what runs, else 1)`)
    .addHelpText(
      'after',
      `
Per service: the endpoint in the environment (KAFKA_BOOTSTRAP_SERVERS, SCHEMA_REGISTRY_URL,
DATABASE_URL) if set; else docker compose where a Docker engine answers; else the native
stack (Kafka in KRaft mode and Apicurio Registry as JVMs, logs under .sluice/).
SLUICE_STACK=native|docker forces one way.

--brokers 3 runs Kafka natively as a KRaft cluster on loopback: node i (of 3) on ports
SLUICE_STACK_KAFKA_PORT + 2(i-1) and SLUICE_STACK_CONTROLLER_PORT + 2(i-1) (9092/9093,
9094/9095, 9096/9097), files under .sluice/kafka-cluster-3/broker-<i>/. Its internal topics have
3 replicas and min.insync.replicas=2, and so do the topics Sluice creates on it. Run again, it
restarts any node that is down.

Examples:
  $ sluice stack up
  $ sluice stack up --brokers 3
  $ SLUICE_STACK=native sluice stack up
  $ KAFKA_BOOTSTRAP_SERVERS=broker:9092 sluice stack up`,
    )
    .action(async (options: { brokers?: string }) => {
      const endpoints = await stackUp({
        projectDir: context.projectDir,
        probes: serviceProbes,
        log: context.info,
        ...(options.brokers !== undefined ? { brokers: Number(options.brokers) } : {}),
      });
      context.print(formatEndpoints(endpoints));
    });
  stack
    .command('down')
    .description('stop what `sluice stack up` started in this project, and nothing else')
    .action(async () => {
      const stopped = await stackDown({ projectDir: context.projectDir, log: context.info });
      context.print(stopped.length > 0 ? `stopped: ${stopped.join(', ')}` : 'nothing of ours was running');
    });
  stack
    .command('status')
    .description('say what runs where, and whether it answers')
    .action(async () => {
      const services = await stackStatus({ projectDir: context.projectDir, probes: serviceProbes });
      for (const s of services) {
        const state = s.answering ? 'up  ' : 'DOWN';
        const pid = s.pid ? `  pid ${s.pid}` : '';
        const log = s.logFile ? `  log ${s.logFile}` : '';
        context.print(`${(s.name ?? s.service).padEnd(9)} ${state} ${String(s.source).padEnd(7)} ${s.endpoint ?? '-'}${pid}${log}`);
      }
      if (services.some((s) => !s.answering)) context.setExitCode(3);
    });
  return stack;
}

/** The endpoints as `KEY=value` lines that a shell can `export`. */
export function formatEndpoints(endpoints: StackEndpoints): string {
  return [
    `# stack mode: ${endpoints.mode} (kafka: ${endpoints.sources.kafka}, registry: ${endpoints.sources.registry}, postgres: ${endpoints.sources.postgres})`,
    `KAFKA_BOOTSTRAP_SERVERS=${endpoints.kafkaBootstrapServers}`,
    `SCHEMA_REGISTRY_URL=${endpoints.schemaRegistryUrl}`,
    `DATABASE_URL=${redactUrl(endpoints.databaseUrl)}`,
  ].join('\n');
}
