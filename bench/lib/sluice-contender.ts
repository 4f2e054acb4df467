import { join } from 'node:path';
import { KafkaAdmin } from '../../src/kafka/index.js';
import { sluiceCommand } from '../contenders/sluice.js';
import { ContenderProcess } from './contender-process.js';
import type { Contender, RoundContext, RoundOutcome } from './contender.js';
import { waitUntilDrained } from './drain.js';
import { compareRows, expectedRows } from './oracle.js';
import { readTableTopic } from './read-table.js';

/**
 * Runs a contender that processes forever (Sluice, Kafka Streams): spawn,
 * wait until its group's committed offsets reach the end, sample, stop, then
 * check its table topic against the oracle and delete its topics.
 *
 * @example
 * ```ts
 * const outcome = await runForeverContender(ctx, 'sluice', (names) => sluiceCommand({...}));
 * ```
 */
export async function runForeverContender(
  context: RoundContext,
  name: string,
  start: (names: { readonly table: string; readonly dlq: string; readonly group: string }) => Promise<ContenderProcess>,
  internalTopicPrefix?: (group: string) => string,
): Promise<RoundOutcome> {
  const { endpoints, workload } = context;
  const group = `bench-${context.runId}-${name}-r${context.round}`;
  const names = { table: `${group}.table`, dlq: `${group}.dlq`, group };
  const process = await start(names);
  const outcome = { seconds: 0, cpuSeconds: 0, peakRssBytes: 0 };
  try {
    await waitUntilDrained({
      bootstrap: endpoints.bootstrap,
      group,
      topic: workload.topic,
      partitions: workload.shape.partitions,
      isAlive: () => process.child.exitCode === null,
      progress: (done, end) => context.log(`    ${name}: ${done.toLocaleString('en-US')} / ${end.toLocaleString('en-US')}`),
    });
    outcome.seconds = process.elapsedSeconds();
    const use = process.sample();
    outcome.cpuSeconds = use.cpuSeconds;
    outcome.peakRssBytes = use.peakRssBytes;
  } finally {
    const code = await process.stop();
    if (code !== 0 && code !== null) context.log(`    ${name} exited with code ${code} (log: ${join(context.logDir, `${group}.log`)})`);
  }
  const expected = expectedRows(workload);
  const actual = await readTableTopic({ bootstrap: endpoints.bootstrap, registryUrl: endpoints.registryUrl, topic: names.table });
  const verdict = compareRows(expected.rows, actual.rows);
  await deleteRoundTopics(endpoints.bootstrap, [names.table, names.dlq], internalTopicPrefix?.(group));
  return { contender: name, round: context.round, events: workload.shape.events, ...outcome, verdict, note: `${actual.records.toLocaleString('en-US')} table records` };
}

async function deleteRoundTopics(bootstrap: string, topics: readonly string[], prefix: string | undefined): Promise<void> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': bootstrap });
  try {
    await admin.deleteTopics(topics);
    if (prefix) {
      const all = await admin.listTopics();
      await admin.deleteTopics(all.filter((t) => t.startsWith(prefix)));
    }
  } catch {
    // Best effort: a leftover topic costs disk, not correctness (names are unique per round).
  } finally {
    admin.close();
  }
}

/**
 * The real `sluice run bench-windowed` (bench/topologies/bench-windowed.ts).
 *
 * @example
 * ```ts
 * const outcome = await sluiceContender().runRound(ctx);
 * ```
 */
export function sluiceContender(): Contender {
  return {
    name: 'sluice',
    prepare: async () => {},
    runRound: (context) =>
      runForeverContender(context, 'sluice', async (names) =>
        ContenderProcess.start(
          sluiceCommand({ topology: 'bench-windowed', input: context.workload.topic, table: names.table, dlq: names.dlq, group: names.group, only: 'processing' }),
          join(context.logDir, `${names.group}.log`),
        ),
      ),
  };
}
