import { createInterface } from 'node:readline/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { kafkaPropertiesFromEnv, TopicAdmin, TopicRequestError, type TopicDetails } from '../../kafka/index.js';
import type { CliContext } from '../cli-context.js';
import { resolveEndpoints } from '../endpoints.js';
import { awaitKafka, COMMAND_KAFKA_DEADLINE_MS } from '../start-up-checks.js';
import { usageErrors } from '../usage-errors.js';

/** `EXIT` of main.ts (not imported: main imports this file). */
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

interface CreateOptions {
  partitions: number;
  replicationFactor?: number;
  compact?: boolean;
  config: Record<string, string>;
  ifNotExists?: boolean;
}

/**
 * `sluice topics create | list | describe | delete`: Kafka's `kafka-topics`
 * for a Sluice project, on the endpoints every command uses. Topics are
 * created as Sluice creates its own: min(3, live brokers) replicas unless
 * `--replication-factor`, `min.insync.replicas=2` from 3 replicas on.
 *
 * @example
 * ```sh
 * $ sluice topics create orders --partitions 3 --compact
 * created topic orders: 3 partitions, replication factor 1, cleanup.policy=compact
 * $ sluice topics describe orders
 * topic orders: 3 partitions, replication factor 1
 * configs: cleanup.policy=compact
 * partition  leader  replicas  isr  start  end
 * 0          1       1         1    0      0
 * …
 * ```
 */
export function topicsCommand(context: CliContext): Command {
  const topics = new Command('topics').description('create, list, describe and delete Kafka topics');
  topics
    .command('create')
    .description('create a topic')
    .argument('<topic>', 'the topic name (letters, digits, ".", "_", "-")')
    .option('--partitions <n>', 'partitions: how many tasks can share its work', wholeNumber('--partitions'), 1)
    .option('--replication-factor <n>', 'replicas per partition (default: min(3, live brokers), or SLUICE_TOPIC_REPLICATION_FACTOR)', wholeNumber('--replication-factor'))
    .option('--compact', 'cleanup.policy=compact: keep the latest record per key (tables, state)')
    .addOption(new Option('--config <key=value>', 'a topic config such as retention.ms=86400000 (repeatable)').argParser(configEntry).default({}, 'none'))
    .option('--if-not-exists', 'a topic that exists already is left as it is (exit 0) instead of an error')
    .addHelpText('after', '\nExamples:\n  $ sluice topics create orders --partitions 3\n  $ sluice topics create orders.state --partitions 3 --compact --config min.compaction.lag.ms=60000')
    .action(async (name: string, options: CreateOptions) => {
      const policy = options.config['cleanup.policy'];
      if (options.compact && policy !== undefined && policy !== 'compact') {
        context.info(`sluice: --compact and --config cleanup.policy=${policy} contradict each other; give one`);
        return context.setExitCode(EXIT_USAGE);
      }
      const config = { ...options.config, ...(options.compact ? { 'cleanup.policy': 'compact' } : {}) };
      await withAdmin(context, async (admin) => {
        const done = await admin.create(
          { name, partitions: options.partitions, config, ...(options.replicationFactor === undefined ? {} : { replicationFactor: options.replicationFactor }) },
          { ifNotExists: options.ifNotExists === true },
        );
        if (!done.created) {
          const differs = done.partitions !== options.partitions ? ` (not ${options.partitions} as asked)` : '';
          context.print(`topic ${name} exists already with ${done.partitions} partition${done.partitions === 1 ? '' : 's'}${differs}; left as it is`);
          return;
        }
        const configs = Object.entries(done.config).map(([k, v]) => `${k}=${v}`);
        context.print(
          `created topic ${name}: ${done.partitions} partition${done.partitions === 1 ? '' : 's'}, replication factor ${done.replicationFactor}` +
            (configs.length > 0 ? `, ${configs.join(', ')}` : ''),
        );
      });
    });
  topics
    .command('list')
    .description("list the topics, one per line (internal '__' topics only with --all)")
    .option('--all', 'include internal topics (__consumer_offsets, __transaction_state, …)')
    .action(async (options: { all?: boolean }) => {
      await withAdmin(context, async (admin) => {
        const names = await admin.list({ internal: options.all === true });
        if (names.length > 0) context.print(names.join('\n'));
      });
    });
  topics
    .command('describe')
    .description('partitions (leader, replicas, in-sync replicas, start and end offsets) and the configs the topic sets')
    .argument('<topic>', 'the topic')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (name: string, options: { format: 'text' | 'json' }) => {
      await withAdmin(context, async (admin) => {
        const details = await admin.describe(name);
        context.print(options.format === 'json' ? JSON.stringify(describeJson(details)) : describeText(details));
      });
    });
  topics
    .command('delete')
    .description('delete a topic and every record in it')
    .argument('<topic>', 'the topic')
    .option('--yes', 'do not ask for confirmation (needed where no one can answer: scripts, CI, pipes)')
    .action(async (name: string, options: { yes?: boolean }) => {
      await withAdmin(context, async (admin) => {
        if (!options.yes) {
          const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
          if (!interactive) {
            context.info(`sluice: not deleting topic ${name}: this shell is not interactive, so no one can confirm; pass --yes to delete it and every record in it`);
            return context.setExitCode(EXIT_USAGE);
          }
          const details = await admin.describe(name);
          const records = details.partitions.reduce((sum, p) => sum + (p.endOffset - p.startOffset), 0);
          if (!(await confirm(`delete topic ${name} (${details.partitions.length} partitions, ${records} offsets of records)? [y/N] `))) {
            context.info(`topic ${name} not deleted`);
            return context.setExitCode(EXIT_FAILURE);
          }
        }
        await admin.delete(name);
        context.print(`deleted topic ${name}`);
      });
    });
  return usageErrors(topics);
}

