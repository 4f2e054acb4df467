import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { produceAvro } from '../../support/kafka-test-kit.js';
import { fixtureProject } from '../../support/sluice-process.js';

const run = promisify(execFile);
const stack = inject('stack');
const bin = new URL('../../../bin/sluice.js', import.meta.url).pathname;
const boomTopic = `boom.${randomUUID().slice(0, 8)}`;
const boomSchema = { type: 'record', name: 'Boom', fields: [{ name: 'a', type: 'long' }] } as const;
const project = fixtureProject('run-cli-errors', {
  // Throws from a timer, outside any record's processing and outside RxJS: an uncaught error on the processing thread.
  'topologies/boom.ts': `import { topology } from 'sluice';
import { map } from 'rxjs';
export default topology('boom').source<{ a: number }>('${boomTopic}', { schema: ${JSON.stringify(boomSchema)}, eventTime: 'a' })
  .pipe('explode', map((e) => { setTimeout(() => { throw new Error('boom from a timer'); }, 0); return e; }))
  .to('${boomTopic}.out');
`,
  'topologies/echo.ts': `import { topology } from 'sluice';
export default topology('echo').source<{ a: number }>('echo.in', { schema: { type: 'record', name: 'Echo', fields: [{ name: 'a', type: 'long' }] }, eventTime: 'a' }).to('echo.out');
`,
  'topologies/misnamed.ts': `import { topology } from 'sluice';
export default topology('other-name').source<{ a: number }>('m.in', { schema: { type: 'record', name: 'M', fields: [{ name: 'a', type: 'long' }] }, eventTime: 'a' }).to('m.out');
`,
});

async function sluice(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return run(process.execPath, [bin, ...args, '--log-format', 'text'], { cwd: project.dir, env: { ...process.env, ...env }, timeout: 90_000 }).then(
    ({ stderr }) => ({ code: 0, stderr }),
    (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
  );
}

afterAll(() => project.remove());

describe('sluice run: start-up and fatal errors name the problem and the fix', () => {
  it('an unreachable broker ends after a bounded wait with a clear message and exit 1', async () => {
    const result = await sluice(['run', 'echo'], { KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:1', SLUICE_KAFKA_SASL_PASSWORD: 'hunter2-secret' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Kafka at 127.0.0.1:1 did not answer a metadata request');
    expect(result.stderr).toContain('KAFKA_BOOTSTRAP_SERVERS');
    expect(result.stderr, 'secrets never printed').not.toContain('hunter2-secret');
  });

  it('an unknown topology name answers with the known ones', async () => {
    const result = await sluice(['run', 'nope'], { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no topology named "nope"');
    expect(result.stderr).toContain('known: boom, echo, misnamed');
  });

  it('a file whose topology name differs from the file name is refused, naming both', async () => {
    const result = await sluice(['run', 'misnamed'], { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("defines topology 'other-name' but its file name says 'misnamed'");
  });

  it('an error that escapes a step on the processing thread stops the process with exit 1, naming it', async () => {
    const admin = new KafkaAdmin({ 'bootstrap.servers': stack.kafkaBootstrapServers });
    try {
      await admin.ensureTopics([{ name: boomTopic, partitions: 1 }]);
      await produceAvro(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, boomTopic, boomSchema, [{ key: 'k', value: { a: 1 } }]);
      const result = await sluice(['run', 'boom'], { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, SLUICE_METRICS_PORT: '0' });
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toContain('the processing thread failed: boom from a timer');
    } finally {
      await admin.deleteTopics([boomTopic, `${boomTopic}.out`]).catch(() => {});
      admin.close();
    }
  });

  it('a missing source topic is a start-up error that says how to create it', async () => {
    const result = await sluice(['run', 'echo'], { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('source topic(s) echo.in do not exist; create it with `sluice topics create echo.in --partitions 3`');
    expect(result.stderr).toContain('`sluice produce echo.in --file records.jsonl`');
    expect(result.stderr).not.toContain('sluice generate');
  });
});
