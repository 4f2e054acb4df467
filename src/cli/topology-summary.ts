import type { TopologyPlan } from '../plan/topology-plan.js';

/**
 * One line saying what a topology reads and writes, for `sluice list`:
 * source topics, then outputs (tables marked), then sinks.
 *
 * @example
 * ```ts
 * summarizeTopology(plan(busTelemetry));
 * // 'bus.telemetry → bus.route-stats.1m (table), bus.telemetry.dlq (dead letters) · sinks: route-stats-pg (postgres)'
 * ```
 */
export function summarizeTopology(plan: TopologyPlan): string {
  const sources = plan.topics.filter((t) => t.role === 'source').map((t) => t.name);
  const outputs = plan.topics.flatMap((t) => {
    if (t.role === 'table') return [`${t.name} (table)`];
    if (t.role === 'output') return [t.name];
    if (t.role === 'dead-letter') return [`${t.name} (dead letters)`];
    return [];
  });
  const sinks = plan.sinks.map((s) => `${s.name} (${s.spec.kind})`);
  let line = `${sources.join(', ') || '(no source)'} → ${outputs.join(', ') || '(nothing)'}`;
  if (sinks.length > 0) line += ` · sinks: ${sinks.join(', ')}`;
  return line;
}

/**
 * The lines of `sluice list`: names padded to one column, then the summary
 * (or the reason a topology fails to load, so one broken file does not hide
 * the others).
 *
 * @example
 * ```ts
 * formatTopologyList([{ name: 'bus-telemetry', summary: 'bus.telemetry → bus.route-stats.1m (table)' }, { name: 'broken', error: 'step x: …' }]);
 * // ['bus-telemetry  bus.telemetry → bus.route-stats.1m (table)', 'broken         INVALID: step x: …']
 * ```
 */
export function formatTopologyList(entries: readonly ({ readonly name: string } & ({ readonly summary: string } | { readonly error: string }))[]): string[] {
  const width = Math.max(0, ...entries.map((e) => e.name.length));
  return entries.map((e) => `${e.name.padEnd(width)}  ${'summary' in e ? e.summary : `INVALID: ${e.error}`}`);
}
