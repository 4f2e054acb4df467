import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../../src/kafka/index.js';
import { busEventSchema, busOracle, busWorkload, compareRouteTable, T0 } from '../../../support/bus-workload.js';
import { eventually, latestCodec, produceAvro, readTable, readTopic } from '../../../support/kafka-test-kit.js';
import type { SluiceProcess } from '../../../support/sluice-process.js';
import {
  committedOffsets, compareRouteMinute, endPositions, logText, rawIdentities, rawLogRows, readStatsTopic, routeLogRows, sinkLag, SinkProject, statsIdentities, type SinkDatabase,
} from './sink-project.js';

const PARTITIONS = 3;
const TABLE_SINKS = ['stats-pg', 'stats-log', 'stats-slow'] as const;
// The kill test takes 35-50 s; its waits share this deadline, and its test timeout is longer, so a hang reports the phase and log.
const KILL_TEST_BUDGET_MS = 300_000;

/** A fresh project for one test on `database`'s kind of database. */
export type ProjectFactory = (run: string) => SinkDatabase;

/** `eventually`, where a check that throws (a topic not created yet, a leader moving) counts as "not yet". */
function settles(check: () => Promise<string | undefined>, timeoutMs: number, intervalMs: number): Promise<string | undefined> {
  return eventually(() => check().catch((error: unknown) => `check failed: ${error instanceof Error ? error.message : String(error)}`), timeoutMs, intervalMs);
}

/**
 * The workload moved to the current minute. Its fixed base time is long past,
 * and the broker deletes records older than its retention (48 h) from every
 * non-compacted topic — repartition, raw copy, DLQ — at its next retention
 * check, which would make the tests lose data at random.
 */
export function recentWorkload(options: Parameters<typeof busWorkload>[0]): ReturnType<typeof busWorkload> {
  const shift = Math.floor((Date.now() - T0) / 60_000) * 60_000;
  return busWorkload(options).map((e) => ({ ...e, value: { ...e.value, timestamp: e.value.timestamp + shift } }));
}

/** Sorted list equality with a short message (vitest's diff of thousands of strings is unreadable). */
export function sameRows(actual: readonly string[], expected: readonly string[]): string | undefined {
  if (actual.length !== expected.length) return `${actual.length} rows, expected ${expected.length}`;
  const i = actual.findIndex((a, n) => a !== expected[n]);
  return i < 0 ? undefined : `row ${i}: ${actual[i]} ≠ ${expected[i]}`;
}

/**
 * Waits until the topologies have processed `input` (the table topic equals
 * the oracle) and every sink has stored, then committed to Kafka, the end of
 * its topic; then stops `sluice run` with SIGTERM and expects a clean exit.
 */
export async function drainAndStop(
  project: SinkProject, child: SluiceProcess, input: ReturnType<typeof busWorkload>, phase: (name: string) => void = () => {},
): Promise<void> {
  const { stack } = project;
  const oracle = busOracle(input);
  try {
    phase('drain: table topic vs oracle');
    const table = await settles(
      async () => compareRouteTable(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, project.tableTopic, PARTITIONS), oracle),
      150_000, 2_000,
    );
    expect(table, `table topic vs oracle; sluice log:\n${child.tail()}`).toBeUndefined();
    const ends = endPositions(await readStatsTopic(stack, project.tableTopic, PARTITIONS));
    const rawEnds = endPositions((await readTopic(stack.kafkaBootstrapServers, project.rawTopic, PARTITIONS)).map((m) => ({ partition: m.partition, offset: BigInt(m.offset) })));
    phase('drain: sink lag');
    const lag = await settles(async () => {
      for (const sink of TABLE_SINKS) {
        const behind = await sinkLag(stack, `${project.name}.${sink}`, project.tableTopic, PARTITIONS, ends);
        if (behind) return behind;
      }
      return sinkLag(stack, `${project.name}-raw.raw-pg`, project.rawTopic, PARTITIONS, rawEnds);
    }, 120_000, 1_000);
    expect(lag, `sink lag; sluice log:\n${child.tail()}`).toBeUndefined();
  } finally {
    phase('stop: SIGTERM, waiting for exit');
    child.kill('SIGTERM');
  }
  const exit = await child.exited;
  expect(exit, `sluice run exit; log:\n${child.tail()}`).toEqual({ code: 0, signal: null });
}

