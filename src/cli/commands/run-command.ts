import { hostname } from 'node:os';
import { Command, Option } from 'commander';
import { kafkaPropertiesFromEnv, kafkaStreamTransport, redactKafkaProperties } from '../../kafka/index.js';
import { DEFAULT_METRICS_PORT, PrometheusObserver, startMetricsServer } from '../../metrics/index.js';
import type { DeliveryGuarantee } from '../../runtime/stream-transport.js';
import { HttpSchemaRegistry } from '../../serde/index.js';
import { debugObserver } from '../debug-observer.js';
import { checkSchemaFiles, loadProjectSchemas } from '../project-schemas.js';
import { awaitKafka, awaitRegistry, checkDatabaseUrl, checkTopologySchemas, START_UP_DEADLINE_MS } from '../start-up-checks.js';
import type { CliContext } from '../cli-context.js';
import { cliLog, parseLogFormat, parseLogLevel } from '../cli-log.js';
import { resolveEndpoints } from '../endpoints.js';
import { claimInstanceSlot, type InstanceSlot } from '../instance-slot.js';
import { startStatusLines } from '../status-lines.js';
import { wireSinks } from '../sink-wiring.js';
import { TopologyCatalog } from '../topology-catalog.js';
import { topologyHosts, type TopologyHost } from '../topology-hosts.js';

