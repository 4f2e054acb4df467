import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { busEventSchema } from '../../support/bus-workload.js';
import { produceAvro } from '../../support/kafka-test-kit.js';
import { SinkProject } from './support/sink-project.js';
import { drainAndStop, expectSinkTables, recentWorkload } from './support/sink-run-suite.js';

const stack = inject('stack');
const OUTAGE_MS = 20_000;

/** `pg_ctlcluster <version> main <action>` on the local server; throws with the command's output. */
function pgCluster(action: 'stop' | 'start'): void {
  const versions = readdirSync('/etc/postgresql');
  if (versions.length !== 1) throw new Error(`expected one PostgreSQL version in /etc/postgresql, found ${versions.join(', ') || 'none'}`);
  const args = ['--skip-systemctl-redirect', versions[0]!, 'main', action, ...(action === 'stop' ? ['-m', 'immediate'] : [])];
  execFileSync('pg_ctlcluster', args, { stdio: 'pipe', timeout: 60_000 });
}

describe('sluice run while PostgreSQL restarts', () => {
  const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
  let project: SinkProject | undefined;
  afterAll(async () => {
    await project?.dropSchema();
    project?.remove();
    admin.close();
  });

  it('controls the local PostgreSQL server: stopped ~20 s mid-stream, the sinks pause, retry, resume, and the tables still equal the oracle with nothing in the DLQ for it', async () => {
    // This test stops and starts the server itself: it cannot run on a server it does not control, and says so.
    expect(stack.sources.postgres, 'this test needs the local PostgreSQL cluster (pg_ctlcluster); the stack uses another server').toBe('local');
    const run = `outage-${randomUUID().slice(0, 8)}`;
    project = new SinkProject(run, stack, { kind: 'server', schema: `sluice_sink_${run.replaceAll('-', '_')}` });
    await project.prepare();
    await admin.ensureTopics([{ name: project.source, partitions: 3 }]);
    const input = recentWorkload({ count: 3_600, routes: 8, seed: 31, invalidEvery: 40 });
    const third = input.length / 3;
    const produce = (i: number) => produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, project!.source, busEventSchema, input.slice(i * third, (i + 1) * third));

    const child = project.start();
    try {
      await child.waitForLog('sink raw-pg: partitions assigned', 90_000);
      await produce(0);
      await sleep(3_000);
      let stopped = false;
      try {
        pgCluster('stop');
        stopped = true;
        // Data keeps arriving while the database is down: the sinks must hold it, not drop or dead-letter it.
        await produce(1);
        await child.waitForLog('failed; partitions paused, retrying', 30_000);
        await sleep(OUTAGE_MS);
      } finally {
        // Always restart, even if the stop half-failed: other tests share this server.
        pgCluster('start');
      }
      expect(stopped).toBe(true);
      await produce(2);
      await child.waitForLog('succeeded; partitions resumed', 60_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw error;
    }
    expect(child.lines.filter((l) => l.level === 'error'), child.tail()).toEqual([]);
    await drainAndStop(project, child, input);
    await expectSinkTables(project, input);
  });
});