/**
 * Runs `body` under one deadline shared by all its waits. Past `budgetMs` it
 * fails naming the phase still running and the tail of the sluice log, and
 * kills the child: vitest's own timeout would print neither (the waits inside
 * add up to more than any test timeout).
 */
export async function withinBudget(
  budgetMs: number, current: () => SluiceProcess, body: (phase: (name: string) => void) => Promise<void>,
): Promise<void> {
  const started = Date.now();
  let phase = 'start';
  const history: string[] = [];
  const mark = (name: string): void => {
    phase = name;
    history.push(`${Math.round((Date.now() - started) / 1000)}s ${name}`);
  };
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const child = current();
      const tail = child.tail(40);
      child.kill('SIGKILL');
      reject(new Error(`still in phase "${phase}" after ${budgetMs} ms (phases: ${history.join(', ')}); sluice log tail:\n${tail}`));
    }, budgetMs);
  });
  try {
    await Promise.race([body(mark), watchdog]);
  } catch (error) {
    // A failed expect would leave `sluice run` running past the test (and loading the machine).
    current().kill('SIGKILL');
    // A wait that gave up on its own (waitForLog, an expect) gets the phase too.
    if (error instanceof Error && !error.message.startsWith('still in phase')) error.message = `in phase "${phase}" (phases: ${history.join(', ')}): ${error.message}`;
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** Checks every sink table against the oracle and the topics. */
export async function expectSinkTables(project: SinkProject, input: ReturnType<typeof busWorkload>): Promise<void> {
  const { stack } = project;
  const stats = await readStatsTopic(stack, project.tableTopic, PARTITIONS);
  const oracle = busOracle(input);
  await project.withDb(async (db) => {
    expect(await compareRouteMinute(db, input)).toBeUndefined();
    // Append: one row per table-topic record — a replayed batch would show as a duplicate, a lost one as a gap.
    expect(sameRows(await routeLogRows(db), statsIdentities(stats))).toBeUndefined();
    expect(sameRows(await rawLogRows(db), rawIdentities(input))).toBeUndefined();

    // route_slow refuses avg_speed >= 60: those rows go to the sink's DLQ, the rest of each batch lands.
    const { rows } = await sql<{ id: string; avg_speed: number }>`
      select route_id || '@' || (extract(epoch from window_start) * 1000)::bigint as id, avg_speed from route_slow`.execute(db);
    const slow = new Map(rows.map((r) => [r.id, r.avg_speed]));
    const finalFast = [...oracle].filter(([, v]) => v.avg_speed >= 60).map(([id]) => id);
    const finalSlow = [...oracle].filter(([, v]) => v.avg_speed < 60);
    expect(finalFast.length).toBeGreaterThan(0);
    expect(finalSlow.length).toBeGreaterThan(0);
    for (const [id, v] of finalSlow) expect(slow.get(id), id).toBeCloseTo(v.avg_speed, 9);
    for (const avg of slow.values()) expect(avg).toBeLessThan(60);
    const dlq = await readTopic(stack.kafkaBootstrapServers, `${project.name}.stats-slow.dlq`, 1);
    expect(dlq.length).toBeGreaterThanOrEqual(finalFast.length);
    const codec = await latestCodec<{ route_id: string; window_start: number; avg_speed: number }>(stack.schemaRegistryUrl, `${project.tableTopic}-value`);
    await codec.prepare(dlq.map((m) => m.value));
    const rejectedKeys = new Set<string>();
    for (const m of dlq) {
      const headers = Object.fromEntries((m.headers ?? []).flatMap((h) => Object.entries(h)).map(([k, v]) => [k, v.toString()]));
      expect(headers).toMatchObject({ 'sluice.error.reason': 'rejected', 'sluice.error.code': '23514', 'sluice.error.step': 'stats-slow', 'sluice.source.topic': project.tableTopic });
      expect(headers['sluice.error.message']).toMatch(/check constraint/);
      const value = codec.decode(m.value);
      if (!value.ok) throw new Error(value.message);
      expect(value.value.avg_speed).toBeGreaterThanOrEqual(60);
      rejectedKeys.add(`${value.value.route_id}@${value.value.window_start}`);
    }
    for (const id of finalFast) expect(rejectedKeys.has(id), `${id} in the DLQ`).toBe(true);
    // No other sink refused anything.
    for (const sink of ['stats-pg', 'stats-log']) expect(await readTopic(stack.kafkaBootstrapServers, `${project.name}.${sink}.dlq`, 1)).toHaveLength(0);
  });
}

/**
 * The `sluice run` sink tests that need no database restart, for one kind of
 * database: the oracle, three `kill -9`s, and start-up refusals.
 */
export function describeSinkRunSuite(label: string, databaseFor: ProjectFactory): void {
  const stack = inject('stack');
  const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  const projects: SinkProject[] = [];
  const newProject = async (tag: string, options: { topologyExtra?: string } = {}): Promise<SinkProject> => {
    const run = `${tag}-${randomUUID().slice(0, 8)}`;
    const project = new SinkProject(run, stack, databaseFor(run), options);
    projects.push(project);
    await project.prepare();
    await admin.ensureTopics([{ name: project.source, partitions: PARTITIONS }]);
    return project;
  };
  afterAll(async () => {
    for (const p of projects) {
      await p.dropSchema();
      p.remove();
    }
    admin.close();
  });

  describe(`sluice run with sinks on ${label}`, () => {
    it('a windowed topology\'s table topic sunk to the database equals the oracle, row for row (append and stream sinks too, refused rows in the DLQ)', async () => {
      const project = await newProject('oracle');
      const input = recentWorkload({ count: 3_000, routes: 8, seed: 11, invalidEvery: 40 });
      await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, project.source, busEventSchema, input);
      const child = project.start();
      await child.waitForLog('database: ', 60_000);
      const said = child.lines.find((l) => String(l.msg).startsWith('database: '));
      expect(String(said?.msg)).toMatch(label.includes('PGlite') ? /^database: embedded PostgreSQL \(PGlite\) at .*\.sluice\/pglite/ : /^database: PostgreSQL at postgres:\/\//);
      await drainAndStop(project, child, input);
      await expectSinkTables(project, input);
    });

    it('kill -9 of the sink process three times mid-stream: still equal to the oracle, no duplicate rows in the append sinks', async () => {
      const project = await newProject('kill');
      const input = recentWorkload({ count: 4_200, routes: 8, seed: 23, invalidEvery: 40 });
      const chunks = 6;
      const size = Math.ceil(input.length / chunks);
      let child = project.start();
      const children = [child];
      let kills = 0;
      let stored = 0n;
      await withinBudget(KILL_TEST_BUDGET_MS, () => child, async (phase) => {
        try {
          phase('first start');
          await child.waitForLog('sink raw-pg: partitions assigned', 90_000);
          for (let i = 0; i < chunks; i++) {
            phase(`produce chunk ${i}`);
            await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, project.source, busEventSchema, input.slice(i * size, (i + 1) * size));
            if (i >= 1 && i <= 3) {
              // The resumed-positions check below needs this process to have stored something first: under
              // CPU load a start takes 30-50 s and a fixed sleep killed every process before its first store.
              phase(`stats-pg stores past ${stored} (before kill ${kills + 1})`);
              const progress = await settles(async () => {
                const total = [...(await committedOffsets(stack, `${project.name}.stats-pg`, project.tableTopic, PARTITIONS)).values()].reduce((a, b) => a + b, 0n);
                if (total <= stored) return `stats-pg committed ${total}, not past ${stored}`;
                stored = total;
                return undefined;
              }, 90_000, 500);
              expect(progress, child.tail()).toBeUndefined();
              // Let the process get further into the chunk (decoding, aggregating, sinking), then kill it without warning.
              await sleep(1_500 + 500 * i);
              phase(`kill ${kills + 1}`);
              child.kill('SIGKILL');
              expect((await child.exited).signal).toBe('SIGKILL');
              kills++;
              phase(`restart ${kills}`);
              child = project.start();
              children.push(child);
              await child.waitForLog('sink raw-pg: partitions assigned', 90_000);
            }
          }
        } catch (error) {
          child.kill('SIGKILL');
          throw error;
        }
        expect(kills).toBe(3);
        // The restarted sinks resumed from positions stored before the kills, not from the beginning.
        const resumed = children.slice(1).flatMap((c) => c.lines).filter((l) => /^sink stats-(pg|log): partitions assigned/.test(String(l.msg)));
        expect(resumed.some((l) => (l.positions as string[]).some((p) => !p.endsWith('@beginning'))), JSON.stringify(resumed)).toBe(true);
        await drainAndStop(project, child, input, phase);
        phase('check the tables');
        await expectSinkTables(project, input);
      });
    }, KILL_TEST_BUDGET_MS + 30_000);

    it('refuses an injection attempt in a column name at start-up, leaving the rows already in the database untouched', async () => {
      const evil = 'id"; DROP TABLE victim; --';
      for (const [how, sink] of [
        // Through postgres(): refused when the topology loads.
        ['postgres()', `postgres({ table: 'victim', key: ['id'], columns: { id: 'route_id', ${JSON.stringify(evil)}: 'bus_id' } })`],
        // A hand-made spec that bypasses postgres(): refused by the sink's table check, before any statement uses it.
        ['hand-made spec', `({ kind: 'postgres', table: 'victim', key: [${JSON.stringify(evil)}], mode: 'upsert', columns: undefined })`],
      ] as const) {
        const project = await newProject('inject', { topologyExtra: `\n  .sink('victim-pg', ${sink})` });
        // The victim table and its rows come from a migration, as in a real project.
        project.addFile('sql/003_victim.sql', `create table victim (id text primary key, note text); insert into victim values ('a', 'kept'), ('b', 'kept');`);
        const child = project.start([], [project.name]);
        const exit = await child.exited;
        expect(exit.code, `${how}; log:\n${child.tail()}`).toBe(1);
        expect(logText(child), how).toContain(`invalid ${how === 'postgres()' ? 'column' : 'key column'} ${JSON.stringify(evil)}`);
        if (how === 'hand-made spec') {
          // The database was opened and migrated: the victim exists and is intact.
          const rows = await project.withDb(async (db) => (await sql<{ id: string; note: string }>`select id, note from victim order by id`.execute(db)).rows);
          expect(rows).toEqual([{ id: 'a', note: 'kept' }, { id: 'b', note: 'kept' }]);
        }
      }
    });

    it('stops at start-up, naming the mismatch, when a sink\'s table lacks a column', async () => {
      const project = await newProject('mismatch', { topologyExtra: `\n  .sink('narrow-pg', postgres({ table: 'narrow' }))` });
      project.addFile('sql/003_narrow.sql', `create table narrow (route_id text, window_start timestamptz, window_end timestamptz, events bigint, primary key (route_id, window_start));`);
      const child = project.start([], [project.name]);
      const exit = await child.exited;
      expect(exit.code, child.tail()).toBe(1);
      expect(logText(child)).toMatch(/sink narrow-pg: table \S*narrow has no column (avg_speed|max_speed|passengers)/);
    });
  });
}
