import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { StackEndpoints } from '../../../../src/stack/index.js';
import { KafkaConsumer, type KafkaConsumerClient } from '../../../../src/kafka/rdkafka.js';
import type { Database } from '../../../../src/sinks/postgres/database.js';
import { openDatabase } from '../../../../src/sinks/postgres/open-database.js';
import { busEventSchema, busOracle, compareRouteTable, type BusEvent } from '../../../support/bus-workload.js';
import { latestCodec, readTopic, type KafkaMessage } from '../../../support/kafka-test-kit.js';
import { fixtureProject, SluiceProcess } from '../../../support/sluice-process.js';

/** A port nothing listens on: pointing the default database URL there forces the PGlite fallback. */
export const CLOSED_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/postgres';

/** Where a fixture project's sinks write. */
export type SinkDatabase = { readonly kind: 'server'; readonly schema: string } | { readonly kind: 'pglite' };

/**
 * A throwaway Sluice project with two topologies over one bus source topic:
 * `<name>` (validate → by-route → 1-minute windows → table topic) sinking the
 * table into `route_minute` (upsert), `route_log` (append: every table update
 * is a row) and `route_slow` (upsert with a check constraint refusing
 * `avg_speed >= 60`: those rows go to its DLQ), and `<name>-raw` copying the source to a stream topic
 * sunk into `raw_log` (append).
 */
export class SinkProject {
  readonly name: string;
  readonly source: string;
  readonly tableTopic: string;
  readonly rawTopic: string;
  readonly dir: string;
  readonly remove: () => void;

  constructor(
    readonly run: string,
    readonly stack: StackEndpoints,
    readonly database: SinkDatabase,
    options: { readonly topologyExtra?: string } = {},
  ) {
    this.name = `sink-${run}`;
    this.source = `sink.${run}.bus`;
    this.tableTopic = `sink.${run}.stats`;
    this.rawTopic = `sink.${run}.raw`;
    const schema = JSON.stringify(busEventSchema);
    const project = fixtureProject(`sink-${run}`, {
      [`topologies/${this.name}.ts`]: `import { avg, count, max, postgres, sum, topology, tumbling } from 'sluice';
const schema = ${schema};
export default topology('${this.name}')
  .source('${this.source}', { schema, eventTime: 'timestamp' })
  .validate('ranges', (e: { speed_kmh: number }) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
  .deadLetter('${this.source}.dlq')
  .groupBy('by-route', 'route_id')
  .window('per-minute', tumbling('1m'), { grace: '10m' })
  .aggregate('route-stats', { events: count(), avg_speed: avg((e: { speed_kmh: number }) => e.speed_kmh), max_speed: max((e: { speed_kmh: number }) => e.speed_kmh), passengers: sum((e: { passengers: number }) => e.passengers, { type: 'long' }) })
  .toTable('${this.tableTopic}')
  .sink('stats-pg', postgres({ table: 'route_minute', key: ['route_id', 'window_start'] }))
  .sink('stats-log', postgres({ table: 'route_log', mode: 'append' }))
  .sink('stats-slow', postgres({ table: 'route_slow' }))${options.topologyExtra ?? ''};
`,
      [`topologies/${this.name}-raw.ts`]: `import { postgres, topology } from 'sluice';
const schema = ${schema};
export default topology('${this.name}-raw')
  .source('${this.source}', { schema, eventTime: 'timestamp' })
  .to('${this.rawTopic}')
  .sink('raw-pg', postgres({ table: 'raw_log', mode: 'append' }));
`,
      'sql/002_route_tables.sql': `
create table route_minute (
  route_id text not null, window_start timestamptz not null, window_end timestamptz not null,
  events bigint not null, avg_speed double precision not null, max_speed double precision not null, passengers bigint not null,
  primary key (route_id, window_start));
create table route_log (
  route_id text not null, window_start timestamptz not null, window_end timestamptz not null,
  events bigint not null, avg_speed double precision not null, max_speed double precision not null, passengers bigint not null);
create table route_slow (
  route_id text not null, window_start timestamptz not null, window_end timestamptz not null,
  events bigint not null, avg_speed double precision not null check (avg_speed < 60), max_speed double precision not null, passengers bigint not null,
  primary key (route_id, window_start));
create table raw_log (
  bus_id text not null, route_id text not null, speed_kmh double precision not null, passengers int not null, timestamp timestamptz not null);
`,
    });
    this.dir = project.dir;
    this.remove = project.remove;
  }

