import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, PartitionReader, type TopicPartition } from '../../../src/kafka/index.js';
import { awaitQuiescence } from '../../support/await-quiescence.js';
import { seededRandom, T0 } from '../../support/bus-workload.js';
import { stackEnv } from '../../support/bus-topology-file.js';
import { latestCodec, readTable, readTopic, type KafkaMessage } from '../../support/kafka-test-kit.js';
import { compareWindowTable, mergeOracle, mergeTopologyFile, mergeWorkload, produceInterleaved, zoneOf, type Generated } from '../../support/merge-workload.js';
import { fixtureProject, SluiceProcess } from '../../support/sluice-process.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
// A failing run prints its seed; SLUICE_CRASH_SEED=<seed> replays its workload and kill moments.
const seed = Number(process.env.SLUICE_CRASH_SEED ?? Math.floor(Math.random() * 1_000_000));
const BACKLOG = 20_000; // per topic, written before the first `sluice run`
const LIVE = 10_000; // per topic, written while the processes are killed
const KILLS = 2 + (seed % 2);

afterAll(() => admin.close());

/** The value of a Prometheus counter summed over the series whose labels include `labels`. */
async function scrape(port: number, metric: string, labels: Readonly<Record<string, string>>): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text(), () => '');
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    total += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return total;
}

async function metricsPort(process: SluiceProcess): Promise<number> {
  await process.waitForLog('metrics on http://', 60_000);
  return Number(process.lines.find((l) => String(l.msg).startsWith('metrics on http://'))!.port);
}

const headersOf = (m: KafkaMessage): Record<string, string> =>
  Object.fromEntries((m.headers ?? []).flatMap((h) => Object.entries(h)).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));

/**
 * What the DLQ holds against what it must hold (each invalid record once, with reason `invalid`):
 * counts by reason and source topic, and the records missing or extra, as text; undefined when exact.
 */
async function dlqProblem(dlq: string, expected: ReadonlyMap<string, readonly Generated<unknown>[]>): Promise<{ problem: string | undefined; reasons: Record<string, number> }> {
  const partitions = (await admin.partitionCounts([dlq])).get(dlq) ?? 1;
  const messages = await readTopic(stack.kafkaBootstrapServers, dlq, partitions);
  const reasons: Record<string, number> = {};
  const got = new Map<string, number>();
  const positions = new Set<string>();
  const codecs = new Map<string, Awaited<ReturnType<typeof latestCodec>>>();
  for (const topic of expected.keys()) codecs.set(topic, await latestCodec(stack.schemaRegistryUrl, `${topic}-value`));
  for (const codec of codecs.values()) await codec.prepare(messages.map((m) => m.value).filter((v): v is Buffer => v !== null));
  const problems: string[] = [];
  const spans: Record<string, { n: number; from: number; to: number }> = {};
  for (const m of messages) {
    const h = headersOf(m);
    const topic = h['sluice.source.topic'] ?? '?';
    const label = `${h['sluice.error.reason']}/${topic}`;
    reasons[label] = (reasons[label] ?? 0) + 1;
    const position = `${topic}[${h['sluice.source.partition']}]@${h['sluice.source.offset']}`;
    if (positions.has(position)) problems.push(`${position} dead-lettered twice`);
    positions.add(position);
    // A record dead-lettered after the repartition holds the merged shape (the first source's schema), not its source's.
    const decoded = m.value === null ? undefined : [codecs.get(topic), ...codecs.values()].map((c) => c?.decode(m.value!)).find((d) => d?.ok);
    if (h['sluice.error.reason'] !== 'invalid' && decoded?.ok) {
      // Where the unexpected dead letters come from, for the report: partition and event-time span (s after T0).
      const value = decoded.value as { at?: number; ts?: number };
      const seconds = ((value.at ?? value.ts ?? Number.NaN) - T0) / 1000;
      const where = `${h['sluice.error.reason']}/${topic}[${h['sluice.source.partition']}]`;
      const span = (spans[where] ??= { n: 0, from: seconds, to: seconds });
      span.n += 1;
      span.from = Math.min(span.from, seconds);
      span.to = Math.max(span.to, seconds);
    }
    const id = `${h['sluice.error.reason']}|${topic}|${decoded?.ok === true ? JSON.stringify(decoded.value) : 'undecodable'}`;
    got.set(id, (got.get(id) ?? 0) + 1);
  }
  for (const [topic, records] of expected) {
    for (const r of records) {
      const id = `invalid|${topic}|${JSON.stringify(r.value)}`;
      const n = got.get(id) ?? 0;
      if (n === 0) problems.push(`missing ${id}`);
      else if (n === 1) got.delete(id);
      else got.set(id, n - 1);
    }
  }
  for (const [id, n] of got) problems.push(`extra ×${n} ${id}`);
  const where = Object.entries(spans).map(([k, v]) => `${k}: ${v.n} with event times ${v.from}–${v.to} s after T0`);
  return { problem: problems.length === 0 ? undefined : `${problems.length} problems (${where.join(', ') || 'none unexpected'}): ${problems.slice(0, 6).join('; ')}`, reasons };
}

