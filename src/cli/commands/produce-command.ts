import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Command, InvalidArgumentError } from 'commander';
import { kafkaPropertiesFromEnv, RecordProducer, TopicAdmin, type OutgoingRecord } from '../../kafka/index.js';
import type avro from 'avsc';
import { HttpSchemaRegistry, parseAvroSchema, type AvroSchema, type JsonSchema } from '../../serde/index.js';
import type { CliContext } from '../cli-context.js';
import { resolveEndpoints } from '../endpoints.js';
import { compileJsonToAvro, JsonToAvroError } from '../json-to-avro.js';
import { resolveProduceSchema } from '../produce-schema.js';
import { awaitKafka, COMMAND_KAFKA_DEADLINE_MS } from '../start-up-checks.js';
import { usageErrors } from '../usage-errors.js';
import { errorText } from '../../error-text.js';

/** `EXIT` of main.ts (not imported: main imports this file). */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;
/** A batch waits at most this long for more lines (input typed or piped slowly still goes out). */
const LINGER_MS = 200;

interface ProduceOptions {
  schema?: string;
  key?: string;
  file?: string;
  skipInvalid?: boolean;
  batchSize: number;
}

/**
 * `sluice produce <topic>`: JSON lines (a file or stdin) → Avro records in
 * the Confluent wire format, written in batches. Each line is converted
 * with `compileJsonToAvro` (unions plain or wrapped, timestamps as ISO
 * text, defaults for missing fields…) and encoded by `AvroCodec`; for a
 * JSON Schema (a `.schema.json` file or a JSON subject) each line is
 * validated and written as it is, by `JsonSchemaCodec`. The first
 * bad line stops the run (exit 1) after the lines before it are produced;
 * `--skip-invalid` skips and counts bad lines instead.
 *
 * @example
 * ```sh
 * $ sluice produce orders --file orders.jsonl --key order_id
 * produced 1200 records to orders (schema id 14: subject orders-value (version 2))
 * $ echo '{"id":"p1","at":"2026-01-05T08:00:00Z"}' | sluice produce pings --schema schemas/ping.avsc
 * ```
 */
export function produceCommand(context: CliContext): Command {
  return usageErrors(new Command('produce'))
    .description('write JSON lines (a file or stdin) to a topic as Avro (or JSON Schema) records in the Confluent wire format')
    .argument('<topic>', 'the topic to write to (it must exist: sluice topics create)')
    .option('--schema <subject-or-file>', 'a .avsc or .schema.json file (registered under <topic>-value), schemas/<name>.avsc or .schema.json by name, or a registry subject (default: <topic>-value)')
    .option('--key <field>', "the record key: this top-level field's value as UTF-8 text (default: no key)")
    .option('--file <path>', 'read JSON lines from this file (default: stdin)')
    .option('--skip-invalid', 'skip lines that are not JSON or do not fit the schema (each is reported) instead of stopping at the first')
    .option('--batch-size <n>', 'records per produce batch (one delivery wait per batch)', batchSize, 1_000)
    .addHelpText(
      'after',
      `
Each line is one JSON object, the record's value. Avro's JSON conventions work: a union value plain
("x", null, {...}) or wrapped ({"string": "x"}); a long or timestamp-millis as a number or an
ISO-8601 time; an enum as its symbol; bytes as a string of characters U+0000-U+00FF; a missing
field takes its default. With a JSON Schema each line is written as it is once the schema accepts
it. Blank lines are skipped. A bad line is reported with its line number and
the field's path; without --skip-invalid nothing after it is produced (exit 1).
Connects to KAFKA_BOOTSTRAP_SERVERS and SCHEMA_REGISTRY_URL (or the stack \`sluice stack up\` started).

Examples:
  $ sluice produce orders --file orders.jsonl --key order_id
  $ sluice produce pings --schema schemas/ping.avsc < pings.jsonl
  $ sluice consume orders.dlq --max 1 | jq -c .value | sluice produce orders`,
    )
    .action(async (topic: string, options: ProduceOptions) => {
      await produce(context, topic, options);
    });
}