  /** Adds (or replaces) a file of the project, e.g. another migration. */
  addFile(path: string, content: string): void {
    writeFileSync(join(this.dir, path), content);
  }

  /** The server URL with this project's schema first on the search path. */
  get serverUrl(): string {
    if (this.database.kind !== 'server') throw new Error('not a server project');
    const url = new URL(this.stack.databaseUrl);
    url.searchParams.set('options', `-c search_path=${this.database.schema}`);
    return url.toString();
  }

  /** Creates the server schema (the sinks' migrations run in it). */
  async prepare(): Promise<void> {
    if (this.database.kind !== 'server') return;
    const client = new pg.Client({ connectionString: this.stack.databaseUrl });
    await client.connect();
    try {
      await client.query(`create schema "${this.database.schema}"`);
    } finally {
      await client.end();
    }
  }

  /** `sluice run <both topologies>` in the project, with a stable instance id (a restart fences its killed predecessor at once). */
  start(extraArgs: readonly string[] = [], topologies: readonly string[] = [this.name, `${this.name}-raw`]): SluiceProcess {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KAFKA_BOOTSTRAP_SERVERS: this.stack.kafkaBootstrapServers,
      SCHEMA_REGISTRY_URL: this.stack.schemaRegistryUrl,
      // A killed member leaves the group after 10 s instead of 45 s.
      SLUICE_KAFKA_SESSION_TIMEOUT_MS: '10000',
      SLUICE_KAFKA_HEARTBEAT_INTERVAL_MS: '2000',
    };
    if (this.database.kind === 'server') env.DATABASE_URL = this.serverUrl;
    else env.SLUICE_DEFAULT_DATABASE_URL = CLOSED_DATABASE_URL;
    return new SluiceProcess(['run', ...topologies, '--instance-id', 'fixture', ...extraArgs], { cwd: this.dir, env });
  }

  /** Runs `query` against the project's database. For PGlite the `sluice` process must have exited (one process per data dir). */
  async withDb<T>(query: (db: Kysely<Database>) => Promise<T>): Promise<T> {
    if (this.database.kind === 'server') {
      const pool = new pg.Pool({ connectionString: this.serverUrl, max: 2 });
      pool.on('error', () => {});
      const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
      try {
        return await query(db);
      } finally {
        await db.destroy();
      }
    }
    const opened = await openDatabase({ defaultDatabaseUrl: CLOSED_DATABASE_URL, pgliteDir: join(this.dir, '.sluice', 'pglite') });
    if (opened.target.kind !== 'pglite') throw new Error(`expected PGlite, got ${opened.description}`);
    try {
      return await query(opened.db);
    } finally {
      await opened.close();
    }
  }

  async dropSchema(): Promise<void> {
    if (this.database.kind !== 'server') return;
    const client = new pg.Client({ connectionString: this.stack.databaseUrl });
    await client.connect();
    await client.query(`drop schema if exists "${this.database.schema}" cascade`).catch(() => {});
    await client.end();
  }
}

/** One decoded record of the table topic. */
export interface StatsRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly route_id: string;
  readonly window_start: number;
  readonly events: number;
  readonly max_speed: number;
}

/** Every committed record of the table topic, decoded (updates included, in offset order per partition). */
export async function readStatsTopic(stack: StackEndpoints, topic: string, partitions: number): Promise<StatsRecord[]> {
  const messages = await readTopic(stack.kafkaBootstrapServers, topic, partitions);
  if (messages.length === 0) return [];
  const values = await latestCodec<Record<string, unknown>>(stack.schemaRegistryUrl, `${topic}-value`);
  await values.prepare(messages.map((m) => m.value));
  return messages.map((m: KafkaMessage) => {
    const decoded = values.decode(m.value);
    if (!decoded.ok) throw new Error(`table record ${m.partition}@${m.offset} did not decode: ${decoded.message}`);
    const v = decoded.value;
    return { partition: m.partition, offset: BigInt(m.offset), route_id: v.route_id as string, window_start: Number(v.window_start), events: Number(v.events), max_speed: Number(v.max_speed) };
  });
}

