/**
 * `npm run bench`: Sluice against Kafka Streams, the raw ceiling and the
 * hand-written baseline, side by side on one broker and one pre-loaded topic
 * (issue 9). Prints a table, writes bench/results/<date>.json and a PNG chart.
 *
 *   npm run bench                      # 2,000,000 events, 3 rounds, every contender
 *   npm run bench -- --quick           # 100,000 events, 1 round: a smoke run
 *   npm run bench -- --events 500000 --contenders sluice,kafka-streams --rounds 5
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { serviceProbes } from '../src/cli/service-probes.js';
import { stackUp } from '../src/stack/index.js';
import { contenderCatalog } from './lib/contender-catalog.js';
import type { BenchEndpoints, RoundOutcome } from './lib/contender.js';
import { runLatency, type LatencyResult } from './lib/latency-run.js';
import { writeReport, type MemoryResult } from './lib/report.js';
import { sluiceContender } from './lib/sluice-contender.js';
import { spread } from './lib/stats.js';
import { runSinkBench, type SinkBenchResult } from './lib/sink-bench.js';
import { produceWorkload, type WorkloadShape } from './lib/workload.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    events: { type: 'string' },
    partitions: { type: 'string', default: '6' },
    keys: { type: 'string', default: '10000' },
    rounds: { type: 'string' },
    contenders: { type: 'string', default: 'ceiling,sluice,kafka-streams,baseline' },
    'baseline-max-seconds': { type: 'string', default: '60' },
    'latency-rate': { type: 'string', default: '20000' },
    'latency-seconds': { type: 'string' },
    'no-latency': { type: 'boolean', default: false },
    'no-sink': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
    seed: { type: 'string', default: '42' },
  },
});

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const shape: WorkloadShape = {
  events: Number(args.events ?? (args.quick ? 100_000 : 2_000_000)),
  partitions: Number(args.partitions),
  keys: Number(args.keys),
  eventsPerEventSecond: 2_000,
  invalidRatio: 0.005,
  jitterMs: 500,
  seed: Number(args.seed),
};
const rounds = Number(args.rounds ?? (args.quick ? 1 : 3));
const runId = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '').replace('T', '-');
const logDir = join(root, '.sluice', 'bench', runId);
mkdirSync(logDir, { recursive: true });

log(`sluice bench ${runId}: ${shape.events.toLocaleString('en-US')} events, ${shape.partitions} partitions, ${shape.keys.toLocaleString('en-US')} keys, ${rounds} round(s); logs in ${logDir}`);
const stack = await stackUp({ projectDir: root, probes: serviceProbes, log: (line) => log(`[stack] ${line}`) });
const endpoints: BenchEndpoints = {
  bootstrap: stack.kafkaBootstrapServers,
  registryUrl: stack.schemaRegistryUrl,
  databaseUrl: stack.databaseUrl,
};

// The sinks keep their positions in sluice_offsets (sql/001): make sure the database has it.
const migrate = spawnSync(process.execPath, [join(root, 'bin', 'sluice.js'), 'migrate'], { cwd: root, env: { ...process.env, DATABASE_URL: endpoints.databaseUrl }, encoding: 'utf8' });
if (migrate.status !== 0) throw new Error(`sluice migrate failed: ${migrate.stderr || migrate.stdout}`);

const contenders = contenderCatalog(args.contenders.split(','), { baselineMaxSeconds: Number(args['baseline-max-seconds']) });
for (const contender of contenders) await contender.prepare(log);

const workload = await produceWorkload({ bootstrap: endpoints.bootstrap, registryUrl: endpoints.registryUrl, topic: `bench.${runId}.events`, shape, log });

const outcomes: RoundOutcome[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternating order (A B C D, D C B A, …): no contender always runs on a warm or a cold page cache.
  const order = round % 2 === 1 ? contenders : [...contenders].reverse();
  for (const contender of order) {
    log(`round ${round}: ${contender.name}`);
    const outcome = await contender.runRound({ round, runId, workload, endpoints, logDir, log });
    log(
      `  ${contender.name}: ${(outcome.events / outcome.seconds).toFixed(0)} events/s, ${outcome.seconds.toFixed(1)} s, ` +
        `${outcome.cpuSeconds.toFixed(1)} CPU-s, peak RSS ${(outcome.peakRssBytes / 1048576).toFixed(0)} MB, ` +
        `${outcome.verdict.valid ? 'equal to the oracle' : `NOT equal to the oracle: ${outcome.verdict.examples.join('; ')}`}`,
    );
    outcomes.push(outcome);
  }
}

// Memory must be bounded by the open windows, not the input: Sluice once more on a quarter of the input.
let memory: MemoryResult | undefined;
if (!args['no-memory'] && contenders.some((c) => c.name === 'sluice')) {
  const smallShape = { ...shape, events: Math.round(shape.events / 4) };
  const small = await produceWorkload({ bootstrap: endpoints.bootstrap, registryUrl: endpoints.registryUrl, topic: `bench.${runId}.events-quarter`, shape: smallShape, log });
  log(`memory: sluice on ${smallShape.events.toLocaleString('en-US')} events`);
  const quarter = await sluiceContender().runRound({ round: 0, runId: `${runId}-quarter`, workload: small, endpoints, logDir, log });
  const full = outcomes.filter((o) => o.contender === 'sluice').map((o) => o.peakRssBytes);
  memory = { events: [smallShape.events, shape.events], peakRssMb: [quarter.peakRssBytes / 1048576, (spread(full)?.median ?? 0) / 1048576], valid: quarter.verdict.valid };
}

let sink: SinkBenchResult | undefined;
if (!args['no-sink']) sink = await runSinkBench({ runId, workload, endpoints, logDir, log });
let latency: LatencyResult | undefined;
if (!args['no-latency']) {
  latency = await runLatency({
    runId,
    endpoints,
    logDir,
    log,
    rate: Number(args['latency-rate']),
    seconds: Number(args['latency-seconds'] ?? (args.quick ? 40 : 120)),
    keys: shape.keys,
    partitions: shape.partitions,
  });
}

await writeReport({ runId, shape, rounds, outcomes, memory, sink, latency, resultsDir: join(root, 'bench', 'results'), print: (line) => console.log(line), log });
