import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';

/**
 * The repository's own examples, by name. Tests about the examples use these
 * lists, never a listing of `topologies/`, `schemas/` or `sql/`: a user who
 * adds a topology, a schema or a migration there must not break Sluice's tests.
 */
export const repoRoot = new URL('../..', import.meta.url).pathname;

/** The example topologies (`topologies/<name>.ts`). */
export const EXAMPLE_TOPOLOGIES = [
  'bus-telemetry', 'events-pipeline', 'heartbeat-monitoring', 'order-analytics', 'order-processing', 'order-storage', 'traffic-monitoring',
] as const;

/** The examples' schemas (`schemas/<name>.avsc`). */
export const EXAMPLE_SCHEMAS = [
  'app-event', 'bus-telemetry', 'heart-rate-alert', 'heartbeat', 'order-event', 'order-state', 'road-sensor', 'traffic-incident', 'vehicle-gps',
] as const;

/** The examples' tables (`sql/<file>`), in order (Sluice's own tables are made by code, not by files). */
export const EXAMPLE_MIGRATIONS = [
  '002_bus_telemetry.sql', '003_events_pipeline.sql', '004_traffic_monitoring.sql', '005_order_events.sql',
  '006_heartbeat_monitoring.sql', '007_order_status.sql', '008_dlq_events_rows.sql', '009_aggregate_column_types.sql',
] as const;

/** The examples' hand-written workloads, files of `workloads/`. */
export const EXAMPLE_WORKLOAD_FILES = ['bus-telemetry', 'events-pipeline', 'heartbeat-monitoring', 'order-events', 'traffic-monitoring'] as const;

/**
 * Copies the examples — topology files with their pages and `types/`, the
 * example schemas and migrations, nothing a user added — into `dir`. The
 * hand-written workloads import Sluice's generator kit by relative path, so
 * the copy gets one-line files re-exporting the repository's own.
 */
export function copyExamples(dir: string): void {
  for (const sub of ['topologies', 'schemas', 'sql', 'workloads']) mkdirSync(join(dir, sub), { recursive: true });
  for (const name of EXAMPLE_WORKLOAD_FILES) {
    writeFileSync(join(dir, 'workloads', `${name}.ts`), `export { default } from '${join(repoRoot, 'workloads', `${name}.js`)}';\n`);
  }
  for (const name of EXAMPLE_TOPOLOGIES) cpSync(join(repoRoot, 'topologies', `${name}.ts`), join(dir, 'topologies', `${name}.ts`));
  cpSync(join(repoRoot, 'topologies', 'types'), join(dir, 'topologies', 'types'), { recursive: true });
  for (const name of EXAMPLE_SCHEMAS) cpSync(join(repoRoot, 'schemas', `${name}.avsc`), join(dir, 'schemas', `${name}.avsc`));
  for (const file of EXAMPLE_MIGRATIONS) cpSync(join(repoRoot, 'sql', file), join(dir, 'sql', file));
}

/**
 * A folder holding copies of only the example files of `sub` (`schemas` or
 * `sql`), for code that takes a folder: under `.sluice/tmp/`, named after
 * the files' content so every test process shares one and a changed example
 * makes a new one.
 */
export function examplesOnlyDir(sub: 'schemas' | 'sql'): string {
  const files = sub === 'schemas' ? EXAMPLE_SCHEMAS.map((n) => `${n}.avsc`) : [...EXAMPLE_MIGRATIONS];
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(join(repoRoot, sub, file)));
  const dir = join(repoRoot, '.sluice', 'tmp', `examples-${sub}-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(dir)) return dir;
  // Written aside, then renamed: a process that finds the folder finds it whole.
  const partial = `${dir}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  mkdirSync(partial, { recursive: true });
  for (const file of files) writeFileSync(join(partial, file), readFileSync(join(repoRoot, sub, file)));
  try {
    renameSync(partial, dir);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(dir)) throw error;
  }
  return dir;
}
