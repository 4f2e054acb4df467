/**
 * One seed of the chaos harness, end to end: an isolated copy of
 * `events-pipeline`, its source fed with the seed's workload (the generator
 * `sluice generate` uses, plus corrupt records), the real `sluice run`
 * under the seed's fault schedule, then — once everything has caught up —
 * the oracle's expectation compared with every output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import avro from 'avsc';
import pg from 'pg';
import { eventsPipelineWorkload } from '../../workloads/events-pipeline.js';
import { produceWorkload } from '../../src/cli/generators/produce-workload.js';
import type { GeneratedRecord } from '../../src/cli/generators/event-generator.js';
import { KafkaAdmin } from '../../src/kafka/kafka-admin.js';
import { PartitionReader } from '../../src/kafka/partition-reader.js';
import { RecordProducer, type OutgoingRecord } from '../../src/kafka/record-producer.js';
import { AvroCodec, HttpSchemaRegistry } from '../../src/serde/index.js';
import type { AppEvent } from '../../topologies/types/schemas.js';
import { awaitQuiescence } from '../support/await-quiescence.js';
import { CORRUPTIONS, corruptPayload, type Corruption } from '../support/corrupt-payloads.js';
import { TcpProxy } from '../support/tcp-proxy.js';
import { Instances, track, type Anomaly } from './instances.js';
import { expectationOf, type Expectation } from './oracle.js';
import { allTopics, createProject, repoRoot, runNames, type RunNames } from './project.js';
import { Prng } from './prng.js';
import { readTopicBack, RegistrySchemas } from './read-back.js';
import { describeSchedule, faultCount, PROFILES, type Episode, type Scenario } from './scenario.js';
import { verify, type OutputDiff, type Verdict } from './verify.js';
import { partitionKey } from '../../src/partition-key.js';

export interface StackEndpoints {
  readonly kafkaBootstrapServers: string;
  readonly schemaRegistryUrl: string;
  /** The server; each run creates a database of its own on it. */
  readonly databaseUrl: string;
}

export interface RunOptions {
  /** Where instance logs go (kept for failing runs). */
  readonly logDir: string;
  /** Keep topics, database and logs of passing runs too. */
  readonly keep?: boolean;
  readonly print?: (line: string) => void;
  /**
   * Time budget of the whole seed, ms: the settle and compare waits are cut to fit it (a CI run
   * fails rather than hangs). The fault schedule itself is never cut.
   */
  readonly budgetMs?: number;
}

/** What a seed did and how it ended: one line of results/*.jsonl. */
export interface SeedResult {
  readonly seed: number;
  readonly profile: string;
  readonly runId: string;
  readonly verdict: 'pass' | 'fail' | 'error';
  readonly workload: Scenario['workload'];
  readonly schedule: readonly string[];
  readonly faultsInjected: number;
  readonly faultsByKind: Readonly<Record<string, number>>;
  /** What the executor actually did, with times from the first start. */
  readonly executed: readonly string[];
  readonly failures: readonly string[];
  /** Odd but not wrong (e.g. a sink's Kafka commits lagging its stored positions): reported, not failed. */
  readonly observations: readonly string[];
  readonly diffs: readonly OutputDiff[];
  readonly reasons?: Verdict['reasons'];
  readonly oracle?: Expectation['stats'];
  readonly anomalies: readonly Anomaly[];
  readonly timingsMs: Readonly<Record<string, number>>;
  readonly logDir?: string;
  readonly error?: string;
}

const CORRUPTION_KINDS = Object.keys(CORRUPTIONS) as Corruption[];