async function produce(context: CliContext, topic: string, options: ProduceOptions): Promise<void> {
  const endpoints = resolveEndpoints(context.projectDir);
  const properties = { ...kafkaPropertiesFromEnv(), 'bootstrap.servers': endpoints.kafkaBootstrapServers };
  const registry = new HttpSchemaRegistry({ url: endpoints.schemaRegistryUrl });
  await awaitKafka(endpoints.kafkaBootstrapServers, properties, COMMAND_KAFKA_DEADLINE_MS);
  const topics = new TopicAdmin(properties);
  try {
    if ((await topics.partitionCount(topic)) === undefined) {
      context.info(`sluice: topic ${topic} does not exist; create it first: sluice topics create ${topic} --partitions <n>`);
      return context.setExitCode(EXIT_FAILURE);
    }
  } finally {
    topics.close();
  }
  const target = await resolveProduceSchema({ topic, schemaArg: options.schema, projectDir: context.projectDir, registry });
  const keyOf = target.format === 'json' ? jsonKeyExtractor(options.key, target.schema) : keyExtractor(options.key, target.schema);
  if (typeof keyOf === 'string') {
    context.info(`sluice: ${keyOf}`);
    return context.setExitCode(EXIT_USAGE);
  }
  // A JSON Schema topic takes each line as it is (the codec validates it); an Avro one converts it first.
  const toAvro = target.format === 'json' ? (value: unknown): unknown => value : compileJsonToAvro(target.schema);
  const path = options.file === undefined ? undefined : resolve(process.cwd(), options.file);
  if (path !== undefined && !(await stat(path).then((s) => s.isFile(), () => false))) {
    context.info(`sluice: --file ${options.file}: no such file (relative paths are taken from ${process.cwd()})`);
    return context.setExitCode(EXIT_USAGE);
  }
  const input = path === undefined ? process.stdin : createReadStream(path);
  if (options.file === undefined && process.stdin.isTTY) context.info(`reading JSON lines for ${topic} from the terminal (Ctrl-D ends)`);

  const producer = await RecordProducer.connect(properties);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  const onSignal = (): void => lines.close();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let produced = 0;
  let skipped = 0;
  let lineNumber = 0;
  let batch: OutgoingRecord[] = [];
  let sending: Promise<void> = Promise.resolve();
  let linger: NodeJS.Timeout | undefined;
  // Batches go out in order, one delivery wait each; a failed one fails every later await of `sending`.
  const flush = (): Promise<void> => {
    clearTimeout(linger);
    linger = undefined;
    const out = batch;
    batch = [];
    if (out.length > 0) {
      sending = sending.then(async () => {
        await producer.produceAll(out);
        produced += out.length;
      });
      sending.catch(() => undefined);
    }
    return sending;
  };
  let stoppedAt: { line: number; reason: string } | undefined;
  try {
    for await (const text of lines) {
      lineNumber += 1;
      if (text.trim() === '') continue;
      let record: OutgoingRecord;
      try {
        const value = toAvro(JSON.parse(text) as unknown);
        record = { topic, key: keyOf(value), value: target.codec.encode(value) };
      } catch (error) {
        const reason = lineProblem(error);
        if (!options.skipInvalid) {
          stoppedAt = { line: lineNumber, reason };
          break;
        }
        skipped += 1;
        context.info(`line ${lineNumber} skipped: ${reason}`);
        continue;
      }
      batch.push(record);
      if (batch.length >= options.batchSize) await flush();
      else linger ??= setTimeout(() => void flush(), LINGER_MS);
    }
    await flush();
  } finally {
    clearTimeout(linger);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    lines.close();
    if (path !== undefined) input.destroy();
    await producer.close();
  }
  const summary = `produced ${produced} record${produced === 1 ? '' : 's'} to ${topic} (schema id ${target.schemaId}: ${target.origin})`;
  if (stoppedAt !== undefined) {
    context.info(`sluice: line ${stoppedAt.line}: ${stoppedAt.reason}`);
    context.info(`${summary}; stopped at line ${stoppedAt.line}: nothing from it on was produced (--skip-invalid skips bad lines instead)`);
    return context.setExitCode(EXIT_FAILURE);
  }
  context.info(skipped > 0 ? `${summary}; skipped ${skipped} invalid line${skipped === 1 ? '' : 's'}` : summary);
}

/** The key of a converted value, or a message saying why `--key` cannot be used with this schema. */
function keyExtractor(field: string | undefined, schema: AvroSchema): ((value: unknown) => Buffer | null) | string {
  if (field === undefined) return () => null;
  const fields = (parseAvroSchema(schema) as unknown as { fields?: readonly { name: string; type: avro.Type }[] }).fields;
  if (fields === undefined) return `--key ${field}: the schema is not a record, so it has no fields`;
  const known = fields.find((f) => f.name === field);
  if (known === undefined) return `--key ${field}: the schema has no field '${field}' (its fields: ${fields.map((f) => f.name).join(', ')})`;
  const branches = (known.type as unknown as { types?: readonly avro.Type[] }).types ?? [known.type];
  const unfit = branches.map((t) => t.typeName).find((k) => k === 'record' || k === 'error' || k === 'array' || k === 'map');
  if (unfit !== undefined) return `--key ${field}: the field is a${unfit === 'array' || unfit === 'error' ? 'n' : ''} ${unfit}; a key must be text, a number, a boolean, an enum or bytes`;
  return (value) => {
    const v = (value as Record<string, unknown>)[field];
    if (v === null || v === undefined) return null;
    return Buffer.isBuffer(v) ? v : Buffer.from(String(v), 'utf8');
  };
}

/** The key of a JSON value: a top-level property (the schema need not declare it; a missing one is no key). */
function jsonKeyExtractor(field: string | undefined, schema: JsonSchema): ((value: unknown) => Buffer | null) | string {
  if (field === undefined) return () => null;
  const properties = schema['properties'];
  if (properties !== null && typeof properties === 'object' && !Array.isArray(properties) && !(field in properties)) {
    return `--key ${field}: the JSON Schema has no property '${field}' (its properties: ${Object.keys(properties).join(', ')})`;
  }
  return (value) => {
    const v = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined;
    if (v === null || v === undefined) return null;
    return Buffer.from(typeof v === 'string' ? v : JSON.stringify(v), 'utf8');
  };
}

function lineProblem(error: unknown): string {
  if (error instanceof SyntaxError) return `not valid JSON: ${error.message}`;
  if (error instanceof JsonToAvroError) return `does not fit the schema: ${error.message}`;
  // JsonSchemaCodec.encode names the failing path in a TypeError.
  if (error instanceof TypeError && error.message.startsWith('value does not match the JSON Schema')) return `does not fit the schema: ${error.message}`;
  return errorText(error);
}

function batchSize(raw: string): number {
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`--batch-size must be a whole number ≥ 1, got '${raw}'`);
  return value;
}
