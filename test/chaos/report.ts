import type { SeedResult } from './chaos-run.js';

/** The failure report of one seed: its seed, schedule, what went wrong, and how to replay it. */
export function report(r: SeedResult): string {
  const lines = [`FAIL seed ${r.seed} (${r.profile}, run ${r.runId}): ${r.verdict}`, `  workload: ${JSON.stringify(r.workload)}`, '  fault schedule:'];
  for (const s of r.schedule) lines.push(`    ${s}`);
  for (const f of r.failures) lines.push(`  ✗ ${f}`);
  for (const d of r.diffs) for (const e of d.examples) lines.push(`      ${d.output} ${e}`);
  if (r.reasons) lines.push(`  dead letters by reason (expected/actual): ${Object.entries(r.reasons).map(([k, v]) => `${k} ${v.expected}/${v.actual}`).join(', ')}`);
  for (const a of r.anomalies) lines.push(`  instance ${a.instance}: ${a.what}\n${a.tail.split('\n').map((l) => `      ${l}`).join('\n')}`);
  for (const o of r.observations) lines.push(`  (observed) ${o}`);
  if (r.error) lines.push(`  harness error: ${r.error}`);
  if (r.logDir) lines.push(`  logs: ${r.logDir}`);
  lines.push(`  replay: npm run chaos -- --seed ${r.seed} --profile ${r.profile}`);
  return lines.join('\n');
}
