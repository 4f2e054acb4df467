import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../../src', import.meta.url));

/**
 * The relative imports a module keeps at run time. Under verbatimModuleSyntax
 * only `import type` / `export type` statements are erased; `import { type X }`
 * still loads the module, so it counts.
 */
function runtimeImports(file: string, text: string): string[] {
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'/gm;
  for (const m of text.matchAll(statement)) {
    if (m[2] !== undefined) continue;
    const spec = m[3] ?? m[4];
    if (spec !== undefined) found.push(resolve(dirname(file), spec.replace(/\.js$/, '.ts')));
  }
  return found;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every cycle's members, found by depth-first search (grey = on the current path). */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const state = new Map<string, 'grey' | 'black'>();
  const path: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'grey');
    path.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'grey') found.push(path.slice(path.indexOf(next)));
      else if (state.get(next) === undefined && graph.has(next)) visit(next);
    }
    path.pop();
    state.set(node, 'black');
  };
  for (const node of graph.keys()) if (state.get(node) === undefined) visit(node);
  return found;
}

function graphOf(dir: string): Map<string, string[]> {
  return new Map(tsFiles(dir).map((f) => [f, runtimeImports(f, readFileSync(f, 'utf8'))]));
}

describe('import cycles', () => {
  it('the checker sees a run-time cycle and ignores a type-only one', () => {
    const a = '/x/a.ts';
    const b = '/x/b.ts';
    expect(runtimeImports(a, "import { B } from './b.js';")).toEqual([b]);
    expect(runtimeImports(a, "import { type B } from './b.js';")).toEqual([b]);
    expect(runtimeImports(a, "import type { B } from './b.js';")).toEqual([]);
    expect(runtimeImports(a, "export { B, type C } from './b.js';")).toEqual([b]);
    expect(runtimeImports(a, "export type { C } from './b.js';")).toEqual([]);
    expect(cycles(new Map([[a, [b]], [b, [a]]]))).toEqual([[a, b]]);
    expect(cycles(new Map([[a, [b]], [b, []]]))).toEqual([]);
  });

  it('src/dsl has no run-time import cycle (type-only cycles are erased at compile time)', () => {
    const found = cycles(graphOf(join(SRC, 'dsl'))).map((c) => c.map((f) => relative(SRC, f)).join(' → '));
    expect(found).toEqual([]);
  });
});
