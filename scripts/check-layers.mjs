#!/usr/bin/env node
// The layer check (issue 19, item 7): every import in <root>/src/** against one table of which
// folder may import which, so the shape the README's layout table describes stays that shape.
//
//   node scripts/check-layers.mjs [root] [--json]
//
// Exit 0 when every import is allowed (known exceptions included), 1 naming each file, import and
// rule otherwise, 2 when the check itself cannot run. It also lists import cycles between files
// (a report, not a failure: issue 19, item 6 removes the ones there are) and known exceptions that
// no longer occur (remove them from the table).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The layers of `src/`, keyed by path under `src/` (a folder, or a file directly in `src/`); a file
 * belongs to the longest key its path starts with. `may` lists the layers it may import besides
 * itself ('*': any). `pure` layers describe topologies as data: no Node built-ins and no packages
 * but those in `packages`. A `shared` entry (a small dependency-free helper) may be imported by
 * every layer. Keep in step with the README's layout table.
 */
export const LAYERS = {
  state: { may: [], pure: true, packages: [], what: 'windows, window stores, aggregators' },
  serde: { may: [], what: 'Avro, the Confluent wire format, registry clients' },
  plan: { may: ['state', 'serde', 'sinks'], pure: true, packages: ['rxjs'], what: 'the planner (pure, no I/O)' },
  dsl: { may: ['plan', 'state'], pure: true, packages: ['rxjs'], what: 'the topology builder (pure, no I/O)' },
  sinks: { may: ['serde'], what: 'the destination-neutral sink contract' },
  'sinks/postgres': { may: ['sinks', 'serde', 'optional-package.ts'], what: 'the PostgreSQL sink' },
  runtime: { may: ['plan', 'state', 'serde', 'sinks'], what: 'the per-partition engine' },
  testing: { may: ['dsl', 'plan', 'state', 'serde', 'sinks', 'runtime'], what: 'TopologyTestDriver' },
  kafka: { may: ['runtime', 'serde'], what: 'the librdkafka client' },
  worker: { may: ['runtime', 'plan', 'serde', 'source-mode.mjs'], what: 'the processing thread and its transport' },
  metrics: { may: ['runtime'], what: 'Prometheus metrics' },
  stack: { may: [], what: 'the local Kafka, registry and PostgreSQL' },
  picture: { may: ['plan', 'optional-package.ts'], what: 'topology pictures' },
  cli: { may: ['*'], what: 'the sluice command, which wires the rest' },
  'index.ts': { may: ['dsl', 'plan', 'state', 'serde', 'sinks', 'runtime', 'optional-package.ts'], what: "the package's public API" },
  'optional-package.ts': { may: [], what: 'loading optional packages' },
  'error-text.ts': { may: [], shared: true, what: "an error's message for logs and reports" },
  'partition-key.ts': { may: [], shared: true, what: 'the topic-partition key of maps and logs' },
  'pid-file.ts': { may: [], shared: true, what: 'claiming a pid file (a lock or a numbered slot) held by a live process' },
  'source-mode.mjs': { may: [], what: 'running from the sources through tsx (bin and processing threads)' },
};

/** Packages that only these layers may import, whatever else their table entry says. */
export const OWNED_PACKAGES = {
  '@confluentinc/kafka-javascript': ['kafka'],
  kysely: ['sinks/postgres'],
  pg: ['sinks/postgres'],
  '@electric-sql/pglite': ['sinks/postgres'],
  'playwright-core': ['picture'],
};

/**
 * Imports that break a rule today and are being fixed: file (under src/), the layer it imports,
 * and the issue. Each is allowed until it goes; a listed one that no longer occurs is reported.
 */
export const KNOWN_EXCEPTIONS = [
  { file: 'sinks/index.ts', imports: 'sinks/postgres', issue: 19, why: 'sinks/index re-exports the PostgreSQL sink (item 3: a lookup by kind instead)' },
];

