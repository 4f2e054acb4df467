import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { eventually } from '../../support/kafka-test-kit.js';
import { freshDatabase, repoRoot } from '../../support/topology-e2e.js';

// Issue 18, item 8: Sluice as a user gets it. `npm pack`, then a project outside the repository made
// by `sluice init`, installed from the tarball with npm, type-checked under its strict tsconfig, its
// unit test run, and its example run end to end on the real stack with `sluice topics`, `produce`
// and `consume` — every command the installed package's own bin, nothing from this checkout.
const stack = inject('stack');
const execFileAsync = promisify(execFile);
const TOPIC_PREFIX = `parking-${Date.now().toString(36)}`;

interface Command {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The environment of a user's shell: this suite's own vitest variables would steer the project's vitest. */
function userEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NODE_ENV' && !k.startsWith('npm_')));
  return { ...clean, ...extra };
}

async function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeout = 300_000): Promise<Command> {
  try {
    const { stdout, stderr } = await execFileAsync(command, [...args], { cwd, env: userEnv(env), timeout, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: unknown; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? String(error) };
  }
}

function ok(result: Command, what: string): Command {
  expect(result.code, `${what} failed:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-3000)}`).toBe(0);
  return result;
}

describe('the installed package: init, type-check, unit test and the example end to end', () => {
  const work = mkdtempSync(join(tmpdir(), 'sluice-package-'));
  const app = join(work, 'parking');
  let tarball = '';
  let files: string[] = [];
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const env = (): NodeJS.ProcessEnv => ({
    KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers,
    SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl,
    DATABASE_URL: database.url,
  });
  const sluice = (args: readonly string[], timeout?: number): Promise<Command> =>
    run(process.execPath, [join(app, 'node_modules', 'sluice', 'bin', 'sluice.js'), ...args], app, env(), timeout);

  beforeAll(async () => {
    database = await freshDatabase(stack.databaseUrl, 'sluice_package');
    const packed = ok(await run('npm', ['pack', '--json', '--pack-destination', work], repoRoot, {}, 300_000), 'npm pack');
    const report = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, report[0]!.filename);
    files = report[0]!.files.map((f) => f.path);
    // The starter, made by the CLI of this checkout; the same command of the installed package is checked below.
    ok(await run(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), 'init', app, '--sluice', `file:${tarball}`], work), 'sluice init');
    ok(await run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], app, {}, 600_000), 'npm install');
  }, 900_000);

  afterAll(async () => {
    await database?.drop();
    rmSync(work, { recursive: true, force: true });
  });

  it('the tarball holds what a user needs and no test, bench, example or source file', () => {
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/testing/index.js');
    expect(files).toContain('dist/cli/main.js');
    expect(files).toContain('bin/sluice.js');
    expect(files).toContain('templates/starter/topologies/parking-occupancy.ts');
    const stray = files.filter((f) => /^(src|test|bench|topologies|schemas|sql|workloads|examples|docs|\.ci|\.sluice)\//.test(f) || f.endsWith('.test.js') || f.endsWith('.tsbuildinfo'));
    expect(stray).toEqual([]);
    // Nothing but the build, the bin, the starter's own files and npm's always-included files (a test
    // run inside templates/ once left a vitest cache that the tarball picked up).
    const outside = files.filter((f) => !/^(dist\/|bin\/sluice\.js$|templates\/starter\/(?!.*node_modules)|package\.json$|README\.md$|LICENSE)/.test(f));
    expect(outside).toEqual([]);
    expect(files.filter((f) => f.startsWith('templates/')).sort()).toEqual(
      ['.gitignore' /* as gitignore */, 'README.md', 'data/parking-events.jsonl', 'package.json', 'schemas/parking-event.avsc', 'sql/001_lot_activity.sql', 'test/parking-occupancy.test.ts', 'topologies/parking-occupancy.ts', 'topologies/types/schemas.ts', 'tsconfig.json']
        .map((f) => `templates/starter/${f === '.gitignore' ? 'gitignore' : f}`)
        .sort(),
    );
    expect(files.filter((f) => f.startsWith('dist/cli/generators/') && /(bus-telemetry|events-pipeline|heartbeat|order-events|traffic)/.test(f))).toEqual([]);
  });

  it('plain node imports sluice and sluice/testing (no TypeScript loader)', async () => {
    const script = "const s = await import('sluice'); const t = await import('sluice/testing'); console.log(typeof s.topology, typeof s.plan, typeof t.TopologyTestDriver);";
    const result = ok(await run(process.execPath, ['--input-type=module', '-e', script], app), 'import');
    expect(result.stdout.trim()).toBe('function function function');
  });

  it('the project type-checks under its strict tsconfig, and its unit test passes on the test driver', async () => {
    const tsconfig = JSON.parse(readFileSync(join(app, 'tsconfig.json'), 'utf8')) as { compilerOptions: Record<string, unknown> };
    expect(tsconfig.compilerOptions).toMatchObject({ strict: true, exactOptionalPropertyTypes: true, noPropertyAccessFromIndexSignature: true, noUncheckedIndexedAccess: true });
    ok(await run('npx', ['tsc', '--noEmit'], app), 'tsc');
    // Sluice's own declarations must hold under the user's strictness too, not only behind skipLibCheck.
    const strictLibs = ok(await run('npx', ['tsc', '--noEmit', '--skipLibCheck', 'false'], app), 'tsc without skipLibCheck');
    expect(strictLibs.stdout).toBe('');
    const tests = ok(await run('npx', ['vitest', 'run'], app), 'vitest');
    expect(tests.stdout).toMatch(/1 passed/);
  });

  it("the installed package's own init makes the same project", async () => {
    const again = join(work, 'again');
    ok(await run(process.execPath, [join(app, 'node_modules', 'sluice', 'bin', 'sluice.js'), 'init', again, '--sluice', `file:${tarball}`], work), 'installed init');
    for (const file of ['topologies/parking-occupancy.ts', 'schemas/parking-event.avsc', 'sql/001_lot_activity.sql', 'test/parking-occupancy.test.ts', 'tsconfig.json', '.gitignore']) {
      expect(readFileSync(join(again, file), 'utf8'), file).toBe(readFileSync(join(app, file), 'utf8'));
    }
    expect(readFileSync(join(again, 'package.json'), 'utf8')).toBe(readFileSync(join(app, 'package.json'), 'utf8').replace('"name": "parking"', '"name": "again"'));
  });

  it("another copy of Sluice (here: this checkout's) given --project hands over to the project's own", async () => {
    // The project's topologies import its node_modules/sluice; another copy's runtime would find them foreign.
    const listed = ok(await run(process.execPath, [join(repoRoot, 'bin', 'sluice.js'), '--project', app, 'list'], work), 'list from another copy');
    expect(listed.stdout).toMatch(/^parking-occupancy\s+parking\.events → /m);
    expect(listed.stdout).not.toContain('INVALID');
  });

  it('runs end to end: topics, produce, run, rows equal to an oracle in PostgreSQL, the DLQ holds exactly the invalid events', async () => {
    // Topic names of this run only, as a user would rename them: the broker may be shared and long-lived.
    const topologyFile = join(app, 'topologies', 'parking-occupancy.ts');
    writeFileSync(topologyFile, readFileSync(topologyFile, 'utf8').replaceAll("'parking.", `'${TOPIC_PREFIX}.`));
    const source = `${TOPIC_PREFIX}.events`;
    const dlq = `${TOPIC_PREFIX}.events.dlq`;
    ok(await sluice(['topics', 'create', source, '--partitions', '3']), 'topics create');
    const described = ok(await sluice(['topics', 'describe', source]), 'topics describe');
    expect(described.stdout).toContain(source);

    const lines = readFileSync(join(app, 'data', 'parking-events.jsonl'), 'utf8').trim().split('\n');
    const events = lines.map((l) => JSON.parse(l) as { lot_id: string; action: string; timestamp: number });
    // The oracle, from the sample file alone: per lot and closed minute, events and actions counted.
    const lastMs = Math.max(...events.map((e) => e.timestamp));
    const expected = new Map<string, { events: number; entered: number; exited: number }>();
    for (const e of events) {
      if (e.action !== 'enter' && e.action !== 'exit') continue;
      const start = Math.floor(e.timestamp / 60_000) * 60_000;
      if (start + 60_000 + 10_000 > lastMs) continue; // not closed by the end of the sample
      const key = `${e.lot_id}|${start}`;
      const row = expected.get(key) ?? { events: 0, entered: 0, exited: 0 };
      row.events += 1;
      if (e.action === 'enter') row.entered += 1;
      else row.exited += 1;
      expected.set(key, row);
    }
    const invalid = events.filter((e) => e.action !== 'enter' && e.action !== 'exit').map((e) => e.action).sort();
    expect(invalid.length).toBeGreaterThan(0);
    expect(expected.size).toBeGreaterThan(3);

    const child = spawn(process.execPath, [join(app, 'node_modules', 'sluice', 'bin', 'sluice.js'), 'run', 'parking-occupancy'], {
      cwd: app,
      env: userEnv(env()),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      ok(await sluice(['produce', source, '--key', 'lot_id', '--file', 'data/parking-events.jsonl']), 'produce');
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      try {
        let actual = new Map<string, { events: number; entered: number; exited: number }>();
        const mismatch = await eventually(async () => {
          const table = await db.query<{ n: string }>(`select count(*)::text as n from information_schema.tables where table_name = 'lot_activity'`);
          if (table.rows[0]?.n !== '1') return 'lot_activity does not exist yet';
          const { rows } = await db.query<{ lot_id: string; ws: string; events: string; entered: string; exited: string }>(
            `select lot_id, (extract(epoch from window_start) * 1000)::bigint::text as ws, events::text, entered::text, exited::text from lot_activity`,
          );
          actual = new Map(rows.filter((r) => expected.has(`${r.lot_id}|${r.ws}`)).map((r) => [`${r.lot_id}|${r.ws}`, { events: Number(r.events), entered: Number(r.entered), exited: Number(r.exited) }]));
          return actual.size === expected.size && [...expected].every(([k, v]) => JSON.stringify(actual.get(k)) === JSON.stringify(v))
            ? undefined
            : `${actual.size} of ${expected.size} closed windows as expected`;
        }, 120_000, 1_000);
        expect(mismatch, output.slice(-4000)).toBeUndefined();
        expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
      } finally {
        await db.end();
      }
      // The dead letters, read back with the installed `sluice consume`: exactly the invalid events, with their reason.
      const consumed = ok(await sluice(['consume', dlq, '--from-beginning']), 'consume');
      const deadLetters = consumed.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { headers: Record<string, string>; value: { action: string } });
      expect(deadLetters.map((d) => d.value.action).sort()).toEqual(invalid);
      expect(deadLetters.map((d) => d.headers['sluice.error.reason'])).toEqual(invalid.map(() => 'invalid'));
      expect(deadLetters.map((d) => d.headers['sluice.error.message']).sort()).toEqual(invalid.map((a) => `unknown action "${a}"`).sort());
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited, output.slice(-4000)).toBe(0);
  });
});