/**
 * `sluice run <name...> | --all`: plans each topology and runs it on Kafka
 * until SIGINT/SIGTERM (the first finishes the batch in hand, commits and
 * leaves the group; a second exits at once).
 *
 * Topologies with sinks also get the database (`DATABASE_URL`, else the
 * default local server if it answers, else PGlite under `.sluice/pglite`, as
 * printed at start), the `sql/` migrations (unless `--no-migrate`) and one
 * sink runner per sink, in its own consumer group `<applicationId>.<sink>`
 * with its DLQ `<applicationId>.<sink>.dlq`. A sink whose table does not fit
 * stops the command before any topology starts.
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
    .option(
      '--instance-id <id>',
      'a stable identity for this process: its transactional id fences a crashed predecessor and static group membership hands it the same partitions at once (default: <host>-<project hash>-<n>, the lowest slot n free in .sluice/instances/, so a restart also fences its crashed predecessor; dynamic membership)',
      process.env.SLUICE_INSTANCE_ID,
    )
    .option('--log-format <format>', 'text or json', process.stdout.isTTY ? 'text' : 'json')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--no-migrate', 'do not apply the sql/ migrations at start (the sinks still check their tables)')
    .addOption(new Option('--only <part>', 'run only the stream processing or only the sinks (to scale them apart)').choices(['processing', 'sinks']))
    .option(
      '--max-open-windows <n>',
      'state budget: the most windows each window step keeps open per task (input partition), for steps that set no maxOpenWindows of their own; a record that would open one more is dead-lettered as state-full. "none": no bound',
      String(DEFAULT_MAX_OPEN_WINDOWS),
    )
    .option('--no-processing-thread', 'process on the thread that runs the Kafka client instead of a worker thread of its own (slower; for debugging)')
    .addHelpText(
      'after',
      `
Connects to KAFKA_BOOTSTRAP_SERVERS and SCHEMA_REGISTRY_URL (or the stack \`sluice stack up\` started).
Any librdkafka property: SLUICE_KAFKA_<PROPERTY> with dots as underscores (secrets are redacted in logs).
Sinks write to DATABASE_URL; without it, to the server at SLUICE_DEFAULT_DATABASE_URL
(default postgres://postgres@127.0.0.1:5432/postgres) if it answers, else to an embedded
PostgreSQL (PGlite) in .sluice/pglite. Refused rows go to <topology>.<sink>.dlq.

Examples:
  $ sluice run bus-telemetry
  $ sluice run order-processing order-analytics order-storage
  $ sluice run --all --guarantee at-least-once
  $ sluice run bus-telemetry --only sinks        # a second process that only writes PostgreSQL`,
    )
    .action(async (names: string[], options: { all?: boolean; guarantee: DeliveryGuarantee; applicationId?: string; instanceId?: string; logFormat: string; logLevel: string; migrate: boolean; only?: 'processing' | 'sinks'; processingThread: boolean; maxOpenWindows: string }) => {
      const catalog = new TopologyCatalog(context.projectDir);
      const selected = options.all ? catalog.names() : names;
      if (selected.length === 0) throw new Error(`name a topology to run (known: ${catalog.names().join(', ') || 'none'}) or pass --all`);
      if (options.applicationId && selected.length > 1) throw new Error('--application-id applies to one topology; run the others in their own processes');
      const logLevel = parseLogLevel(options.logLevel);
      const log = cliLog(parseLogFormat(options.logFormat), logLevel);
      const endpoints = resolveEndpoints(context.projectDir);
      // Definitions and configuration first: what cannot work fails at once, before connecting to anything.
      const maxOpenWindows = parseMaxOpenWindows(options.maxOpenWindows);
      const planOptions = { ...(options.applicationId ? { applicationId: options.applicationId } : {}), ...(maxOpenWindows === undefined ? {} : { maxOpenWindows }) };
      const plans = [];
      for (const name of selected) plans.push(await catalog.plan(name, planOptions));
      const schemas = await loadProjectSchemas(context.projectDir);
      for (const plan of plans) {
        checkSchemaFiles(plan, catalog.relativeFile(plan.topology), schemas);
        checkTopologySchemas(plan, schemas.resolve);
      }
      const sinkPlans = options.only === 'processing' ? [] : plans;
      const databaseUrlName = process.env.DATABASE_URL ? 'DATABASE_URL' : 'the database URL of `sluice stack up` (.sluice/)';
      if (endpoints.databaseUrl !== undefined && sinkPlans.some((plan) => plan.sinks.length > 0)) checkDatabaseUrl(endpoints.databaseUrl, databaseUrlName);

      const properties = { ...kafkaPropertiesFromEnv(), 'bootstrap.servers': endpoints.kafkaBootstrapServers };
      log('info', 'connecting', { kafka: redactKafkaProperties(properties), registry: new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl }).url });
      await awaitKafka(endpoints.kafkaBootstrapServers, properties, START_UP_DEADLINE_MS);
      // Bounded at start-up like the broker; once running, a registry outage pauses and retries as before.
      await awaitRegistry(endpoints.schemaRegistryUrl);
      const registry = new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl });
      const resolveSchema = schemas.resolve;
      // Without --instance-id, a slot kept in the project's .sluice/: a restart after a crash takes its
      // predecessor's slot, hence its transactional ids, and fences its open transaction at once.
      // A sinks-only process has no transactions: it takes no slot (it would shift the processing processes' slots).
      const slot: InstanceSlot | undefined = options.instanceId || options.only === 'sinks' ? undefined : claimInstanceSlot(context.projectDir);
      const instanceId = options.instanceId || slot?.id || `${hostname()}-${process.pid}`;
      log('info', `instance id ${instanceId}`, { instanceId, ...(slot ? { slot: slot.slot } : { explicit: true }) });
      const transport = kafkaStreamTransport(properties);
      const metrics = new PrometheusObserver();
      // Per checkpoint, restore batch, rebalance and gauge round: what --log-level debug promises, never per record.
      const observer = logLevel === 'debug' ? debugObserver(metrics, log) : metrics;
      log('debug', 'settings', {
        topologies: plans.map((plan) => plan.topology),
        groups: plans.map((plan) => options.applicationId ?? plan.applicationId),
        instanceId,
        guarantee: options.guarantee,
        processingThread: options.processingThread,
        only: options.only ?? 'processing and sinks',
        migrate: options.migrate,
        schemas: schemas.names,
      });
      const groupId = options.applicationId ? { groupId: options.applicationId } : {};
      const sinks = await wireSinks({
        plans: sinkPlans,
        projectDir: context.projectDir,
        databaseUrl: endpoints.databaseUrl,
        databaseUrlName,
        defaultDatabaseUrl: process.env.SLUICE_DEFAULT_DATABASE_URL || undefined,
        migrate: options.migrate,
        transport,
        registry,
        resolveSchema,
        log,
        ...(options.applicationId ? { applicationId: options.applicationId } : {}),
        ...(options.instanceId ? { instanceId: options.instanceId } : {}),
      }).catch(async (error: unknown) => {
        await transport.close();
        throw error;
      });

      metrics.trackSinks(
        sinkPlans.flatMap((plan) => plan.sinks.map((sink) => ({ topology: plan.topology, sink: sink.name }))).map((labels, i) => ({ ...labels, stats: sinks.runners[i]!.stats })),
      );
      const requestedPort = Number(process.env.SLUICE_METRICS_PORT ?? DEFAULT_METRICS_PORT);
      const metricsServer = await startMetricsServer({ registry: metrics.registry, ready: () => metrics.ready, notReadyReason: () => metrics.notReadyReason(), port: requestedPort, fallbackToFreePort: true });
      if (requestedPort !== 0 && metricsServer.port !== requestedPort) log('warn', `metrics port ${requestedPort} is taken; serving on ${metricsServer.port}`);
      log('info', `metrics on http://127.0.0.1:${metricsServer.port}/metrics (also /healthz, /readyz)`, { port: metricsServer.port });

      // On a terminal, a status block every few seconds; logs (JSON when piped) carry the rest.
      const stopStatus = process.stdout.isTTY && options.logFormat === 'text' ? startStatusLines(() => metrics.registry.metrics(), context.print, 5_000) : () => {};

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
      process.on('SIGHUP', onSignal);
      // One runner failing for good (a fenced producer, a sink's table dropped) stops the others cleanly.
      const runUntilStopped = async (run: () => Promise<void>): Promise<void> => {
        try {
          await run();
        } catch (error) {
          stop.abort();
          throw error;
        }
      };
      let runners: TopologyHost[] = [];
      try {
        // Spawned only now: a processing thread that a failed start-up never ran would keep the process alive.
        runners = topologyHosts({
          plans: options.only === 'sinks' ? [] : plans,
          processingThread: options.processingThread,
          projectDir: context.projectDir,
          registryUrl: endpoints.schemaRegistryUrl,
          runner: { transport, registry, resolveSchema, log, instanceId, observer, staticMembership: Boolean(options.instanceId), guarantee: options.guarantee, ...groupId },
        });
        // Topologies first: they create the table topics the sinks subscribe to.
        for (const runner of runners) await runner.start();
        for (const runner of sinks.runners) await runner.start(stop.signal);
        const outcomes = await Promise.allSettled([
          ...runners.map((runner) => runUntilStopped(() => runner.run(stop.signal))),
          ...sinks.runners.map((runner) => runUntilStopped(() => runner.run(stop.signal))),
        ]);
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
        if (failed) throw failed.reason;
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        process.off('SIGHUP', onSignal);
        for (const runner of runners) await runner.close?.();
        await transport.close();
        await sinks.close();
        slot?.release();
        stopStatus();
        await metricsServer.close();
      }
    });
}

/** `sluice run`'s state budget per window step and task when the step sets none (see `--max-open-windows`). */
export const DEFAULT_MAX_OPEN_WINDOWS = 1_000_000;

/** `--max-open-windows`: a positive whole number, or `none` for no bound (undefined). */
export function parseMaxOpenWindows(text: string): number | undefined {
  if (text.trim().toLowerCase() === 'none') return undefined;
  const n = Number(text.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`--max-open-windows must be a positive whole number of windows or "none", got "${text}" (e.g. --max-open-windows 2000000)`);
  }
  return n;
}
