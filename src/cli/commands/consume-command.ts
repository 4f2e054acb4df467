import { Command, InvalidArgumentError } from 'commander';
import { kafkaPropertiesFromEnv, TopicAdmin, TopicReader, type KafkaMessage } from '../../kafka/index.js';
import { HttpSchemaRegistry } from '../../serde/index.js';
import type { CliContext } from '../cli-context.js';
import { resolveEndpoints } from '../endpoints.js';
import { awaitKafka, COMMAND_KAFKA_DEADLINE_MS } from '../start-up-checks.js';
import { consumedRecordLine } from '../record-printer.js';
import { usageErrors } from '../usage-errors.js';
import { WriterSchemaDecoder } from '../writer-schema-decoder.js';

/** `EXIT` of main.ts (not imported: main imports this file). */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
const BATCH = 1_000;
const POLL_MS = 200;
/** Without --follow, a read that gets no further for this long is an error rather than a hang. */
const STALL_MS = 30_000;

interface ConsumeOptions {
  fromBeginning?: boolean;
  max?: number;
  follow?: boolean;
  partition?: number;
  offset?: StartOffset;
  group?: string;
  readUncommitted?: boolean;
}

/** `--offset`: an absolute offset, `-N` (N before the end), or a named end. */
type StartOffset = { kind: 'absolute'; offset: number } | { kind: 'from-end'; records: number } | { kind: 'beginning' } | { kind: 'end' };

/**
 * `sluice consume <topic>`: prints records as JSON lines on stdout (see
 * `consumedRecordLine`: values decoded with their writer schema, headers as
 * text, undecodable payloads as base64 with the reason). Without `--follow`
 * it reads every partition from the beginning to the end it had when the
 * command started and exits 0; with `--follow` it starts at the end (or the
 * beginning with `--from-beginning`) and prints new records until Ctrl-C or
 * SIGTERM. Reads `read_committed` unless `--read-uncommitted`.
 *
 * @example
 * ```sh
 * $ sluice consume events_dlq --max 1
 * {"topic":"events_dlq","partition":0,"offset":0,"timestamp":"2026-01-05T08:00:00.000Z","key":"e-17",
 *  "headers":{"sluice.error.reason":"invalid",…},"value":{"event_id":"e-17",…}}
 * consumed 1 record from events_dlq
 * ```
 */
export function consumeCommand(context: CliContext): Command {
  return usageErrors(new Command('consume'))
    .description('print the records of a topic as JSON lines: values decoded with their Avro writer schema, headers, keys')
    .argument('<topic>', 'the topic to read')
    .option('--from-beginning', 'with --follow: start at the beginning instead of the end (without --follow reading always starts there)')
    .option('--max <n>', 'stop after n records', wholeNumber('--max', 1))
    .option('--follow', 'keep printing new records until Ctrl-C / SIGTERM (default: stop at the end the topic had at the start)')
    .option('--partition <p>', 'read this partition only', wholeNumber('--partition', 0))
    .option('--offset <o>', "start here in every partition read: an offset, -N (the last N records), 'beginning' or 'end'", startOffset)
    .option('--group <id>', "start at this consumer group's committed offsets (else as without it) and commit what was printed; not a running topology's group")
    .option('--read-uncommitted', 'also show records of open and aborted transactions (default: read_committed)')
    .addHelpText(
      'after',
      `
Each line: {"topic", "partition", "offset", "timestamp" (ISO-8601), "key", "headers", "value"}.
value: decoded with the writer schema its Confluent header names (null for a tombstone), or
{"bytes": "<base64>", "error": "<reason>: <why>"} when it does not decode. key: a decoded Avro key,
else its UTF-8 text, else {"bytes": "<base64>"}; headers likewise (text where printable).
longs and timestamps are JSON numbers, bytes strings of characters U+0000-U+00FF, decimals exact
strings: the lines read back with sluice produce (value only).
A summary goes to stderr. Exit codes: 0 ok, 1 failed, 2 usage.

Examples:
  $ sluice consume bus.telemetry.dlq                         # every dead letter, then exit
  $ sluice consume orders --follow                           # new records until Ctrl-C
  $ sluice consume orders --partition 2 --offset -10         # the last 10 records of partition 2
  $ sluice consume events_dlq | jq -r '.headers["sluice.error.reason"]' | sort | uniq -c`,
    )
    .action(async (topic: string, options: ConsumeOptions) => {
      if (options.offset !== undefined && options.fromBeginning) {
        context.info("sluice: --offset and --from-beginning both say where to start; give one (--offset beginning is --from-beginning)");
        return context.setExitCode(EXIT_USAGE);
      }
      await consume(context, topic, options);
    });
}