/**
 * Runs with an admin client. A request that cannot be done as asked prints its message, not a
 * stack trace: exit 1 for a topic that exists (create) or not (describe, delete), 2 for an invalid one.
 */
async function withAdmin(context: CliContext, run: (admin: TopicAdmin) => Promise<void>): Promise<void> {
  const endpoints = resolveEndpoints(context.projectDir);
  const properties = { ...kafkaPropertiesFromEnv(), 'bootstrap.servers': endpoints.kafkaBootstrapServers };
  // A bounded first probe: an unreachable broker is named with the fix within seconds, not a bare "Local: Timed out".
  await awaitKafka(endpoints.kafkaBootstrapServers, properties, COMMAND_KAFKA_DEADLINE_MS);
  const admin = new TopicAdmin(properties);
  try {
    await run(admin);
  } catch (error) {
    if (!(error instanceof TopicRequestError)) throw error;
    context.info(`sluice: ${error.message}`);
    context.setExitCode(error.kind === 'invalid' ? EXIT_USAGE : EXIT_FAILURE);
  } finally {
    admin.close();
  }
}

function describeText(details: TopicDetails): string {
  const factor = details.partitions[0]?.replicas.length ?? 0;
  const lines = [`topic ${details.name}: ${details.partitions.length} partition${details.partitions.length === 1 ? '' : 's'}, replication factor ${factor}`];
  if (details.configs === undefined) lines.push('configs: not readable over this connection (only PLAINTEXT listeners are supported)');
  else {
    const own = [...details.configs].filter(([, e]) => e.source === 'topic').map(([k, e]) => `${k}=${e.value}`);
    const policy = details.configs.get('cleanup.policy');
    if (policy !== undefined && policy.source !== 'topic') own.unshift(`cleanup.policy=${policy.value} (default)`);
    lines.push(`configs: ${own.length > 0 ? own.join(', ') : '(all defaults)'}`);
  }
  const rows = [['partition', 'leader', 'replicas', 'isr', 'start', 'end']];
  for (const p of details.partitions) {
    rows.push([String(p.partition), p.leader === null ? 'none' : String(p.leader), p.replicas.join(','), p.isr.join(','), String(p.startOffset), String(p.endOffset)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const row of rows) lines.push(row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]! + 2))).join(''));
  return lines.join('\n');
}

function describeJson(details: TopicDetails): object {
  const configs = details.configs === undefined ? null : Object.fromEntries([...details.configs].filter(([, e]) => e.source === 'topic').map(([k, e]) => [k, e.value]));
  return {
    topic: details.name,
    partitions: details.partitions,
    replicationFactor: details.partitions[0]?.replicas.length ?? 0,
    cleanupPolicy: details.configs?.get('cleanup.policy')?.value ?? null,
    configs,
  };
}

async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await prompt.question(question)).trim());
  } finally {
    prompt.close();
  }
}

function configEntry(raw: string, previous: Record<string, string>): Record<string, string> {
  const at = raw.indexOf('=');
  if (at <= 0) throw new InvalidArgumentError(`--config takes key=value (e.g. retention.ms=86400000), got '${raw}'`);
  return { ...previous, [raw.slice(0, at).trim()]: raw.slice(at + 1) };
}

function wholeNumber(flag: string): (raw: string) => number {
  return (raw) => {
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isSafeInteger(value) || value < 1) throw new InvalidArgumentError(`${flag} must be a whole number ≥ 1, got '${raw}'`);
    return value;
  };
}
