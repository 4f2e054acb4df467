import { spawn } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ContenderCommand } from '../lib/contender-process.js';

/** The Maven project of the Kafka Streams contender (bench/kafka-streams). */
export const KAFKA_STREAMS_PROJECT_DIR = fileURLToPath(new URL('../kafka-streams/', import.meta.url));

/** The runnable fat jar `mvn package` builds (shade plugin). */
export const KAFKA_STREAMS_JAR = join(KAFKA_STREAMS_PROJECT_DIR, 'target', 'sluice-bench-kafka-streams.jar');

/**
 * JVM flags of every Kafka Streams run, fixed so rounds compare.
 * - `-Xmx512m`: without a cap the JVM may grow its heap towards a quarter of RAM (~6 GB here) before
 *   collecting hard, and peak RSS would measure the collector's laziness, not the topology. The heap
 *   only holds the 10 MB record cache, fetch and producer buffers: the window store is RocksDB,
 *   off-heap. Measured on 200,000 events: peak RSS ~360 MB with 512m against ~520 MB with 1g, same speed.
 * - `-XX:+UseParallelGC`: the throughput collector. The drain is a throughput run on 2 shared cores,
 *   where G1's concurrent work competes with the one stream thread (G1 took ~15–20% more CPU-seconds
 *   in the same test); pause times do not matter for a drain.
 * - `-XX:+ExitOnOutOfMemoryError`: an OOM ends the round at once instead of leaving a half-dead client.
 *
 * @example
 * ```ts
 * kafkaStreamsCommand({ ...topics, jvmFlags: [...KAFKA_STREAMS_JVM_FLAGS, '-Xlog:gc'] });
 * ```
 */
export const KAFKA_STREAMS_JVM_FLAGS: readonly string[] = ['-Xmx512m', '-XX:+UseParallelGC', '-XX:+ExitOnOutOfMemoryError'];

/** What one Kafka Streams run reads, writes and calls itself. */
export interface KafkaStreamsRunOptions {
  readonly input: string;
  /** Compacted table topic of the aggregates; created (compacted, input's partition count) if missing. */
  readonly output: string;
  /** Dead-letter topic; created if missing. */
  readonly dlq: string;
  /** `application.id`, which is also the consumer group whose committed offsets show the drain. */
  readonly applicationId: string;
  /** Registry id of the output value schema. Without it the jar registers its built-in schema under `outputSubject`. */
  readonly outputSchemaId?: number;
  /** Subject for the built-in schema when no id is given (the jar defaults to `<output>-value`). */
  readonly outputSubject?: string;
  /** Defaults to the environment's KAFKA_BOOTSTRAP_SERVERS, then 127.0.0.1:9092 (inside the jar). */
  readonly bootstrap?: string;
  /** Confluent-compatible API root; defaults to SCHEMA_REGISTRY_URL, then the local Apicurio ccompat/v7. */
  readonly registryUrl?: string;
  /** Replaces {@link KAFKA_STREAMS_JVM_FLAGS}. */
  readonly jvmFlags?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * The command that runs the Kafka Streams contender: it prints `READY` once the client is RUNNING,
 * runs until SIGTERM, then closes (30 s timeout) and exits 0 (1: the client failed, 2: bad set-up,
 * 3: close timed out). Its state dir is a temp dir it deletes on exit.
 *
 * @example
 * ```ts
 * const p = ContenderProcess.start(kafkaStreamsCommand({
 *   input: 'bench.events', output: 'bench.r1.ks.table', dlq: 'bench.r1.ks.dlq',
 *   applicationId: 'bench-ks-r1', outputSchemaId: 12,
 * }), '/tmp/ks.log');
 * await p.waitForLine(/^READY$/);
 * ```
 */
export function kafkaStreamsCommand(options: KafkaStreamsRunOptions): ContenderCommand {
  const args = [
    ...(options.jvmFlags ?? KAFKA_STREAMS_JVM_FLAGS),
    '-jar',
    KAFKA_STREAMS_JAR,
    '--input',
    options.input,
    '--output',
    options.output,
    '--dlq',
    options.dlq,
    '--application-id',
    options.applicationId,
  ];
  if (options.outputSchemaId !== undefined) args.push('--output-schema-id', String(options.outputSchemaId));
  if (options.outputSubject !== undefined) args.push('--output-subject', options.outputSubject);
  if (options.bootstrap !== undefined) args.push('--bootstrap', options.bootstrap);
  if (options.registryUrl !== undefined) args.push('--registry', options.registryUrl);
  return { command: 'java', args, cwd: KAFKA_STREAMS_PROJECT_DIR, ...(options.env ? { env: options.env } : {}) };
}

async function newestSourceMtime(): Promise<number> {
  const files = [join(KAFKA_STREAMS_PROJECT_DIR, 'pom.xml')];
  for (const entry of await readdir(join(KAFKA_STREAMS_PROJECT_DIR, 'src'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) files.push(join(entry.parentPath, entry.name));
  }
  const times = await Promise.all(files.map(async (file) => (await stat(file)).mtimeMs));
  return Math.max(...times);
}

async function jarMtime(): Promise<number | undefined> {
  try {
    return (await stat(KAFKA_STREAMS_JAR)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Runs a tool to completion; resolves with its combined output, rejects naming the tool when it is missing or fails. */
function runTool(command: string, args: readonly string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(
              `the Kafka Streams contender needs \`${command}\` on PATH (Java 17+ and Maven 3.8+, e.g. ` +
                '`apt-get install openjdk-17-jdk-headless maven`); leave it out with --contenders',
            )
          : error,
      );
    });
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`\`${command} ${args.join(' ')}\` in ${cwd} exited with ${code}:\n${output.slice(-4000)}`));
    });
  });
}

/**
 * Makes sure the contender's jar exists and is newer than its sources (pom.xml, src/**); otherwise
 * builds it with `mvn -q -B package` (the first build downloads from Maven Central). Resolves with
 * the jar's path. Throws a clear error when `java` or `mvn` is missing or the build fails.
 *
 * @example
 * ```ts
 * const jar = await ensureKafkaStreamsBuilt((line) => process.stderr.write(`${line}\n`));
 * ```
 */
export async function ensureKafkaStreamsBuilt(log: (line: string) => void): Promise<string> {
  await runTool('java', ['-version'], KAFKA_STREAMS_PROJECT_DIR);
  const built = await jarMtime();
  if (built !== undefined && built >= (await newestSourceMtime())) {
    log(`kafka-streams: ${KAFKA_STREAMS_JAR} is up to date`);
    return KAFKA_STREAMS_JAR;
  }
  log(`kafka-streams: building ${KAFKA_STREAMS_PROJECT_DIR} with Maven (mvn -q -B package)…`);
  const started = performance.now();
  await runTool('mvn', ['-q', '-B', 'package'], KAFKA_STREAMS_PROJECT_DIR);
  if ((await jarMtime()) === undefined) throw new Error(`mvn package succeeded but ${KAFKA_STREAMS_JAR} is missing`);
  log(`kafka-streams: built in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return KAFKA_STREAMS_JAR;
}
