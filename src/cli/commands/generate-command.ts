import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { KafkaAdmin, kafkaPropertiesFromEnv, RecordProducer, type OutgoingRecord } from '../../kafka/index.js';
import { AvroCodec, HttpSchemaRegistry, subjectFor } from '../../serde/index.js';
import type { CliContext } from '../cli-context.js';
import { resolveEndpoints } from '../endpoints.js';
import { usageErrors } from '../usage-errors.js';
import { take, type GeneratedRecord, type GeneratorOptions } from '../generators/event-generator.js';
import { produceWorkload, type ProduceProgress } from '../generators/produce-workload.js';
import { resolveWorkload, type ResolvedWorkload } from '../generators/resolve-workload.js';
import { loadWorkloads, UnknownWorkloadError } from '../generators/workload-catalog.js';

/** Event-time density without `--rate`: 20 records per second of event time. */
const DEFAULT_EVENTS_PER_SECOND = 20;
const PROGRESS_EVERY_MS = 2_000;
/** Records a schema-driven workload makes before connecting, so a validation it cannot pass fails first. */
const DRY_RUN_RECORDS = 200;
/** `EXIT.usage` of main.ts (not imported: main imports this file). */
const EXIT_USAGE = 2;

interface GenerateOptions {
  rate?: number;
  count?: number;
  invalidRatio: number;
  lateRatio: number;
  seed: number;
  start?: number;
  batchSize: number;
  oracle?: string;
  config?: string;
}

/**
 * `sluice generate <name>`: produces a workload's realistic events as Avro
 * (Confluent wire format; schemas registered under `<topic>-value`) with
 * the librdkafka producer, in batches, creating the source topics with
 * their partition counts when missing. Deterministic per `--seed`.
 *
 * A project's hand-written workloads (`workloads/*.ts`; Sluice's examples
 * have them) come first; any other topology of the project gets records
 * made from its source schemas (see
 * `schemaWorkload`), shaped by `topologies/<name>.generate.json` or `--config`.
 *
 * @example
 * ```sh
 * sluice generate bus-telemetry --count 50000
 * sluice generate heartbeat-monitoring --rate 200 --invalid-ratio 0.05 --late-ratio 0.02
 * sluice generate order-events --count 10000 --seed 7 --oracle expected.json
 * sluice generate parking-occupancy --count 5000 --config parking.generate.json
 * ```
 */