const NODE_BUILTINS = new Set(builtinModules);
const SOURCE_FILE = /\.(ts|mts|cts|mjs|js)$/;

/** Every source file under `dir` (declaration files left out), as paths relative to `dir` with `/`. */
function sourceFiles(dir) {
  const files = [];
  const walk = (at) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (SOURCE_FILE.test(entry.name) && !/\.d\.[mc]?ts$/.test(entry.name)) files.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return files.sort();
}

/** The module specifiers a file imports: static, re-exports, `import type`, and `import('…')` with a literal. */
function importsOf(path) {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, false);
  const found = [];
  const visit = (node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteralLike(node.arguments[0])) {
      found.push({ specifier: node.arguments[0].text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      found.push({ specifier: node.argument.literal.text, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The table key a path under src/ belongs to, or undefined. */
function layerOf(path) {
  let best;
  for (const key of Object.keys(LAYERS)) {
    if ((path === key || path.startsWith(`${key}/`)) && (best === undefined || key.length > best.length)) best = key;
  }
  return best;
}

/** A bare specifier's package name (`@scope/name` or `name`), or `node:` for a Node built-in. */
function packageOf(specifier) {
  if (specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0])) return 'node:';
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** The file under src/ a relative import names (`.js` written for a `.ts` file), as the table sees it. */
function targetFile(srcDir, fromFile, specifier, files) {
  const path = relative(srcDir, resolve(srcDir, dirname(fromFile), specifier)).split(sep).join('/');
  if (files.has(path)) return path;
  const asTs = path.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts');
  if (files.has(asTs)) return asTs;
  for (const index of [`${path}/index.ts`, `${path}.ts`]) if (files.has(index)) return index;
  return path;
}

/** Why `layer` may not import `target`, or undefined when it may. */
function layerRule(layer, target) {
  const rule = LAYERS[layer];
  if (target === layer || rule.may.includes('*') || rule.may.includes(target) || LAYERS[target].shared) return undefined;
  if (target === 'cli') return 'nothing imports cli (only bin/sluice.js runs it)';
  const allowed = rule.may.length === 0 ? 'no other layer' : rule.may.join(', ');
  return `${layer} (${rule.what}) may import ${allowed}${rule.pure ? `; ${layer} is pure` : ''}`;
}

/** Why `layer` may not import the package, or undefined when it may. */
function packageRule(layer, pkg) {
  if (pkg === 'sluice') return "src/ imports its own files by relative path, not as 'sluice' (that is dist/ for users)";
  const owners = OWNED_PACKAGES[pkg];
  if (owners && !owners.includes(layer)) return `only ${owners.join(', ')} imports ${pkg}`;
  const rule = LAYERS[layer];
  if (!rule.pure) return undefined;
  if (pkg === 'node:') return `${layer} is pure: no Node built-ins (no I/O)`;
  if (!rule.packages.includes(pkg)) return `${layer} is pure: of packages it may import only ${rule.packages.join(', ') || 'none'}`;
  return undefined;
}

/** Strongly connected components of more than one file (Tarjan), each sorted, largest first. */
function cycles(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  const connect = (node) => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node), index.get(next)));
    }
    if (low.get(node) === index.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) connect(node);
  return found.sort((a, b) => b.length - a.length || a[0].localeCompare(b[0]));
}

/** A cycle in the table itself (a layer reaching itself through `may`), or undefined: the table must be layered. */
function tableCycle() {
  const graph = new Map(Object.entries(LAYERS).map(([layer, rule]) => [layer, rule.may.filter((m) => m !== '*')]));
  return cycles(graph)[0];
}

/**
 * Checks `<root>/src`. Returns the violations, the known exceptions that no longer occur, the
 * import cycles between files (all, and those inside one layer) and the layer graph as found.
 */
