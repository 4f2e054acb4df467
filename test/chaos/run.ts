/**
 * `npm run chaos -- [--seed N] [--seeds N] [--profile short|long] [--keep] [--at <commit>]`,
 * `npm run chaos -- --summary [file.jsonl …]`, `npm run chaos -- --clean`
 *
 * Runs seeds one after another (`--seed N`: that one, to replay a failure;
 * `--seeds N`: N seeds from `--from`, default 1), appends one JSON line per
 * seed to test/chaos/results/<profile>-<time>.jsonl and ends with
 * `chaos: N seeds, M faults injected, K failures` (exit 1 on any failure).
 */
import { execFileSync, execSync, spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveEndpoints } from '../../src/cli/endpoints.js';
import { runSeed } from './chaos-run.js';
import { report } from './report.js';
import { cleanKeptRuns } from './clean.js';
import { summarize } from './summary.js';
import { killChildrenNow } from './instances.js';
import { repoRoot } from './project.js';
import { describeSchedule, scenarioFor, type ProfileName } from './scenario.js';

function parse(argv: readonly string[]): { seeds: number[]; profile: ProfileName; keep: boolean; clean: boolean } {
  let seed: number | undefined;
  let count = 1;
  let from = 1;
  let profile: ProfileName = 'short';
  let keep = false;
  let clean = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--seed') seed = Number(value());
    else if (arg === '--seeds') count = Number(value());
    else if (arg === '--from') from = Number(value());
    else if (arg === '--profile') {
      const p = value();
      if (p !== 'short' && p !== 'long') throw new Error(`--profile is short or long, got ${p}`);
      profile = p;
    } else if (arg === '--keep') keep = true;
    else if (arg === '--clean') clean = true;
    else throw new Error(`unknown option ${arg} (--seed N | --seeds N [--from N] | --profile short|long | --keep | --clean)`);
  }
  for (const [name, v] of [['--seed', seed ?? 1], ['--seeds', count], ['--from', from]] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${name} must be a whole number, got ${v}`);
  }
  return { seeds: seed !== undefined ? [seed] : Array.from({ length: count }, (_, i) => from + i), profile, keep, clean };
}

/**
 * `--at <rev>`: runs the harness and `sluice run` from a copy of that commit (git archive, outside
 * the working tree, node_modules linked), so a shared working tree's edits in progress are not what
 * is tested. Results still go to this checkout's test/chaos/results.
 */
function runAt(rev: string, rest: readonly string[]): Promise<number> {
  const sha = execFileSync('git', ['rev-parse', '--short', `${rev}^{commit}`], { cwd: repoRoot, encoding: 'utf8' }).trim();
  const dir = join(tmpdir(), `sluice-chaos-${sha}`);
  if (!existsSync(join(dir, 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    execSync(`git archive ${sha} | tar -x -C ${JSON.stringify(dir)}`, { cwd: repoRoot });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  }
  console.info(`chaos: running commit ${sha} from ${dir}`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(dir, 'test', 'chaos', 'run.ts'), ...rest], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, CHAOS_COMMIT: sha, CHAOS_RESULTS_DIR: process.env.CHAOS_RESULTS_DIR ?? join(repoRoot, 'test', 'chaos', 'results') },
  });
  // Ctrl-C reaches the child too (same process group); wait for it to finish its seed.
  process.on('SIGINT', () => {});
  return new Promise((resolve) => child.on('exit', (code) => resolve(code ?? 1)));
}

function gitHead(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--summary') {
    summarize(argv.slice(1), process.env.CHAOS_RESULTS_DIR ?? join(repoRoot, 'test', 'chaos', 'results'), (line) => console.info(line));
    return 0;
  }
  const atIndex = argv.indexOf('--at');
  if (atIndex >= 0) {
    const rev = argv[atIndex + 1];
    if (rev === undefined) throw new Error('--at needs a commit');
    return runAt(rev, [...argv.slice(0, atIndex), ...argv.slice(atIndex + 2)]);
  }
  const { seeds, profile, keep, clean } = parse(argv);
  const endpoints = resolveEndpoints(repoRoot);
  const stack = {
    kafkaBootstrapServers: endpoints.kafkaBootstrapServers,
    schemaRegistryUrl: endpoints.schemaRegistryUrl,
    databaseUrl: endpoints.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  };
  if (clean) {
    await cleanKeptRuns(stack, (line) => console.info(line));
    return 0;
  }
  const resultsDir = process.env.CHAOS_RESULTS_DIR ?? join(repoRoot, 'test', 'chaos', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const file = join(resultsDir, `${profile}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
  // Seeds replay exactly with the code they ran with: the commit goes into every result line.
  const harness = process.env.CHAOS_COMMIT ?? `working tree at ${gitHead()}`;
  console.info(`chaos: ${seeds.length} seed(s), profile ${profile}, harness ${harness}, results in ${file}`);
  let faults = 0;
  let failed = 0;
  let done = 0;
  let stopping = false;
  process.on('SIGINT', () => {
    if (stopping) {
      killChildrenNow();
      process.exit(130);
    }
    stopping = true;
    console.info('chaos: stopping after this seed (Ctrl-C again to exit at once)');
  });
  for (const seed of seeds) {
    if (stopping) break;
    const scenario = scenarioFor(seed, profile);
    console.info(`seed ${seed}: ${JSON.stringify(scenario.workload)}\n  ${describeSchedule(scenario).join('\n  ')}`);
    const result = await runSeed(scenario, stack, { logDir: join(resultsDir, 'logs'), keep });
    appendFileSync(file, `${JSON.stringify({ ...result, harness, at: new Date().toISOString() })}\n`);
    done += 1;
    faults += result.faultsInjected;
    if (result.verdict !== 'pass') {
      failed += 1;
      console.info(report(result));
    } else {
      console.info(`PASS seed ${seed}: ${result.faultsInjected} faults, ${JSON.stringify(result.oracle)}, ${(result.timingsMs.total! / 1000).toFixed(0)} s`);
      for (const o of result.observations) console.info(`  (observed) ${o}`);
    }
  }
  console.info(`chaos: ${done} seeds, ${faults} faults injected, ${failed} failures`);
  return failed > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`chaos: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
