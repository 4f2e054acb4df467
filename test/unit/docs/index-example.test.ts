import { readFileSync } from 'node:fs';
import { avg, count, describe as describeTopology, max, plan, sum, topology, tumbling } from 'sluice';
import { describe, expect, it } from 'vitest';

const INDEX = new URL('../../../src/index.ts', import.meta.url);

/** The module's @example: its code (doc prefix stripped) and the output it shows as `// ` lines. */
function moduleExample(): { code: string; shown: string } {
  const doc = readFileSync(INDEX, 'utf8').split('@module')[0]!;
  const block = doc.slice(doc.indexOf('```ts') + 5, doc.lastIndexOf('```'));
  const lines = block.split('\n').map((l) => l.replace(/^ \* ?/, ''));
  const code = lines.filter((l) => !l.startsWith('//') && !l.startsWith('import ') && !l.startsWith('console.log')).join('\n');
  const shown = lines.filter((l) => l.startsWith('// ')).map((l) => l.slice(3)).join('\n');
  return { code, shown };
}

describe("src/index.ts's example", () => {
  it('shows what describe(plan(t)) prints for its topology', () => {
    const { code, shown } = moduleExample();
    expect(shown).not.toBe('');
    // The example's own code, run: only its type argument is TypeScript.
    const build = new Function('topology', 'tumbling', 'count', 'avg', 'max', 'sum', `${code.replace('<BusTelemetry>', '')}\nreturn t;`) as (
      ...fns: unknown[]
    ) => Parameters<typeof plan>[0];
    const t = build(topology, tumbling, count, avg, max, sum);
    expect(describeTopology(plan(t)).trimEnd()).toBe(shown);
  });
});