/** The next offset per partition a caught-up reader of `records` has stored. */
export function endPositions(records: readonly { partition: number; offset: bigint }[]): Map<number, bigint> {
  const ends = new Map<number, bigint>();
  for (const r of records) if ((ends.get(r.partition) ?? -1n) < r.offset + 1n) ends.set(r.partition, r.offset + 1n);
  return ends;
}

/** A consumer group's committed next offsets, read without joining the group. */
export async function committedOffsets(stack: StackEndpoints, groupId: string, topic: string, partitions: number): Promise<Map<number, bigint>> {
  const client: KafkaConsumerClient = new KafkaConsumer({ 'bootstrap.servers': stack.kafkaBootstrapServers, 'group.id': groupId, 'enable.auto.commit': false });
  await new Promise<void>((resolve, reject) => client.connect({ timeout: 10_000 }, (e) => (e ? reject(e) : resolve())));
  try {
    const list = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
    const offsets = await new Promise<{ partition: number; offset?: number }[]>((resolve, reject) =>
      client.committed(list, 10_000, (e, o) => (e ? reject(e) : resolve(o))),
    );
    return new Map(offsets.filter((o) => typeof o.offset === 'number' && o.offset >= 0).map((o) => [o.partition, BigInt(o.offset!)]));
  } finally {
    await new Promise<void>((resolve) => client.disconnect(() => resolve()));
  }
}

/** Undefined once the sink group has committed (to Kafka, after its database commits) up to `ends`. */
export async function sinkLag(stack: StackEndpoints, groupId: string, topic: string, partitions: number, ends: ReadonlyMap<number, bigint>): Promise<string | undefined> {
  const committed = await committedOffsets(stack, groupId, topic, partitions);
  const behind = [...ends].filter(([p, end]) => (committed.get(p) ?? 0n) < end);
  return behind.length === 0 ? undefined : `${groupId} behind on ${behind.map(([p, end]) => `${p}: ${committed.get(p) ?? 'none'}/${end}`).join(', ')}`;
}

/** `route_minute` compared with the oracle, row for row. */
export async function compareRouteMinute(db: Kysely<Database>, events: readonly { value: BusEvent; invalid: boolean }[]): Promise<string | undefined> {
  const { rows } = await sql<{ route_id: string; window_start: Date; events: number; avg_speed: number; max_speed: number; passengers: number }>`
    select route_id, window_start, events::int as events, avg_speed, max_speed, passengers::int as passengers from route_minute`.execute(db);
  const table = new Map(
    rows.map((r) => [`${r.route_id}@${r.window_start.getTime()}`, { key: { route_id: r.route_id, window_start: r.window_start.getTime() }, value: { ...r, window_start: r.window_start.getTime() } }]),
  );
  return compareRouteTable(table, busOracle(events));
}

/** Sorted identities of `route_log` rows: one per table-topic record, so a duplicate or a loss shows. */
export async function routeLogRows(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select route_id || '@' || (extract(epoch from window_start) * 1000)::bigint || '#' || events as id from route_log`.execute(db);
  return rows.map((r) => r.id).sort();
}

/** The same identities computed from the table topic. */
export function statsIdentities(records: readonly StatsRecord[]): string[] {
  return records.map((r) => `${r.route_id}@${r.window_start}#${r.events}`).sort();
}

/** Sorted identities of `raw_log` rows and of the input events (invalid ones included: the raw copy does not validate). */
export async function rawLogRows(db: Kysely<Database>): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`select bus_id || '|' || (extract(epoch from timestamp) * 1000)::bigint || '|' || speed_kmh || '|' || passengers as id from raw_log`.execute(db);
  return rows.map((r) => r.id).sort();
}

export function rawIdentities(events: readonly { value: BusEvent }[]): string[] {
  return events.map(({ value: v }) => `${v.bus_id}|${v.timestamp}|${v.speed_kmh}|${v.passengers}`).sort();
}

/** Everything a `sluice` child wrote to stderr (JSON lines and raw text), one line each. */
export function logText(child: SluiceProcess): string {
  return child.lines.map((l) => (l.level === 'raw' ? String(l.msg) : JSON.stringify(l))).join('\n');
}
