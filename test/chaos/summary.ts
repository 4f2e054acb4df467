/** `npm run chaos -- --summary [file.jsonl …]`: totals over result files (default: all of test/chaos/results). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface Line {
  readonly seed: number;
  readonly profile: string;
  readonly verdict: string;
  readonly harness?: string;
  readonly faultsInjected: number;
  readonly faultsByKind: Readonly<Record<string, number>>;
  readonly failures: readonly string[];
  readonly observations?: readonly string[];
}

export function summarize(files: readonly string[], resultsDir: string, print: (line: string) => void): void {
  const list = files.length > 0 ? files : existsSync(resultsDir) ? readdirSync(resultsDir).filter((f) => f.endsWith('.jsonl')).map((f) => join(resultsDir, f)) : [];
  let seeds = 0;
  let faults = 0;
  let failed = 0;
  const kinds: Record<string, number> = {};
  for (const file of list) {
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (text.trim() === '') continue;
      const r = JSON.parse(text) as Line;
      seeds += 1;
      faults += r.faultsInjected;
      for (const [k, n] of Object.entries(r.faultsByKind)) kinds[k] = (kinds[k] ?? 0) + n;
      if (r.verdict !== 'pass') {
        failed += 1;
        print(`${r.verdict.toUpperCase()} seed ${r.seed} (${r.profile}, ${r.harness ?? 'code unknown'}): ${r.failures.join('; ')}`);
      }
    }
  }
  print(`faults by kind: ${Object.entries(kinds).sort(([, a], [, b]) => b - a).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  print(`chaos: ${seeds} seeds, ${faults} faults injected, ${failed} failures (${list.length} result file(s))`);
}