export function generateCommand(context: CliContext): Command {
  return usageErrors(new Command('generate'))
    .description("produce realistic Avro events for a topology's source topics, with invalid and late ones mixed in")
    .argument('<name>', "a topology in topologies/ (records made from its source schemas), or a hand-written workload of the project's workloads/ or a topology it feeds")
    .option('--rate <n>', 'records per second (default: as fast as the broker acknowledges)', positive('--rate'))
    .option('--count <n>', 'records to produce (default: 10000; with --rate: until Ctrl-C)', positiveInteger('--count'))
    .option('--invalid-ratio <x>', 'share of records that fail validation, 0..1', ratio('--invalid-ratio'), 0.02)
    .option('--late-ratio <x>', 'share of records older than their window accepts, 0..1', ratio('--late-ratio'), 0.01)
    .option('--seed <n>', 'random seed: the same seed, start and options give the same records', integer('--seed'), 1)
    .option('--start <time>', 'event time of the first record, ISO-8601 (default: now with --rate, else so that the last record is now)', timestamp)
    .option('--batch-size <n>', 'records per produce batch (one delivery wait per batch)', positiveInteger('--batch-size'), 1_000)
    .option('--oracle <file>', 'also write the expected results for these records as JSON (needs a finite --count)')
    .option('--config <file>', 'field rules for a topology without a hand-written generator (default: topologies/<name>.generate.json when present)')
    .addHelpText(
      'after',
      `
Connects to KAFKA_BOOTSTRAP_SERVERS and SCHEMA_REGISTRY_URL (or the stack \`sluice stack up\` started).
Invalid records fail the topology's validation (they land in its dead-letter topic with the reason);
late ones are re-sent copies of earlier records, older than window + grace.

A topology without a hand-written generator gets random valid records of its source schemas: keys
from 50 values of the field it groups by, the event time on the generator's clock, valid records
drawn until its validate steps accept them, invalid ones changed until they refuse them. A JSON file
gives field rules: { "keys": 20, "fields": { "lot_id": { "pattern": "lot-{1..20}" },
"spaces_free": { "min": 0, "max": 400 }, "status": { "oneOf": ["FREE", "TAKEN"] }, "source": "sensor" } }

Examples:
  $ sluice generate bus-telemetry --count 50000
  $ sluice generate events-pipeline --rate 500
  $ sluice generate order-processing --count 20000 --invalid-ratio 0.05 --seed 42 --oracle expected.json
  $ sluice generate parking-occupancy --count 5000 --config parking.generate.json`,
    )
    .action(async (name: string, options: GenerateOptions) => {
      const usage = (message: string): void => {
        context.info(`sluice: ${message}`);
        context.setExitCode(EXIT_USAGE);
      };
      if (options.invalidRatio + options.lateRatio > 1) return usage('--invalid-ratio + --late-ratio must not exceed 1');
      const count = options.count ?? (options.rate === undefined ? 10_000 : Number.POSITIVE_INFINITY);
      if (options.oracle !== undefined && !Number.isFinite(count)) return usage('--oracle needs a finite --count');
      const handWritten = (await loadWorkloads(context.projectDir)).find((w) => w.name === name || w.topologies.includes(name));
      if (options.config !== undefined && handWritten !== undefined) {
        return usage(`--config is for topologies without a hand-written generator; ${name} has one (${handWritten.name})`);
      }
      const endpoints = resolveEndpoints(context.projectDir);
      const registry = new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl });
      let resolved: ResolvedWorkload;
      try {
        resolved = await resolveWorkload(name, {
          projectDir: context.projectDir,
          registry,
          ...(options.config === undefined ? {} : { config: resolve(options.config) }),
        });
      } catch (error) {
        if (error instanceof UnknownWorkloadError) return usage(error.message);
        throw error;
      }
      const eventsPerSecond = options.rate ?? DEFAULT_EVENTS_PER_SECOND;
      const startMs = options.start ?? (options.rate === undefined ? Date.now() - (count / eventsPerSecond) * 1000 : Date.now());
      const generatorOptions: GeneratorOptions = {
        seed: options.seed,
        startMs: Math.floor(startMs),
        eventsPerSecond,
        invalidRatio: options.invalidRatio,
        lateRatio: options.lateRatio,
      };
      // Before connecting: a topology whose validation the schema's values cannot pass fails here, saying which fields to configure.
      if (resolved.kind === 'schema') take(resolved.workload.records(generatorOptions), Math.min(count, DRY_RUN_RECORDS));
      await generate(context, resolved, registry, endpoints.kafkaBootstrapServers, { ...options, count, generatorOptions });
    });
}

