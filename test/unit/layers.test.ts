import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from 'vitest';
import { checkLayers } from '../../scripts/check-layers.mjs';
import { SeededRandom } from '../../src/cli/generators/seeded-random.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const checker = join(repo, 'scripts', 'check-layers.mjs');

interface Violation {
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}
interface CheckResult {
  readonly files: number;
  readonly violations: readonly Violation[];
  readonly fileCycles: readonly (readonly string[])[];
}

/** Runs the checker as CI does (its own process), with --json for the details. */
function runChecker(root: string): { readonly status: number | null; readonly result: CheckResult | undefined; readonly stderr: string } {
  const run = spawnSync(process.execPath, [checker, root, '--json'], { encoding: 'utf8' });
  const result = run.stdout.trim() === '' ? undefined : (JSON.parse(run.stdout) as CheckResult);
  return { status: run.status, result, stderr: run.stderr };
}

const trees: string[] = [];
afterEach(() => {
  for (const tree of trees.splice(0)) rmSync(tree, { recursive: true, force: true });
});

/** A fake repository root whose src/ holds `files` (path under src/ → text). */
function plantTree(files: Readonly<Record<string, string>>): string {
  const root = mkdtempSync(join(tmpdir(), 'sluice-layers-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'src', path)), { recursive: true });
    writeFileSync(join(root, 'src', path), text);
  }
  return root;
}

const found = (result: CheckResult | undefined): string[] => (result?.violations ?? []).map((v) => `${v.file} ${v.specifier}`).sort();

// The checker's own process loads the TypeScript parser, which takes seconds on a busy machine.
describe('the layer check', { timeout: 120_000 }, () => {
  test("this repository's src/ breaks no layer rule (known exceptions aside)", () => {
    const { status, result, stderr } = runChecker(repo);
    const listed = (result?.violations ?? []).map((v) => `${v.file}:${v.line} '${v.specifier}': ${v.rule}`).join('\n');
    expect(listed, stderr).toBe('');
    expect(status).toBe(0);
    expect(result?.files).toBeGreaterThan(100);
  });

  test('planted violations are each named with their file and import; allowed imports and imports in comments or strings are not', () => {
    const root = plantTree({
      'kafka/client.ts': "import { KafkaJS } from '@confluentinc/kafka-javascript';\nexport const k = KafkaJS;\n",
      'sinks/postgres/db.ts': "import { Kysely } from 'kysely';\nimport pg from 'pg';\nexport { Kysely, pg };\n",
      'plan/uses-kafka.ts': "import { k } from '../kafka/client.js';\nexport const p = k;\n",
      'dsl/reads-files.ts': "import { readFileSync } from 'node:fs';\nexport const d = readFileSync;\n",
      'runtime/own-client.ts': "import type { KafkaJS } from '@confluentinc/kafka-javascript';\nexport type R = typeof KafkaJS;\n",
      'worker/wiring.ts': "import type { C } from '../cli/thing.js';\nexport type W = C;\n",
      'runtime/lazy.ts': "export const load = () => import('../cli/thing.js');\n",
      'state/re-export.ts': "export * from '../runtime/own-client.js';\n",
      'cli/thing.ts': "import { k } from '../kafka/client.js';\nimport { Kysely } from '../sinks/postgres/db.js';\nexport type C = typeof k | typeof Kysely;\n",
      'runtime/example.ts': "import { Topology } from '../../topologies/bus-telemetry.js';\nexport const t = Topology;\n",
      'decoys/x.ts': "export const x = 1;\n",
      'metrics/quiet.ts': [
        "// import { k } from '../kafka/client.js';",
        "/** @example import { Kysely } from 'kysely'; */",
        "export const text = \"import pg from 'pg'\";",
        "import type { Registry } from 'prom-client';",
        "import { errorText } from '../error-text.js';",
        'export type M = Registry | typeof errorText;',
        '',
      ].join('\n'),
      'error-text.ts': 'export const errorText = (e: unknown): string => String(e);\n',
    });
    const { status, result } = runChecker(root);
    expect(status).toBe(1);
    expect(found(result)).toEqual(
      [
        'src/plan/uses-kafka.ts ../kafka/client.js',
        'src/dsl/reads-files.ts node:fs',
        'src/runtime/own-client.ts @confluentinc/kafka-javascript',
        'src/worker/wiring.ts ../cli/thing.js',
        'src/runtime/lazy.ts ../cli/thing.js',
        'src/state/re-export.ts ../runtime/own-client.js',
        'src/runtime/example.ts ../../topologies/bus-telemetry.js',
        'src/decoys/x.ts ',
      ].sort(),
    );
    const rule = (file: string): string => result?.violations.find((v) => v.file === file)?.rule ?? '';
    expect(rule('src/worker/wiring.ts')).toContain('nothing imports cli');
    expect(rule('src/runtime/own-client.ts')).toContain('only kafka imports @confluentinc/kafka-javascript');
    expect(rule('src/dsl/reads-files.ts')).toContain('pure');
    expect(rule('src/decoys/x.ts')).toContain('not in the layer table');
    expect(rule('src/runtime/example.ts')).toContain('outside src/');
  });

  // The README's rules, written out here on their own so the table is checked against them rather than against itself.
  const PURE = ['dsl', 'plan', 'state'];
  const forbidden: readonly (readonly [string, string])[] = [
    ...PURE.flatMap((l) => ['kafka', 'runtime', 'worker', 'cli', 'sinks/postgres', 'metrics', 'stack', 'picture', 'testing'].map((t) => [l, t] as const)),
    ...['dsl', 'plan', 'state', 'runtime', 'kafka', 'worker', 'metrics', 'serde', 'sinks', 'sinks/postgres', 'stack', 'picture', 'testing'].map((l) => [l, 'cli'] as const),
    ['runtime', 'kafka'],
    ['runtime', 'worker'],
    ['runtime', 'sinks/postgres'],
    ['worker', 'kafka'],
    ['serde', 'runtime'],
    ['state', 'plan'],
  ];
  const allowed: readonly (readonly [string, string])[] = [
    ['dsl', 'plan'],
    ['runtime', 'plan'],
    ['worker', 'runtime'],
    ['sinks/postgres', 'sinks'],
    ...['dsl', 'kafka', 'worker', 'sinks/postgres', 'runtime', 'testing', 'serde'].map((t) => ['cli', t] as const),
    ...['dsl', 'plan', 'state', 'runtime', 'kafka', 'worker', 'cli'].map((l) => [l, l] as const),
  ];
  const forms = [
    (spec: string) => `import { v } from '${spec}';`,
    (spec: string) => `import type { T } from '${spec}';`,
    (spec: string) => `export { v } from '${spec}';`,
    (spec: string) => `export const lazy = () => import('${spec}');`,
  ];
  const decoys = [(spec: string) => `// import { v } from '${spec}';`, (spec: string) => `export const s = "import { v } from '${spec}'";`];

  test.each([1, 2, 3, 4, 5, 6, 7, 8])('seeded random trees (seed %i): every forbidden import is named, no allowed one or decoy is', (seed) => {
    const random = new SeededRandom(seed);
    const files: Record<string, string> = {};
    const expected: string[] = [];
    const layers = [...new Set([...forbidden, ...allowed].flat())];
    for (const layer of layers) files[`${layer}/target.ts`] = 'export const v = 1;\nexport type T = number;\n';
    for (let i = 0; i < 60; i++) {
      const bad = random.chance(0.5);
      const [from, to] = random.pick(bad ? forbidden : allowed);
      const depth = from.split('/').length;
      const spec = `${'../'.repeat(depth)}${to}/target.js`;
      const file = `${from}/f${i}.ts`;
      const lines = [random.pick(forms)(spec)];
      if (random.chance(0.5)) lines.splice(random.int(0, 1), 0, random.pick(decoys)(`${'../'.repeat(depth)}cli/target.js`));
      files[file] = `${lines.join('\n')}\n`;
      if (bad) expected.push(`src/${file} ${spec}`);
    }
    // In this process: the command's exit status and output are the other tests' business.
    expect(found(checkLayers(plantTree(files)))).toEqual(expected.sort());
  });

  test('import cycles between files are reported, not failed', () => {
    const root = plantTree({
      'dsl/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'dsl/b.ts': "import type { C } from './c.js';\nexport const b = 1 as unknown as C;\n",
      'dsl/c.ts': "import { a } from './a.js';\nexport type C = typeof a;\n",
      'dsl/d.ts': "import { a } from './a.js';\nexport const d = a;\n",
      'cli/e.ts': "import { d } from '../dsl/d.js';\nexport const e = d;\n",
    });
    const result = checkLayers(root);
    expect(result.violations).toEqual([]);
    expect(result.fileCycles).toEqual([['dsl/a.ts', 'dsl/b.ts', 'dsl/c.ts']]);
    expect(result.cyclesWithinLayers).toEqual([['dsl/a.ts', 'dsl/b.ts', 'dsl/c.ts']]);
  });

  test('a root without src/ is an error of the check itself (exit 2), not a pass', () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-layers-'));
    trees.push(root);
    const run = spawnSync(process.execPath, [checker, root], { encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('is no directory');
  });
});