async function consume(context: CliContext, topic: string, options: ConsumeOptions): Promise<void> {
  const endpoints = resolveEndpoints(context.projectDir);
  const properties = { ...kafkaPropertiesFromEnv(), 'bootstrap.servers': endpoints.kafkaBootstrapServers };
  const isolation = options.readUncommitted ? 'read_uncommitted' : 'read_committed';
  const decoder = new WriterSchemaDecoder(new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl }));
  await awaitKafka(endpoints.kafkaBootstrapServers, properties, COMMAND_KAFKA_DEADLINE_MS);
  const admin = new TopicAdmin(properties);
  let reader: TopicReader | undefined;
  const stop = { requested: false };
  const onSignal = (): void => {
    if (stop.requested) process.exit(130);
    stop.requested = true;
  };
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    // The reader went away (`| head`): stop quietly, as cat does.
    if (error.code === 'EPIPE') stop.requested = true;
  };
  let printed = 0;
  const counts = { undecodable: 0 };
  try {
    const count = await admin.partitionCount(topic);
    if (count === undefined) {
      context.info(`sluice: topic ${topic} does not exist (sluice topics list shows the topics there are)`);
      return context.setExitCode(EXIT_FAILURE);
    }
    if (options.partition !== undefined && options.partition >= count) {
      context.info(`sluice: --partition ${options.partition}: topic ${topic} has partition${count === 1 ? ' 0 only' : `s 0-${count - 1}`}`);
      return context.setExitCode(EXIT_USAGE);
    }
    const partitions = options.partition === undefined ? Array.from({ length: count }, (_, p) => p) : [options.partition];
    const [starts, ends] = await Promise.all([admin.offsets(topic, partitions, 'start', isolation), admin.offsets(topic, partitions, 'end', isolation)]);
    reader = await TopicReader.connect(properties, { isolation, ...(options.group === undefined ? {} : { groupId: options.group }) });
    const committed = options.group === undefined ? new Map<number, number>() : await reader.committed(topic, partitions);
    const next = new Map<number, number>();
    for (const p of partitions) next.set(p, startOf(options, starts.get(p) ?? 0, ends.get(p) ?? 0, committed.get(p)));
    reader.assign(topic, [...next].map(([partition, offset]) => ({ partition, offset })));

    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    process.stdout.on('error', onStdoutError);
    if (options.follow) {
      const from = options.offset !== undefined || options.group !== undefined ? 'the positions asked for' : options.fromBeginning ? 'the beginning' : 'the end';
      context.info(`following ${topic} (${partitions.length} partition${partitions.length === 1 ? '' : 's'}) from ${from}; Ctrl-C stops`);
    }
    const pending = (p: number): boolean => options.follow === true || next.get(p)! < ends.get(p)!;
    const toCommit = new Map<number, number>();
    let progressAt = Date.now();
    while (!stop.requested && partitions.some(pending) && (options.max === undefined || printed < options.max)) {
      const batch = await reader.read(BATCH, POLL_MS);
      // Past the end seen at the start, records are for --follow only (a read stops where the topic was).
      const shown: KafkaMessage[] = [];
      for (const m of batch) {
        if (!pending(m.partition) || (!options.follow && m.offset >= ends.get(m.partition)!)) continue;
        if (options.max !== undefined && printed + shown.length >= options.max) break;
        shown.push(m);
      }
      if (shown.length > 0) {
        await decoder.prepare(shown.flatMap((m) => [m.value, typeof m.key === 'string' ? null : m.key]));
        const lines: string[] = [];
        for (const m of shown) {
          lines.push(consumedRecordLine(m, decoder, counts));
          next.set(m.partition, m.offset + 1);
          toCommit.set(m.partition, m.offset + 1);
        }
        context.print(lines.join('\n'));
        printed += shown.length;
        if (options.group !== undefined) await reader.commit(topic, toCommit);
        toCommit.clear();
      }
      if (batch.length > 0) progressAt = Date.now();
      else {
        // Transaction markers and aborted records take offsets but are never delivered: the position passes them.
        for (const [p, position] of reader.positions(topic, partitions)) {
          if (position > next.get(p)!) {
            next.set(p, position);
            progressAt = Date.now();
          }
        }
        if (!options.follow && Date.now() - progressAt > STALL_MS) {
          const stuck = partitions.filter(pending).map((p) => `${p} at ${next.get(p)} of ${ends.get(p)}`);
          throw new Error(`reading ${topic} made no progress for ${STALL_MS / 1000} s (partition ${stuck.join(', ')}); is the broker up? (sluice stack status)`);
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.stdout.off('error', onStdoutError);
    await reader?.close();
    admin.close();
  }
  context.info(
    `consumed ${printed} record${printed === 1 ? '' : 's'} from ${topic}` +
      (counts.undecodable > 0 ? ` (${counts.undecodable} undecodable, shown as bytes)` : '') +
      (options.group === undefined ? '' : `; group ${options.group} committed`),
  );
}

/** Where a partition's read starts: --offset, else the group's commit, else the end (--follow) or the beginning. */
function startOf(options: ConsumeOptions, start: number, end: number, committed: number | undefined): number {
  const clamp = (o: number): number => Math.min(end, Math.max(start, o));
  const offset = options.offset;
  if (offset?.kind === 'absolute') return clamp(offset.offset);
  if (offset?.kind === 'from-end') return clamp(end - offset.records);
  if (offset?.kind === 'beginning') return start;
  if (offset?.kind === 'end') return end;
  if (committed !== undefined) return clamp(committed);
  return options.follow && !options.fromBeginning ? end : start;
}

function startOffset(raw: string): StartOffset {
  const text = raw.trim().toLowerCase();
  if (text === 'beginning' || text === 'earliest') return { kind: 'beginning' };
  if (text === 'end' || text === 'latest') return { kind: 'end' };
  if (/^\d+$/.test(text) && Number.isSafeInteger(Number(text))) return { kind: 'absolute', offset: Number(text) };
  if (/^-\d+$/.test(text) && Number.isSafeInteger(-Number(text))) return { kind: 'from-end', records: -Number(text) };
  throw new InvalidArgumentError(`--offset must be an offset (42), -N for the last N records (-10), 'beginning' or 'end'; got '${raw}'`);
}

function wholeNumber(flag: string, min: number): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(value) || value < min) throw new InvalidArgumentError(`${flag} must be a whole number ≥ ${min}, got '${raw}'`);
    return value;
  };
}
