/**
 * State memory benchmark (`npm run bench:state`, or `node --import tsx bench/state-memory.ts`):
 * what one open window costs, and what is kept after the windows close.
 *
 * N distinct keys, one record each, all in the same 1-minute tumbling window
 * (so N open windows), through
 * - `store/count`: a `WindowStore` with `{ events: count() }`;
 * - `store/4`: a `WindowStore` with `count`, `sum`, `avg`, `max` (the benchmark topology's aggregate);
 * - `task/4`: the real per-partition engine (`Task`, Avro-decoded records with
 *   Kafka keys, `groupByKey → window(tumbling('1m'), grace 5s) → aggregate(count, sum, avg, max) → toTable`),
 *   batches of 5,000 records, outputs dropped.
 * Each case runs in a fresh `node --expose-gc` child: memory is read after a
 * full GC before the records, with the N windows open, and after the
 * watermark passes end + grace and every window closed. Bytes per open window
 * = (heap used + array buffers) grown ÷ N; RSS is reported beside it.
 *
 * It is a measurement, never a test: no thresholds. Results go to
 * `bench/results/state-<timestamp>[-<label>].json`.
 *
 * ```sh
 * npm run bench:state                                   # 100k, 1M, 2M keys
 * npm run bench:state -- --keys 100000 --label after --cases store/count
 * ```
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { avg, count, max, plan, sum, Task, topology, tumbling, type InputRecord } from '../src/index.js';
import { WindowStore, type AggregateMap } from '../src/state/index.js';
import { AvroCodec, InMemorySchemaRegistry } from '../src/serde/index.js';

const CASES = ['store/count', 'store/4', 'task/4'] as const;
type Case = (typeof CASES)[number];

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

interface CaseResult {
  readonly case: Case;
  readonly keys: number;
  readonly openWindows: number;
  readonly seconds: number;
  readonly before: Memory;
  readonly open: Memory;
  readonly closed: Memory;
  /** RSS with the windows open, before any forced GC (what a live process shows). */
  readonly openRssBeforeGc: number;
  /** (heapUsed + arrayBuffers) grown with the windows open, ÷ open windows. */
  readonly bytesPerWindow: number;
  /** RSS grown with the windows open, ÷ open windows. */
  readonly rssBytesPerWindow: number;
  /** (heapUsed + arrayBuffers) still above `before` once every window closed. */
  readonly keptAfterCloseBytes: number;
  readonly rssKeptAfterCloseBytes: number;
}

const MINUTE = 60_000;
const T0 = 1_700_000_040_000; // a minute boundary

function rssNow(): number {
  return process.memoryUsage().rss;
}

function memory(): Memory {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the child with node --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers };
}

const keyOf = (i: number): string => `key-${String(i).padStart(8, '0')}`;

interface Event {
  key: string;
  ts: number;
  value: number;
}

async function runStore(which: 'store/count' | 'store/4', keys: number): Promise<Omit<CaseResult, 'case' | 'keys'>> {
  const aggregates: AggregateMap<Event> =
    which === 'store/count'
      ? { events: count<Event>() }
      : { events: count<Event>(), total: sum((e: Event) => e.value), mean: avg((e: Event) => e.value), top: max((e: Event) => e.value) };
  const before = memory();
  const started = performance.now();
  let store: WindowStore<Event> | undefined = new WindowStore<Event>(aggregates);
  const window = { start: T0, end: T0 + MINUTE };
  const event: Event = { key: '', ts: 0, value: 0 };
  for (let i = 0; i < keys; i++) {
    // A fresh key string per record, as the runtime decodes one from each record's key bytes.
    event.key = keyOf(i);
    event.ts = T0 + Math.floor((i * MINUTE) / keys);
    event.value = i % 1000;
    store.observe(event.ts);
    if (!store.isLate(window, 5_000)) store.upsert(event.key, window, event, event.ts);
  }
  const openWindows = store.openWindowCount;
  const openRssBeforeGc = rssNow();
  const open = memory();
  store.observe(T0 + 2 * MINUTE);
  const closedCount = store.closeExpired(5_000).length;
  if (closedCount !== openWindows || store.openWindowCount !== 0) throw new Error(`closed ${closedCount} of ${openWindows}`);
  const seconds = (performance.now() - started) / 1000;
  const closed = memory();
  store.observe(T0 + 3 * MINUTE); // keeps the store alive across the last measurement
  store = undefined;
  return { openWindows, seconds, before, open, closed, openRssBeforeGc, ...perWindow(before, open, closed, openWindows) };
}

const eventSchema = {
  type: 'record',
  name: 'StateBenchEvent',
  namespace: 'sluice.bench',
  fields: [
    { name: 'key', type: 'string' },
    { name: 'ts', type: 'long' },
    { name: 'value', type: 'double' },
  ],
} as const;

