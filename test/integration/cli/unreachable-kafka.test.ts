import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CliProject } from '../../support/cli-project.js';

const stack = inject('stack');
const project = new CliProject(`unreachable-kafka-${randomUUID().slice(0, 8)}`);
// Nothing listens on port 1: every connection is refused.
const unreachable = '127.0.0.1:1';
const env = { KAFKA_BOOTSTRAP_SERVERS: unreachable, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };

afterAll(() => project.cleanup());

describe('commands a user types, with Kafka unreachable', () => {
  const commands = [
    ['produce', 'readings'],
    ['consume', 'readings'],
    ['topics', 'list'],
    ['topics', 'describe', 'readings'],
    ['topics', 'create', 'readings', '--partitions', '2'],
    ['topics', 'delete', 'readings', '--yes'],
  ];

  it('each fail with exit 1, naming the address, KAFKA_BOOTSTRAP_SERVERS and the fix', async () => {
    const results = await Promise.all(commands.map((args) => project.sluice(args, env)));
    for (const [i, result] of results.entries()) {
      const command = commands[i]!.join(' ');
      expect(result.code, `${command}: ${result.stderr}`).toBe(1);
      expect(result.stderr, command).toContain(`Kafka at ${unreachable} did not answer a metadata request within 10 s`);
      expect(result.stderr, command).toContain('check KAFKA_BOOTSTRAP_SERVERS');
      expect(result.stderr, command).toContain('sluice stack up');
      expect(result.stderr, command).not.toMatch(/^\s+at /m);
      expect(result.stdout, command).toBe('');
    }
  }, 120_000);
});