export async function runSeed(scenario: Scenario, stack: StackEndpoints, options: RunOptions): Promise<SeedResult> {
  const print = options.print ?? ((line: string) => console.info(line));
  const profile = PROFILES[scenario.profile];
  const w = scenario.workload;
  const runId = `${scenario.seed}-${Date.now().toString(36)}`;
  const names = runNames(runId);
  const logDir = join(options.logDir, runId);
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (stage: string, since: number): void => void (timings[stage] = Date.now() - since);
  const executed: string[] = [];
  const failures: string[] = [];
  const observations: string[] = [];
  let diffs: OutputDiff[] = [];
  let verdict: Verdict | undefined;
  let expectation: Expectation | undefined;
  let started = 0;
  const at = (what: string): void => {
    const line = `${((Date.now() - (started || t0)) / 1000).toFixed(1)} s ${what}`;
    executed.push(line);
    print(`  [seed ${scenario.seed}] ${line}`);
  };
  const { total: faultsInjected, byKind: faultsByKind } = faultCount(scenario);
  const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  const project = createProject(names);
  const database = await createDatabase(stack.databaseUrl, `chaos_${runId.replace(/[^a-z0-9]/gi, '_')}`);
  // The PostgreSQL server is shared: another engineer's test may restart it. Told apart from Sluice's faults below.
  const serverStartedAt = await postmasterStart(stack.databaseUrl);
  const proxy = new TcpProxy(new URL(stack.databaseUrl).hostname, Number(new URL(stack.databaseUrl).port || 5432));
  const registryProxy = TcpProxy.forUrl(stack.schemaRegistryUrl);
  const load: ChildProcess[] = [];
  let instances: Instances | undefined;
  let error: string | undefined;
  let db: pg.Client | undefined;
  try {
    await proxy.start();
    await registryProxy.proxy.start();
    const viaProxy = new URL(database.url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers,
      SCHEMA_REGISTRY_URL: registryProxy.rewrite(),
      DATABASE_URL: viaProxy.toString(),
      SLUICE_METRICS_PORT: '0',
    };

    // The source, then the backlog (before any `sluice run`).
    let since = Date.now();
    await admin.ensureTopics([{ name: names.source, partitions: w.partitions }]);
    const feed = await Feed.open(stack, names, scenario);
    if (w.backlog > 0) {
      await feed.produce(w.backlog);
      at(`backlog of ${feed.sent} records produced (${feed.corrupt} corrupt)`);
    }
    mark('setup', since);

    for (let i = 0; i < w.cpuLoad; i++) load.push(track(spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' })));
    instances = new Instances({ topology: names.topology, cwd: project.dir, env, logDir, singleThread: w.singleThread, started: Date.now() });
    started = Date.now();
    instances.spawn('a', scenario.faults.firstIdMode);
    at(`a started (${scenario.faults.firstIdMode === 'fixed' ? '--instance-id chaos-a' : 'no --instance-id'}${w.singleThread ? ', --no-processing-thread' : ''}), ${w.cpuLoad} busy loop(s)`);
    since = Date.now();
    const live = w.live > 0 ? feed.produce(w.live, w.rate).then(() => at(`live production done: ${feed.sent} records in all (${feed.corrupt} corrupt)`)) : Promise.resolve();
    await runEpisodes(scenario, instances, { database: proxy, registry: registryProxy.proxy }, at);
    await live;
    mark('faults', since);
    for (const child of load.splice(0)) child.kill('SIGKILL');
    await feed.close();

    // Settle: the topology's group, then each sink's, caught up with their inputs.
    since = Date.now();
    const left = (reserveMs: number): number => (options.budgetMs === undefined ? Number.POSITIVE_INFINITY : Math.max(5_000, t0 + options.budgetMs - Date.now() - reserveMs));
    const settled = await settle(stack, admin, names, database.url, Math.min(profile.settleMs, left(Math.min(profile.compareMs, 30_000) + 15_000)), at, observations);
    if (settled !== undefined) failures.push(`did not settle: ${settled}`);
    mark('settle', since);

    // The oracle, from the source as read back; compared until equal or the compare deadline.
    since = Date.now();
    const registry = new RegistrySchemas(stack.schemaRegistryUrl);
    const readerSchema = avro.Type.forSchema(JSON.parse(readFileSync(join(repoRoot, 'schemas', 'app-event.avsc'), 'utf8')) as avro.Schema, { wrapUnions: false });
    const source = await readTopicBack(stack.kafkaBootstrapServers, names.source);
    expectation = await expectationOf(source.records, names.source, readerSchema, registry);
    at(`oracle: ${JSON.stringify(expectation.stats)}`);
    // The generator knows what it meant each record to be: its late copies are certainly late, its
    // valid records (±2 s disorder, grace 30 s) never are. The oracle, which knows nothing of that, must agree.
    const { stats } = expectation;
    if (stats.late !== feed.labels.late || stats.invalid !== feed.labels.invalid || stats.valid - stats.late !== feed.labels.valid) {
      failures.push(`oracle check: the oracle counts ${stats.valid - stats.late} on-time, ${stats.late} late and ${stats.invalid} invalid; the generator produced ${JSON.stringify(feed.labels)}`);
    }
    if (expectation.duplicateIds.length > 0) failures.push(`the source holds ${expectation.duplicateIds.length} duplicate event ids: the oracle cannot judge raw_events`);
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    const compareDeadline = Date.now() + Math.min(profile.compareMs, left(15_000));
    for (;;) {
      verdict = await verify(expectation, names, db, stack.kafkaBootstrapServers, registry, source.records);
      if (verdict.ok || Date.now() > compareDeadline) break;
      await sleep(3_000);
    }
    diffs = verdict.diffs.filter((d) => !(d.lost === 0 && d.duplicated === 0 && d.unexpected === 0 && d.mismatched === 0 && d.expected === d.actual));
    for (const d of diffs) failures.push(`${d.output}: expected ${d.expected}, actual ${d.actual}, lost ${d.lost}, duplicated ${d.duplicated}, unexpected ${d.unexpected}, mismatched ${d.mismatched}`);
    for (const n of verdict.notes) failures.push(n);
    observations.push(...verdict.observations);
    mark('verify', since);

    // A clean stop after all that: SIGTERM commits, leaves and exits 0.
    await instances.stop('a', Math.min(60_000, left(0)));
    at('a stopped (SIGTERM)');
    const restarted = (await postmasterStart(stack.databaseUrl)) !== serverStartedAt;
    if (restarted) observations.push('the PostgreSQL server restarted during the run (not the harness: it only cuts its own proxy)');
    for (const a of instances.anomalies) {
      const line = `instance ${a.instance} at ${(a.atMs / 1000).toFixed(1)} s: ${a.what}`;
      // Exit 1 at start-up while the database does not answer is documented; only an outside restart excuses it.
      if (restarted && a.what.includes('code 1') && a.tail.includes('could not connect to PostgreSQL')) observations.push(`${line}: start-up refused while the server restarted`);
      else failures.push(line);
    }
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
  } finally {
    for (const child of load) child.kill('SIGKILL');
    await instances?.closeAll();
    await proxy.stop();
    await registryProxy.proxy.stop();
    await db?.end().catch(() => {});
  }
  const verdictName: SeedResult['verdict'] = error !== undefined ? 'error' : failures.length > 0 ? 'fail' : 'pass';
  const keep = options.keep === true || verdictName !== 'pass';
  if (!keep) {
    await admin.deleteGroups([names.groups.processing, ...Object.values(names.groups.sinks)]).catch(() => {});
    await admin.deleteTopics(allTopics(names)).catch(() => {});
    await database.drop().catch(() => {});
    project.remove();
    rmSync(logDir, { recursive: true, force: true });
  }
  admin.close();
  timings.total = Date.now() - t0;
  return {
    seed: scenario.seed,
    profile: scenario.profile,
    runId,
    verdict: verdictName,
    workload: w,
    schedule: describeSchedule(scenario),
    faultsInjected,
    faultsByKind,
    executed,
    failures,
    observations,
    diffs,
    ...(verdict ? { reasons: verdict.reasons } : {}),
    ...(expectation ? { oracle: expectation.stats } : {}),
    anomalies: instances?.anomalies ?? [],
    timingsMs: timings,
    ...(keep ? { logDir } : {}),
    ...(error !== undefined ? { error } : {}),
  };
}

/** Runs the fault episodes one after another. */
interface Proxies {
  readonly database: TcpProxy;
  readonly registry: TcpProxy;
}

async function runEpisodes(scenario: Scenario, instances: Instances, proxies: Proxies, at: (what: string) => void): Promise<void> {
  await sleep(scenario.faults.startAfterMs);
  for (const { gapMs, episode } of scenario.faults.episodes) {
    await sleep(gapMs);
    await runEpisode(episode, instances, proxies, at);
  }
}

async function runEpisode(e: Episode, instances: Instances, proxies: Proxies, at: (what: string) => void): Promise<void> {
  switch (e.kind) {
    case 'kill9': {
      const killed = await instances.kill9(e.target);
      at(killed ? `kill -9 ${e.target}` : `kill -9 ${e.target}: not running (restarting after a crash)`);
      await sleep(e.restartAfterMs);
      if (!instances.has(e.target)) instances.spawn(e.target, e.restartWith);
      at(`${e.target} restarted ${e.restartWith === 'fixed' ? `--instance-id chaos-${e.target}` : 'without --instance-id'}`);
      return;
    }
    case 'stop': {
      if (!instances.signal(e.target, 'SIGSTOP')) {
        at(`SIGSTOP ${e.target}: not running`);
        return;
      }
      at(`SIGSTOP ${e.target}`);
      await sleep(e.holdMs);
      instances.signal(e.target, 'SIGCONT');
      at(`SIGCONT ${e.target}`);
      return;
    }
    case 'pg-cut':
    case 'registry-cut': {
      // A process still starting up exits 1 without its database or registry, by design: cut only once all are past start-up.
      const [proxy, what] = e.kind === 'pg-cut' ? [proxies.database, 'PostgreSQL'] : [proxies.registry, 'schema registry'];
      await instances.started(90_000);
      instances.dependenciesUp = false;
      await proxy.stop();
      at(`${what} cut`);
      await sleep(e.holdMs);
      await proxy.start();
      instances.dependenciesUp = true;
      at(`${what} back`);
      return;
    }
    case 'join':
      instances.spawn('b', e.idMode);
      at(`b joins (${e.idMode === 'fixed' ? '--instance-id chaos-b' : 'no --instance-id'})`);
      return;
    case 'leave':
      if (e.how === 'kill9') {
        await instances.kill9('b');
        at('b leaves by kill -9');
      } else {
        at('b leaves (SIGTERM)');
        await instances.stop('b', 60_000);
        at('b left');
      }
      return;
  }
}

/**
 * Waits for the processing group to catch up with its inputs (source and repartition topics, judged
 * from the broker), then for every sink to have written its whole input: its positions in
 * `sluice_offsets` — what a sink commits with its rows — at the last record of each partition.
 * (A sink's Kafka commits are for lag monitoring only; they are compared, not waited for.)
 * Returns the complaint if not within `timeoutMs`; `observations` collects what is odd but not wrong.
 */
async function settle(
  stack: StackEndpoints,
  admin: KafkaAdmin,
  n: RunNames,
  databaseUrl: string,
  timeoutMs: number,
  at: (what: string) => void,
  observations: string[],
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  const reader = await PartitionReader.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const counts = await admin.partitionCounts([n.source, n.repartition]);
    const parts = (topic: string): { topic: string; partition: number }[] => Array.from({ length: counts.get(topic) ?? 0 }, (_, partition) => ({ topic, partition }));
    // In rounds, each with a new admin client: after a broker restart one can keep stale leader epochs
    // ("Leader epoch is older than broker epoch") and fail every look until the deadline.
    for (let round = 1; ; round++) {
      const fresh = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
      try {
        const inputs = [...parts(n.source), ...parts(n.repartition)];
        await awaitQuiescence({ admin: fresh, reader, groupId: n.groups.processing, inputs, alive: () => {}, lastRecords: new Map() }, Math.max(1_000, Math.min(30_000, deadline - Date.now())));
        at(`${n.groups.processing} caught up`);
        break;
      } catch (error) {
        if (Date.now() >= deadline) return error instanceof Error ? error.message : String(error);
      } finally {
        fresh.close();
      }
    }
    // The processing group is done: the sinks' input topics are final now.
    const sinks: [string, string][] = [
      [n.groups.sinks['dlq-pg'], n.dlq],
      [n.groups.sinks['raw-events-pg'], n.valid],
      [n.groups.sinks['agg-pg'], n.table],
    ];
    for (const [group, topic] of sinks) {
      const { records, openTransactionOffsets } = await readTopicBack(stack.kafkaBootstrapServers, topic);
      if (openTransactionOffsets > 0) return `${topic}: ${openTransactionOffsets} offsets in open transactions after the processing group caught up`;
      const target = new Map<number, number>();
      for (const r of records) target.set(r.partition, Math.max(target.get(r.partition) ?? 0, r.offset + 1));
      let behind = '';
      for (;;) {
        const { rows } = await db.query<{ partition: number; next_offset: string }>('select partition, next_offset::text from sluice_offsets where consumer_group = $1 and topic = $2', [group, topic]);
        const stored = new Map(rows.map((r) => [r.partition, Number(r.next_offset)]));
        behind = [...target].filter(([p, next]) => (stored.get(p) ?? 0) < next).map(([p, next]) => `${topic}[${p}] at ${stored.get(p) ?? 'none'} of ${next}`).join(', ');
        if (behind === '') break;
        if (Date.now() > deadline) return `sink group ${group} did not write its input within ${timeoutMs} ms: ${behind}`;
        await sleep(500);
      }
      at(`${group} caught up`);
      // Lag monitoring reads the sink's Kafka commits: say so when they lag its real positions.
      const partitions = [...target.keys()].map((partition) => ({ topic, partition }));
      const committed = await admin.committedOffsets(group, partitions).catch(() => new Map<string, bigint>());
      const stale = partitions.filter((p) => Number(committed.get(partitionKey(topic, p.partition)) ?? -1) < (target.get(p.partition) ?? 0));
      if (stale.length > 0) {
        observations.push(`sink group ${group}: Kafka commits (lag monitoring) behind its stored positions on ${stale.map((p) => `${topic}[${p.partition}] ${committed.get(partitionKey(topic, p.partition)) ?? 'none'} < ${target.get(p.partition)}`).join(', ')}`);
      }
    }
    return undefined;
  } finally {
    await reader.close();
    await db.end();
  }
}

/** The seed's records into the source topic: the generator's, in order, with corrupt ones mixed in. */
class Feed {
  sent = 0;
  corrupt = 0;
  /** The generator's own labels of what it produced (valid, invalid, late): a check on the oracle. */
  readonly labels = { valid: 0, invalid: 0, late: 0 };
  readonly #records: Iterator<GeneratedRecord<AppEvent>>;
  readonly #random: Prng;

  private constructor(
    private readonly topic: string,
    private readonly producer: RecordProducer,
    private readonly codec: AvroCodec<AppEvent>,
    private readonly schemaId: number,
    private readonly corruptRatio: number,
    records: Iterable<GeneratedRecord<AppEvent>>,
    seed: number,
  ) {
    this.#records = records[Symbol.iterator]();
    this.#random = new Prng(seed, 3);
  }

  static async open(stack: StackEndpoints, n: RunNames, s: Scenario): Promise<Feed> {
    const w = s.workload;
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'app-event.avsc'), 'utf8')) as object;
    const codec = new AvroCodec<AppEvent>({ registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }), subject: `${n.source}-value`, readerSchema: schema as never });
    const schemaId = await codec.registerWriter();
    const producer = await RecordProducer.connect({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    // As `sluice generate` does: a backlog ends now; live records start now, at the rate's density.
    const startMs = Math.floor(Date.now() - (w.backlog / w.eventsPerSecond) * 1000);
    const records = eventsPipelineWorkload.records({ seed: w.generatorSeed, startMs, eventsPerSecond: w.eventsPerSecond, invalidRatio: w.invalidRatio, lateRatio: w.lateRatio });
    return new Feed(n.source, producer, codec, schemaId, w.corruptRatio, records as Iterable<GeneratedRecord<AppEvent>>, s.seed);
  }

  async produce(count: number, rate?: number): Promise<void> {
    const records: Iterable<GeneratedRecord<AppEvent>> = { [Symbol.iterator]: () => this.#records };
    await produceWorkload(records, (batch) => this.producer.produceAll(batch.flatMap((r) => this.#encode(r))), {
      count,
      batchSize: 1_000,
      ...(rate === undefined ? {} : { rate }),
    });
  }

  #encode(r: GeneratedRecord<AppEvent>): OutgoingRecord[] {
    const value = this.codec.encode(r.value);
    const out: OutgoingRecord[] = [{ topic: this.topic, key: Buffer.from(r.key), value, timestamp: r.value.timestamp }];
    this.sent += 1;
    this.labels[r.kind] += 1;
    if (this.corruptRatio > 0 && this.#random.chance(this.corruptRatio)) {
      const kind = this.#random.pick(CORRUPTION_KINDS);
      out.push({ topic: this.topic, key: Buffer.from(r.key), value: corruptPayload(kind, value, this.schemaId, this.corrupt), timestamp: r.value.timestamp });
      this.corrupt += 1;
      this.sent += 1;
    }
    return out;
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

async function postmasterStart(serverUrl: string): Promise<string> {
  const c = new pg.Client({ connectionString: serverUrl });
  try {
    await c.connect();
    const { rows } = await c.query<{ t: string }>('select pg_postmaster_start_time()::text as t');
    return rows[0]!.t;
  } catch (error) {
    return `unknown (${error instanceof Error ? error.message : String(error)})`;
  } finally {
    await c.end().catch(() => {});
  }
}

async function createDatabase(serverUrl: string, name: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  url.search = '';
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
