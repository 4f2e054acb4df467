import { describe, expect, test, vi } from 'vitest';
import { main } from '../../../src/cli/main.js';

/** Runs `sluice …` in-process and returns the exit code and what went to stderr. */
async function sluice(...args: string[]): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (lines.push(String(chunk)), true));
  try {
    return { code: await main(['node', 'sluice', ...args]), stderr: lines.join('') };
  } finally {
    spy.mockRestore();
  }
}

// Usage errors end before any connection is made, so these need no broker.
describe('sluice generate: usage errors exit with 2 and say what is wrong', () => {
  test('an unknown name lists the known generators and topologies', async () => {
    const { code, stderr } = await sluice('generate', 'buses');
    expect(code).toBe(2);
    expect(stderr).toContain('no generator named "buses" — known: bus-telemetry, events-pipeline, heartbeat-monitoring, order-analytics, order-events');
  });

  test.each([
    [['--invalid-ratio', '2'], '--invalid-ratio must be between 0 and 1'],
    [['--invalid-ratio', '0.7', '--late-ratio', '0.5'], '--invalid-ratio + --late-ratio must not exceed 1'],
    [['--rate', '0'], '--rate must be a positive number'],
    [['--count', '1.5'], '--count must be a whole number'],
    [['--rate', '100', '--oracle', 'expected.json'], '--oracle needs a finite --count'],
    [['--start', 'yesterday'], '--start must be an ISO-8601 time'],
  ])('%j', async (args, message) => {
    const { code, stderr } = await sluice('generate', 'bus-telemetry', ...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});
