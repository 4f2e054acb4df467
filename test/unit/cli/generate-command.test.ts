import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { copyExamples, repoRoot } from '../../support/repo-examples.js';
import { sluiceInProcess } from '../../support/in-process-cli.js';

/** The examples alone, so what a user added to this checkout's topologies/ cannot change the messages. */
const dir = join(repoRoot, '.sluice', 'tmp', `generate-usage-${process.pid}`);
copyExamples(dir);

const sluice = (...args: string[]): Promise<{ code: number; stderr: string }> => sluiceInProcess(dir, ...args);

// Usage errors end before any connection is made, so these need no broker.
describe('sluice generate: usage errors exit with 2 and say what is wrong', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('an unknown name lists the known generators and topologies', async () => {
    const { code, stderr } = await sluice('generate', 'buses');
    expect(code).toBe(2);
    expect(stderr).toContain(
      'no generator or topology named "buses" — generators: bus-telemetry, events-pipeline, heartbeat-monitoring, order-analytics, order-events, order-processing, order-storage, traffic-monitoring; ' +
        'topologies in topologies/: bus-telemetry, events-pipeline, heartbeat-monitoring, order-analytics, order-processing, order-storage, traffic-monitoring. ' +
        'For a topology of your own (topologies/<name>.ts), sluice generate <name> makes records from its source schemas',
    );
  });

  test.each([
    [['--invalid-ratio', '2'], '--invalid-ratio must be between 0 and 1'],
    [['--invalid-ratio', '0.7', '--late-ratio', '0.5'], '--invalid-ratio + --late-ratio must not exceed 1'],
    [['--rate', '0'], '--rate must be a positive number'],
    [['--count', '1.5'], '--count must be a whole number'],
    [['--rate', '100', '--oracle', 'expected.json'], '--oracle needs a finite --count'],
    [['--start', 'yesterday'], '--start must be an ISO-8601 time'],
    [['--config', 'parking.json'], '--config is for topologies without a hand-written generator; bus-telemetry has one (bus-telemetry)'],
  ])('%j', async (args, message) => {
    const { code, stderr } = await sluice('generate', 'bus-telemetry', ...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
