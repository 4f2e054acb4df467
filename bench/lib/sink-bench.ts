import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sluiceCommand } from '../contenders/sluice.js';
import { ContenderProcess, type ContenderCommand } from './contender-process.js';
import type { BenchEndpoints } from './contender.js';
import { waitUntilDrained } from './drain.js';
import { compareRows, expectedRows, rowId, type AggregateRow } from './oracle.js';
import type { Workload } from './workload.js';

/** One sink's figures. */
export interface SinkFigures {
  readonly name: string;
  /** Table-topic records the sink went through. */
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSecond: number;
  readonly cpuSeconds: number;
  readonly valid: boolean;
  readonly detail: string;
}

/** The sink benchmark: Sluice's PostgreSQL sink against a plain `pg` loop. */
export interface SinkBenchResult {
  readonly tableRecords: number;
  readonly contenders: readonly SinkFigures[];
}

const tableSql = (table: string): string => `create table ${table} (
  key text not null, window_start timestamptz not null, window_end timestamptz not null,
  count bigint not null, sum double precision not null, avg double precision not null, max double precision not null,
  primary key (key, window_start))`;

async function readPgRows(pool: pg.Pool, table: string): Promise<Map<string, AggregateRow>> {
  const result = await pool.query<{ key: string; ws: string; count: string; sum: number; avg: number; max: number }>(
    `select key, (extract(epoch from window_start) * 1000)::bigint as ws, count, sum, avg, max from ${table}`,
  );
  const rows = new Map<string, AggregateRow>();
  for (const r of result.rows) rows.set(rowId(r.key, Number(r.ws)), { key: r.key, windowStart: Number(r.ws), count: Number(r.count), sum: r.sum, avg: r.avg, max: r.max });
  return rows;
}

/**
 * Fills a table topic once with Sluice (not measured), then times each sink
 * from spawn until PostgreSQL holds every row's final value (the sum of
 * `count` equals the valid events: counts only grow, so that sum is reached
 * exactly when every row is final), and checks the table against the oracle.
 *
 * @example
 * ```ts
 * const result = await runSinkBench({ runId, workload, endpoints, logDir, log });
 * ```
 */
export async function runSinkBench(options: {
  readonly runId: string;
  readonly workload: Workload;
  readonly endpoints: BenchEndpoints;
  readonly logDir: string;
  readonly log: (line: string) => void;
}): Promise<SinkBenchResult> {
  const { workload, endpoints, log } = options;
  const group = `bench-${options.runId}-sinkbench`;
  const topic = `${group}.table`;
  log('sink bench: filling the table topic with Sluice (not measured)');
  const filler = ContenderProcess.start(
    sluiceCommand({ topology: 'bench-windowed', input: workload.topic, table: topic, dlq: `${group}.dlq`, group, only: 'processing' }),
    join(options.logDir, `${group}-fill.log`),
  );
  try {
    await waitUntilDrained({ bootstrap: endpoints.bootstrap, group, topic: workload.topic, partitions: workload.shape.partitions, isAlive: () => filler.child.exitCode === null });
  } finally {
    await filler.stop();
  }
  const expected = expectedRows(workload);
  const pool = new pg.Pool({ connectionString: endpoints.databaseUrl, max: 2 });
  const contenders: SinkFigures[] = [];
  let tableRecords = 0;
  try {
    const peers: { name: string; command: (table: string) => ContenderCommand }[] = [
      {
        name: 'sluice (exactly-once)',
        command: (table) => sluiceCommand({ topology: 'bench-windowed', input: workload.topic, table: topic, dlq: `${group}.dlq`, group: `${group}-${table}`, only: 'sinks', env: { BENCH_SINK_TABLE: table } }),
      },
      {
        name: 'plain pg upsert loop',
        command: (table) => ({ command: process.execPath, args: ['--import', 'tsx', fileURLToPath(new URL('../contenders/plain-pg-sink-main.ts', import.meta.url)), topic, table] }),
      },
    ];
    for (const [index, peer] of peers.entries()) {
      const table = `bench_sink_${options.runId.replace(/-/g, '_')}_${index}`;
      await pool.query(`drop table if exists ${table}`);
      await pool.query(tableSql(table));
      log(`sink bench: ${peer.name}`);
      const process = ContenderProcess.start(
        { ...peer.command(table), env: { KAFKA_BOOTSTRAP_SERVERS: endpoints.bootstrap, SCHEMA_REGISTRY_URL: endpoints.registryUrl, DATABASE_URL: endpoints.databaseUrl, ...peer.command(table).env } },
        join(options.logDir, `${group}-${index}.log`),
      );
      let seconds = 0;
      let cpuSeconds = 0;
      try {
        for (;;) {
          if (process.child.exitCode !== null) throw new Error(`sink ${peer.name} exited with code ${process.child.exitCode}; see ${options.logDir}`);
          const { rows } = await pool.query<{ total: string | null }>(`select sum(count) as total from ${table}`);
          if (Number(rows[0]?.total ?? 0) >= expected.valid) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        seconds = process.elapsedSeconds();
        cpuSeconds = process.sample().cpuSeconds;
      } finally {
        await process.stop();
      }
      const verdict = compareRows(expected.rows, await readPgRows(pool, table));
      const records = await countTopicRecords(endpoints, topic);
      tableRecords = records;
      contenders.push({ name: peer.name, rows: records, seconds, rowsPerSecond: records / seconds, cpuSeconds, valid: verdict.valid, detail: verdict.examples.join('; ') });
      await pool.query(`drop table if exists ${table}`);
    }
  } finally {
    await pool.end();
  }
  return { tableRecords, contenders };
}

async function countTopicRecords(endpoints: BenchEndpoints, topic: string): Promise<number> {
  const { readTableTopic } = await import('./read-table.js');
  return (await readTableTopic({ bootstrap: endpoints.bootstrap, registryUrl: endpoints.registryUrl, topic })).records;
}