export function checkLayers(root) {
  const srcDir = join(root, 'src');
  if (!existsSync(srcDir) || !statSync(srcDir).isDirectory()) throw new Error(`${srcDir} is no directory: give the repository root`);
  const list = sourceFiles(srcDir);
  const files = new Set(list);
  const violations = [];
  const usedExceptions = new Set();
  const fileGraph = new Map();
  const layerGraph = new Map();
  const cycleInTable = tableCycle();
  if (cycleInTable) violations.push({ file: 'scripts/check-layers.mjs', line: 0, specifier: '', rule: `the table's layers import each other in a cycle: ${cycleInTable.join(', ')}` });
  for (const file of list) {
    const layer = layerOf(file);
    const edges = new Set();
    fileGraph.set(file, edges);
    if (layer === undefined) {
      violations.push({ file: `src/${file}`, line: 0, specifier: '', rule: `src/${file.split('/')[0]} is not in the layer table (scripts/check-layers.mjs): add it with what it may import, and to the README's layout` });
      continue;
    }
    for (const { specifier, line } of importsOf(join(srcDir, file))) {
      const at = { file: `src/${file}`, line, specifier };
      if (!specifier.startsWith('.')) {
        const rule = packageRule(layer, packageOf(specifier));
        if (rule) violations.push({ ...at, rule });
        continue;
      }
      const target = targetFile(srcDir, file, specifier, files);
      if (target.startsWith('../')) {
        violations.push({ ...at, rule: `src/ imports nothing outside src/ (${target.slice(3).split('/')[0]}/ is the repository's, not the package's)` });
        continue;
      }
      edges.add(target);
      const targetLayer = layerOf(target) ?? target.split('/')[0];
      if (targetLayer !== layer) {
        if (!layerGraph.has(layer)) layerGraph.set(layer, new Set());
        layerGraph.get(layer).add(targetLayer);
      }
      // A target outside the table is reported once, at its own files.
      const rule = LAYERS[targetLayer] === undefined ? undefined : layerRule(layer, targetLayer);
      if (rule === undefined) continue;
      const exception = KNOWN_EXCEPTIONS.find((e) => e.file === file && e.imports === targetLayer);
      if (exception) usedExceptions.add(exception);
      else violations.push({ ...at, rule });
    }
  }
  const fileCycles = cycles(fileGraph);
  return {
    files: list.length,
    violations,
    staleExceptions: KNOWN_EXCEPTIONS.filter((e) => !usedExceptions.has(e)),
    fileCycles,
    cyclesWithinLayers: fileCycles.filter((c) => new Set(c.map(layerOf)).size === 1),
    layerCycles: cycles(new Map([...layerGraph].map(([k, v]) => [k, [...v]]))),
  };
}

function main(argv) {
  const json = argv.includes('--json');
  const rootArg = argv.find((a) => !a.startsWith('--'));
  const root = resolve(rootArg ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  let result;
  try {
    result = checkLayers(root);
  } catch (error) {
    console.error(`check-layers: ${error instanceof Error ? error.message : String(error)}`);
    return 2;
  }
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return result.violations.length === 0 ? 0 : 1;
  }
  for (const v of result.violations) console.error(`${v.file}:${v.line}: import '${v.specifier}' — ${v.rule}`);
  for (const e of result.staleExceptions) console.log(`note: known exception no longer occurs, remove it from the table: src/${e.file} → ${e.imports} (issue ${e.issue})`);
  for (const c of result.layerCycles) console.log(`note: layers import each other in a cycle: ${c.join(', ')}`);
  for (const c of result.fileCycles) console.log(`note: import cycle of ${c.length} files: ${c.map((f) => `src/${f}`).join(', ')}`);
  const verdict = result.violations.length === 0 ? 'ok' : `${result.violations.length} violation(s)`;
  console.log(`check-layers: ${result.files} files under ${join(root, 'src')}, ${verdict}, ${KNOWN_EXCEPTIONS.length - result.staleExceptions.length} known exception(s) in use, ${result.fileCycles.length} file cycle(s)`);
  return result.violations.length === 0 ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