/**
 * Open bug (issue 19, item 1), so this case runs only with SLUICE_MERGE_KILL=1: on a loaded machine some
 * records of one merged topic come out `late` after a restart even with ±5 s disorder in a 30 s grace —
 * 339 of probes[0] (event times 1323–1370 s) with seed 205308 under three busy loops; at ±8 s, in 4 of 5
 * runs. A merged task's watermark spans its inputs and event-time alignment only paces them (an input
 * quiet for 5 s stops holding the others), so lateness still depends on read order. One cause is fixed
 * (50390da: a partition counted quiet while the other tasks restored); stamping the watermark per input
 * partition would make it order-independent, as after a repartition. Seed 297817 still showed late
 * `sensors` records after that fix. Replay:
 * SLUICE_MERGE_KILL=1 SLUICE_CRASH_SEED=205308 npx vitest run test/integration/crash/merge-kill.test.ts
 */
const backlogCase = process.env.SLUICE_MERGE_KILL === '1' ? it : it.skip;

describe('.merge() of two topics under kill -9 on the real stack (issue 19, item 1)', () => {
  backlogCase(`a backlog of two merged topics, then more live, with ${KILLS} kill -9 (seed ${seed}): both tables equal the oracle, the DLQ holds each invalid record once, nothing late`, { timeout: 300_000 }, async () => {
    console.info(`merge-kill seed ${seed} (SLUICE_CRASH_SEED=${seed} replays it)`);
    const random = seededRandom(seed + 7);
    const sensors = `mk.${run}.sensors`;
    const probes = `mk.${run}.probes`;
    const topologies = {
      segment: { name: `mk-seg-${run}`, dlq: `mk.${run}.seg.dlq`, table: `mk.${run}.per-segment`, column: 'segment', group: (s: string) => s },
      zone: { name: `mk-zone-${run}`, dlq: `mk.${run}.zone.dlq`, table: `mk.${run}.per-zone`, column: 'zone', group: zoneOf },
    };
    const project = fixtureProject(`merge-kill-${run}`, {
      [`topologies/${topologies.segment.name}.ts`]: mergeTopologyFile({ ...topologies.segment, sensors, probes, grouping: 'by-key' }),
      [`topologies/${topologies.zone.name}.ts`]: mergeTopologyFile({ ...topologies.zone, sensors, probes, grouping: 'by-zone' }),
    });
    const env = { ...stackEnv(stack), SLUICE_METRICS_PORT: '0' };
    const workload = mergeWorkload(BACKLOG + LIVE, seed);
    const started = Date.now();
    const at = (what: string): void => console.info(`[seed ${seed}] ${what} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const produce = { bootstrapServers: stack.kafkaBootstrapServers, registryUrl: stack.schemaRegistryUrl, sensorsTopic: sensors, probesTopic: probes, workload, chunk: 100 };
    let producing: Promise<void> | undefined;
    let last: SluiceProcess | undefined;
    const reader = await PartitionReader.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      await admin.ensureTopics([sensors, probes].map((name) => ({ name, partitions: 3 })));
      await produceInterleaved({ ...produce, from: 0, to: BACKLOG });
      at(`backlog of ${BACKLOG} records per topic written`);

      // kill -9 at seeded moments after each process's first committed table update: the first while it
      // works through the backlog, the later ones while the live records arrive.
      for (let crash = 1; crash <= KILLS; crash++) {
        const process = (last = new SluiceProcess(['run', '--all'], { cwd: project.dir, env }));
        const port = await metricsPort(process);
        producing ??= produceInterleaved({ ...produce, from: BACKLOG, to: BACKLOG + LIVE, chunk: 40, pauseMs: 100 }).then(() => at('live records all written'));
        const tableUpdates = async (): Promise<number> =>
          (await scrape(port, 'sluice_records_out_total', { topic: topologies.segment.table })) + (await scrape(port, 'sluice_records_out_total', { topic: topologies.zone.table }));
        const deadline = Date.now() + 90_000;
        while ((await tableUpdates()) === 0 && Date.now() < deadline) await sleep(100);
        expect(await tableUpdates(), `no table update within 90 s\n${process.tail()}`).toBeGreaterThan(0);
        await sleep(200 + Math.floor(random() * 2_300));
        const updates = await tableUpdates();
        const late = { segment: await scrape(port, 'sluice_late_records_total', { topology: topologies.segment.name }), zone: await scrape(port, 'sluice_late_records_total', { topology: topologies.zone.name }) };
        process.kill('SIGKILL');
        expect((await process.exited).signal).toBe('SIGKILL');
        at(`kill -9 #${crash} (${updates} table updates; late so far in this process: ${JSON.stringify(late)})`);
        await sleep(500 + Math.floor(random() * 1_500));
      }

      await producing;
      const survivor = (last = new SluiceProcess(['run', '--all'], { cwd: project.dir, env }));
      at('survivor started');
      const sourcePartitions: TopicPartition[] = [sensors, probes].flatMap((topic) => [0, 1, 2].map((partition) => ({ topic, partition })));
      const alive = (): void => {
        if (survivor.child.exitCode !== null || survivor.child.signalCode !== null) throw new Error(`sluice run exited\n${survivor.tail()}`);
      };
      const repartition = `${topologies.zone.name}.by-zone-repartition`;
      // Budgets within the case's 300 s, so a hang fails here with the survivor's log tail rather than at the timeout.
      const left = (budget: number): number => Math.max(30_000, budget - (Date.now() - started));
      await awaitQuiescence({ admin, reader, groupId: topologies.segment.name, inputs: sourcePartitions, alive, lastRecords: new Map() }, left(200_000));
      await awaitQuiescence(
        { admin, reader, groupId: topologies.zone.name, inputs: [...sourcePartitions, ...[0, 1, 2].map((partition) => ({ topic: repartition, partition }))], alive, lastRecords: new Map() },
        left(230_000),
      );
      at('both groups caught up with their input');

      const invalid = new Map<string, readonly Generated<unknown>[]>([
        [sensors, workload.sensors.filter((r) => r.invalid)],
        [probes, workload.probes.filter((r) => r.invalid)],
      ]);
      const verdicts: string[] = [];
      for (const t of Object.values(topologies)) {
        const partitions = (await admin.partitionCounts([t.table])).get(t.table) ?? 3;
        const table = await readTable<Record<string, unknown>, Record<string, unknown>>(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, t.table, partitions);
        const tableProblem = compareWindowTable(table, mergeOracle(workload, t.group), t.column);
        const dlq = await dlqProblem(t.dlq, invalid);
        at(`${t.name}: ${table.size} rows, dead letters ${JSON.stringify(dlq.reasons)}`);
        if (tableProblem !== undefined) verdicts.push(`${t.name} table: ${tableProblem}`);
        if (dlq.problem !== undefined) verdicts.push(`${t.name} DLQ ${JSON.stringify(dlq.reasons)}: ${dlq.problem}`);
      }
      survivor.kill('SIGTERM');
      const exit = await survivor.exited;
      for (const line of survivor.lines) if (String(line.msg).includes('left group')) at(`survivor: ${JSON.stringify(line)}`);
      expect(verdicts, `seed ${seed}\n${survivor.tail()}`).toEqual([]);
      expect(exit.code).toBe(0);
    } finally {
      if (last !== undefined && last.child.exitCode === null && last.child.signalCode === null) {
        last.kill('SIGKILL');
        await last.exited;
      }
      await producing?.catch(() => {});
      await reader.close();
      project.remove();
      const names = Object.values(topologies).flatMap((t) => [t.dlq, t.table]);
      await admin.deleteTopics([sensors, probes, ...names, `${topologies.zone.name}.by-zone-repartition`]).catch(() => {});
      await admin.deleteGroups(Object.values(topologies).map((t) => t.name)).catch(() => {});
    }
  });

  it('merged topics with different partition counts are refused at start-up, naming both topics and their counts', { timeout: 90_000 }, async () => {
    const name = `mk-refuse-${run}`;
    const sensors = `mk.${run}.refuse.sensors`;
    const probes = `mk.${run}.refuse.probes`;
    const project = fixtureProject(name, {
      [`topologies/${name}.ts`]: mergeTopologyFile({ name, sensors, probes, dlq: `mk.${run}.refuse.dlq`, table: `mk.${run}.refuse.table`, grouping: 'by-key' }),
    });
    let child: SluiceProcess | undefined;
    try {
      await admin.ensureTopics([
        { name: sensors, partitions: 3 },
        { name: probes, partitions: 2 },
      ]);
      const process = (child = new SluiceProcess(['run', name], { cwd: project.dir, env: { ...stackEnv(stack), SLUICE_METRICS_PORT: '0' } }));
      const exit = await Promise.race([process.exited, sleep(60_000).then(() => 'hung' as const)]);
      const text = process.lines.map((l) => String(l.msg ?? '')).join('\n');
      expect(exit, process.tail()).toEqual({ code: 1, signal: null });
      expect(text).toContain(`${sensors} (3 partitions)`);
      expect(text).toContain(`${probes} (2 partitions)`);
      expect(text).toContain('must have as many partitions each');
      const created = await admin.partitionCounts([`mk.${run}.refuse.table`]);
      expect(created.has(`mk.${run}.refuse.table`), 'the table topic was created before the refusal').toBe(false);
    } finally {
      if (child !== undefined && child.child.exitCode === null && child.child.signalCode === null) {
        child.kill('SIGKILL');
        await child.exited;
      }
      project.remove();
      await admin.deleteTopics([sensors, probes, `mk.${run}.refuse.dlq`, `mk.${run}.refuse.table`]).catch(() => {});
    }
  });
});
