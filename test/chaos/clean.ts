/**
 * Removes what kept chaos runs left behind — their topics, consumer groups, databases, project
 * directories and logs — for runs started over 20 minutes ago (so not a run in progress).
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { KafkaAdmin } from '../../src/kafka/kafka-admin.js';
import { allTopics, repoRoot, runNames } from './project.js';
import type { StackEndpoints } from './chaos-run.js';

/** A run started (its id ends in the base-36 start time) over 20 minutes ago: not one still running. */
const old = (runId: string): boolean => Date.now() - parseInt(runId.slice(runId.indexOf('-') + 1), 36) > 20 * 60_000;

/** Run ids look like `<seed>-<base36 time>`; topics `chaos.<runId>.…`, topology `chaos-<runId>`, database `chaos_<seed>_<time>`. */
export async function cleanKeptRuns(stack: StackEndpoints, print: (line: string) => void): Promise<void> {
  const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  try {
    const topics = (await admin.listTopics()).filter((t) => /^chaos[.-]\d+-[a-z0-9]+[.]/.test(t));
    const runIds = new Set(topics.map((t) => /^chaos[.-](\d+-[a-z0-9]+)[.]/.exec(t)![1]!).filter(old));
    for (const runId of runIds) {
      const n = runNames(runId);
      await admin.deleteGroups([n.groups.processing, ...Object.values(n.groups.sinks)]).catch(() => {});
      await admin.deleteTopics(allTopics(n).filter((t) => topics.includes(t))).catch(() => {});
      print(`removed the topics and groups of chaos run ${runId}`);
    }
  } finally {
    admin.close();
  }
  const c = new pg.Client({ connectionString: stack.databaseUrl });
  await c.connect();
  try {
    const { rows } = await c.query<{ datname: string }>("select datname from pg_database where datname ~ '^chaos_[0-9]+_[a-z0-9]+$'");
    for (const { datname } of rows.filter((r) => old(r.datname.slice('chaos_'.length).replace('_', '-')))) {
      await c.query(`drop database if exists ${datname} with (force)`);
      print(`dropped database ${datname}`);
    }
  } finally {
    await c.end();
  }
  const tmp = join(repoRoot, '.sluice', 'tmp');
  for (const d of readdirSync(tmp)) if (/^chaos-\d+-[a-z0-9]+$/.test(d) && old(d.slice('chaos-'.length))) rmSync(join(tmp, d), { recursive: true, force: true });
  const logs = join(repoRoot, 'test', 'chaos', 'results', 'logs');
  for (const d of existsSync(logs) ? readdirSync(logs) : []) if (old(d)) rmSync(join(logs, d), { recursive: true, force: true });
}