async function generate(
  context: CliContext,
  resolved: ResolvedWorkload,
  registry: HttpSchemaRegistry,
  bootstrapServers: string,
  options: GenerateOptions & { count: number; generatorOptions: GeneratorOptions },
): Promise<void> {
  const { workload } = resolved;
  const properties = { ...kafkaPropertiesFromEnv(), 'bootstrap.servers': bootstrapServers };
  const codecs = new Map<string, AvroCodec<unknown>>();
  for (const topic of workload.topics) {
    const readerSchema = resolved.readerSchemas.get(topic.name);
    if (readerSchema === undefined) throw new Error(`generator ${workload.name} has no schema for topic ${topic.name}`);
    const codec = new AvroCodec<unknown>({ registry, subject: subjectFor(topic.name, 'value'), readerSchema });
    await codec.registerWriter();
    codecs.set(topic.name, codec);
  }
  const admin = new KafkaAdmin(properties);
  let topics = workload.topics;
  try {
    // A topic the user created keeps its partitions; hand-written workloads insist on theirs (their oracles assume them).
    if (resolved.kind === 'schema') {
      const existing = await admin.partitionCounts(topics.map((t) => t.name));
      topics = topics.map((t) => ({ ...t, partitions: existing.get(t.name) ?? t.partitions }));
    }
    await admin.ensureTopics(topics.map((t) => ({ name: t.name, partitions: t.partitions })));
  } finally {
    admin.close();
  }
  const label = Number.isFinite(options.count) ? `${options.count}` : '∞';
  const { startMs } = options.generatorOptions;
  context.info(
    `generating ${workload.name} → ${topics.map((t) => `${t.name} (${t.partitions} partition${t.partitions === 1 ? '' : 's'})`).join(', ')}: ` +
      `${label} records, ${options.rate === undefined ? 'as fast as acknowledged' : `${options.rate}/s`}, ` +
      `invalid ${options.invalidRatio}, late ${options.lateRatio}, seed ${options.seed}, from ${new Date(startMs).toISOString()}`,
  );
  for (const note of resolved.notes) context.info(`  ${note}`);

  const kept: GeneratedRecord<unknown>[] = [];
  const encode = (r: GeneratedRecord<unknown>): OutgoingRecord => {
    if (options.oracle !== undefined) kept.push(r);
    const eventTime = r.timestamp ?? (r.value as { readonly timestamp?: unknown }).timestamp;
    return {
      topic: r.topic,
      key: Buffer.from(r.key),
      value: codecs.get(r.topic)!.encode(r.value),
      ...(typeof eventTime === 'number' ? { timestamp: eventTime } : {}),
    };
  };
  const stop = new AbortController();
  const onSignal = (): void => {
    context.info('stopping after the batch in hand (Ctrl-C again to exit at once)');
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const producer = await RecordProducer.connect(properties);
  let lastReport = 0;
  let done: ProduceProgress;
  try {
    done = await produceWorkload(
      workload.records(options.generatorOptions),
      (batch) => producer.produceAll(batch.map(encode)),
      {
        count: options.count,
        batchSize: options.batchSize,
        signal: stop.signal,
        ...(options.rate === undefined ? {} : { rate: options.rate }),
        onBatch: (progress) => {
          if (progress.elapsedMs - lastReport < PROGRESS_EVERY_MS) return;
          lastReport = progress.elapsedMs;
          context.info(`${workload.name}: ${describeProgress(progress, label)}`);
        },
      },
    );
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await producer.close();
  }
  context.print(`${workload.name}: ${describeProgress(done, label)}`);
  if (options.oracle !== undefined) {
    await writeFile(options.oracle, `${JSON.stringify(workload.oracle(kept), null, 2)}\n`);
    context.print(`expected results of these ${kept.length} records: ${options.oracle}`);
  }
}

function describeProgress(p: ProduceProgress, total: string): string {
  const perSecond = p.elapsedMs > 0 ? Math.round((p.sent * 1000) / p.elapsedMs) : 0;
  return `${p.sent}/${total} records (${p.invalid} invalid, ${p.late} late) in ${(p.elapsedMs / 1000).toFixed(1)} s, ${perSecond}/s`;
}

function positive(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw.replace(/\/s$/, ''));
    if (!(value > 0) || !Number.isFinite(value)) throw new InvalidArgumentError(`${flag} must be a positive number, got '${raw}'`);
    return value;
  };
}

function positiveInteger(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw.replaceAll('_', ''));
    if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${flag} must be a whole number ≥ 1, got '${raw}'`);
    return value;
  };
}

function integer(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (!Number.isSafeInteger(value)) throw new InvalidArgumentError(`${flag} must be a whole number, got '${raw}'`);
    return value;
  };
}

function ratio(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !(value >= 0 && value <= 1)) throw new InvalidArgumentError(`${flag} must be between 0 and 1, got '${raw}'`);
    return value;
  };
}

function timestamp(raw: string): number {
  const value = Date.parse(raw);
  if (Number.isNaN(value)) throw new InvalidArgumentError(`--start must be an ISO-8601 time such as 2026-01-05T08:00:00Z, got '${raw}'`);
  return value;
}
