import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { kafkaPropertiesFromEnv, kafkaStreamTransport, redactKafkaProperties } from '../../kafka/index.js';
import { TopologyRunner } from '../../runtime/topology-runner.js';
import type { DeliveryGuarantee } from '../../runtime/stream-transport.js';
import { HttpSchemaRegistry } from '../../serde/index.js';
import { schemaResolver } from '../../testing/schema-resolver.js';
import type { CliContext } from '../cli-context.js';
import { cliLog, parseLogFormat, parseLogLevel } from '../cli-log.js';
import { resolveEndpoints } from '../endpoints.js';
import { TopologyCatalog } from '../topology-catalog.js';

/**
 * `sluice run <name...> | --all`: plans each topology and runs it on Kafka
 * until SIGINT/SIGTERM (the first finishes the batch in hand, commits and
 * leaves the group; a second exits at once).
 *
 * @example
 * ```sh
 * sluice run bus-telemetry
 * sluice run --all --log-format json
 * ```
 */
export function runCommand(context: CliContext): Command {
  return new Command('run')
    .description('run topologies on Kafka until Ctrl-C (each in its own consumer group = its name)')
    .argument('[names...]', 'topology names (files in topologies/)')
    .option('--all', 'run every topology in topologies/')
    .addOption(new Option('--guarantee <mode>', 'delivery guarantee').choices(['exactly-once', 'at-least-once']).default('exactly-once'))
    .option('--application-id <id>', 'consumer group / application id (one topology only); default: the topology name')
    .option('--instance-id <id>', 'this process in transactional ids; keep it stable across restarts to fence a crashed predecessor at once', process.env.SLUICE_INSTANCE_ID)
    .option('--log-format <format>', 'text or json', process.stdout.isTTY ? 'text' : 'json')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .addHelpText(
      'after',
      `
Connects to KAFKA_BOOTSTRAP_SERVERS and SCHEMA_REGISTRY_URL (or the stack \`sluice stack up\` started).
Any librdkafka property: SLUICE_KAFKA_<PROPERTY> with dots as underscores (secrets are redacted in logs).

Examples:
  $ sluice run bus-telemetry
  $ sluice run order-processing order-analytics order-storage
  $ sluice run --all --guarantee at-least-once`,
    )
    .action(async (names: string[], options: { all?: boolean; guarantee: DeliveryGuarantee; applicationId?: string; instanceId?: string; logFormat: string; logLevel: string }) => {
      const catalog = new TopologyCatalog(context.projectDir);
      const selected = options.all ? catalog.names() : names;
      if (selected.length === 0) throw new Error(`name a topology to run (known: ${catalog.names().join(', ') || 'none'}) or pass --all`);
      if (options.applicationId && selected.length > 1) throw new Error('--application-id applies to one topology; run the others in their own processes');
      const log = cliLog(parseLogFormat(options.logFormat), parseLogLevel(options.logLevel));
      const endpoints = resolveEndpoints(context.projectDir);
      const properties = { ...kafkaPropertiesFromEnv(), 'bootstrap.servers': endpoints.kafkaBootstrapServers };
      log('info', 'connecting', { kafka: redactKafkaProperties(properties), registry: new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl }).url });
      const plans = [];
      for (const name of selected) plans.push(await catalog.plan(name));
      const registry = new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl });
      const resolveSchema = await schemaResolver({}, `${context.projectDir}/schemas`);
      const instanceId = options.instanceId || `${hostname()}-${process.pid}`;
      const transport = kafkaStreamTransport(properties);
      const runners = plans.map(
        (plan) =>
          new TopologyRunner({ plan, transport, registry, resolveSchema, log, instanceId, guarantee: options.guarantee, ...(options.applicationId ? { groupId: options.applicationId } : {}) }),
      );

      const stop = new AbortController();
      let signals = 0;
      const onSignal = (signal: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) {
          log('warn', `${signal} again: exiting now`);
          process.exit(130);
        }
        log('info', `${signal}: finishing the batch in hand, committing and leaving the group (again to exit at once)`);
        stop.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        for (const runner of runners) await runner.start();
        await Promise.all(runners.map((runner) => runner.run(stop.signal)));
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        await transport.close();
      }
    });
}