async function runTask(keys: number): Promise<Omit<CaseResult, 'case' | 'keys'>> {
  const t = topology('state-bench')
    .source<Event>('state-bench.events', { schema: eventSchema, eventTime: 'ts' })
    .deadLetter('state-bench.dlq')
    .groupByKey('by-key', { as: 'key' })
    .window('per-minute', tumbling('1m'), { grace: '5s' })
    .aggregate('stats', { events: count(), total: sum((e) => e.value), mean: avg((e) => e.value), top: max((e) => e.value) })
    .toTable('state-bench.table');
  const registry = new InMemorySchemaRegistry();
  const task = new Task(plan(t), 0, 0, { registry, resolveSchema: (ref) => (typeof ref === 'string' ? eventSchema : ref), partitionCount: () => 1 });
  await task.init();
  const encoder = new AvroCodec<Event>({ registry, subject: 'state-bench.events-value', readerSchema: eventSchema });
  await encoder.registerWriter();
  await task.restore([], 0);
  const before = memory();
  const started = performance.now();
  const BATCH = 5_000;
  let offset = 0n;
  const batchOf = (from: number, to: number, tsOf: (i: number) => number): InputRecord[] => {
    const batch: InputRecord[] = [];
    for (let i = from; i < to; i++) {
      const key = keyOf(i);
      batch.push({
        topic: 'state-bench.events',
        partition: 0,
        offset: offset++,
        timestamp: 0,
        key: Buffer.from(key),
        value: encoder.encode({ key, ts: tsOf(i), value: i % 1000 }),
        headers: {},
      });
    }
    return batch;
  };
  let deadLettered = 0;
  for (let from = 0; from < keys; from += BATCH) {
    const result = await task.process(
      batchOf(from, Math.min(keys, from + BATCH), (i) => T0 + Math.floor((i * MINUTE) / keys)),
      0,
    );
    deadLettered += result.counters.deadLettered;
  }
  if (deadLettered > 0) throw new Error(`${deadLettered} records dead-lettered`);
  const openWindows = task.openWindows();
  const openRssBeforeGc = rssNow();
  const open = memory();
  // One record two minutes later moves the watermark past end + grace: every window closes.
  await task.process(batchOf(0, 1, () => T0 + 2 * MINUTE), 0);
  const left = task.openWindows();
  if (left !== 1) throw new Error(`${left} windows left open, expected 1`);
  const seconds = (performance.now() - started) / 1000;
  const closed = memory();
  return { openWindows, seconds, before, open, closed, openRssBeforeGc, ...perWindow(before, open, closed, openWindows) };
}

function perWindow(before: Memory, open: Memory, closed: Memory, windows: number) {
  const used = (m: Memory) => m.heapUsed + m.arrayBuffers;
  return {
    bytesPerWindow: Math.round((used(open) - used(before)) / windows),
    rssBytesPerWindow: Math.round((open.rss - before.rss) / windows),
    keptAfterCloseBytes: used(closed) - used(before),
    rssKeptAfterCloseBytes: closed.rss - before.rss,
  };
}

async function child(which: Case, keys: number): Promise<void> {
  const result = which === 'task/4' ? await runTask(keys) : await runStore(which, keys);
  process.stdout.write(`${JSON.stringify({ case: which, keys, ...result })}\n`);
}

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;

function parent(args: readonly string[]): void {
  const keyCounts = (option(args, '--keys') ?? '100000,1000000,2000000').split(',').map(Number);
  const cases = (option(args, '--cases') ?? CASES.join(',')).split(',') as Case[];
  for (const c of cases) if (!CASES.includes(c)) throw new Error(`unknown case ${c}; cases: ${CASES.join(', ')}`);
  const label = option(args, '--label');
  const heapMb = option(args, '--max-old-space-size') ?? '8192';
  const self = fileURLToPath(import.meta.url);
  const results: (CaseResult | { case: Case; keys: number; error: string })[] = [];
  for (const keys of keyCounts) {
    for (const c of cases) {
      process.stderr.write(`${c} ${keys.toLocaleString('en')} keys … `);
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', `--max-old-space-size=${heapMb}`, '--import', 'tsx', self, '--child', c, String(keys)],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      const line = run.stdout.trim().split('\n').pop() ?? '';
      if (run.status !== 0 || !line.startsWith('{')) {
        const error = (run.stderr.trim().split('\n').slice(-3).join(' ') || `exit ${run.status} ${run.signal ?? ''}`).slice(0, 500);
        process.stderr.write(`failed: ${error}\n`);
        results.push({ case: c, keys, error });
        continue;
      }
      const r = JSON.parse(line) as CaseResult;
      results.push(r);
      process.stderr.write(
        `${r.bytesPerWindow} B/window (RSS ${r.rssBytesPerWindow} B/window), open ${mb(r.open.heapUsed + r.open.arrayBuffers)} heap+buffers, RSS ${mb(r.open.rss)}; after close kept ${mb(r.keptAfterCloseBytes)} (RSS ${mb(r.closed.rss)}), ${r.seconds.toFixed(1)} s\n`,
      );
    }
  }
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const file = join(dirname(self), 'results', `state-${stamp}${label === undefined ? '' : `-${label}`}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  writeFileSync(
    file,
    `${JSON.stringify({ benchmark: 'state-memory', label, commit: head, node: process.version, at: new Date().toISOString(), results }, null, 2)}\n`,
  );
  console.log('case          keys        B/window  RSS B/window  kept after close (heap+buf / RSS)');
  for (const r of results) {
    if ('error' in r) console.log(`${r.case.padEnd(13)} ${String(r.keys).padStart(9)}  failed: ${r.error}`);
    else
      console.log(
        `${r.case.padEnd(13)} ${String(r.keys).padStart(9)}  ${String(r.bytesPerWindow).padStart(8)}  ${String(r.rssBytesPerWindow).padStart(12)}  ${mb(r.keptAfterCloseBytes)} / ${mb(r.rssKeptAfterCloseBytes)}`,
      );
  }
  console.log(`results: ${file}`);
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') await child(argv[1] as Case, Number(argv[2]));
else parent(argv);
