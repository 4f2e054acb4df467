import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { plan, topology } from 'sluice';
import { afterAll, describe, expect, test } from 'vitest';
import { NO_OBSERVER } from '../../../src/runtime/runtime-observer.js';
import type { StreamTransport } from '../../../src/runtime/stream-transport.js';
import { ProcessingThread } from '../../../src/worker/processing-thread.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-thread-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A transport no call may reach: these threads fail before their runners touch Kafka. */
const unreachable = new Proxy({} as StreamTransport, {
  get: (_target, name) => () => {
    throw new Error(`transport.${String(name)} was called`);
  },
});

function spawnWith(loaderSource: string, name: string): ProcessingThread {
  const loader = join(dir, `${name}.mjs`);
  writeFileSync(loader, loaderSource);
  return ProcessingThread.spawn({
    projectDir: dir,
    plans: [plan(topology('a-topology').source<{ at: number }>('in', { schema: { type: 'record', name: 'In', fields: [{ name: 'at', type: 'long' }] }, eventTime: 'at' }).validate('positive', (e) => e.at > 0 || 'not positive').deadLetter('dlq').to('out'))],
    registryUrl: 'http://127.0.0.1:1',
    topologyLoader: pathToFileURL(loader).href,
    instanceId: 'thread-test',
    staticMembership: false,
    guarantee: 'exactly-once',
    transport: unreachable,
    observer: NO_OBSERVER,
    log: () => {},
  });
}

describe('processing thread', { timeout: 60_000 }, () => {
  test('plans through the loader module it is given: what the loader throws is why start fails', async () => {
    const thread = spawnWith(
      "export async function loadTopologies(request) { throw new Error(`no topology here: ${request.topologies.join(',')} in ${request.projectDir}`); }\n",
      'throwing-loader',
    );
    await expect(thread.start()).rejects.toThrow(`no topology here: a-topology in ${dir}`);
    await thread.close();
  });

  test('the plans cross as data and are joined with the code the loader gives; code that lacks a step the plan names fails start, naming it', async () => {
    // The code of another version of the topology: its validate step is called 'non-negative', the plan's 'positive'.
    const thread = spawnWith(
      [
        "import { stepCode } from " + JSON.stringify(pathToFileURL(join(process.cwd(), 'src/plan/step-code.ts')).href) + ';',
        'export async function loadTopologies(request) {',
        "  const chain = { source: { topic: 'in', schema: 'x', eventTime: { kind: 'field', field: 'at' } }, steps: [{ kind: 'validate', name: 'non-negative', check: () => true }, { kind: 'dead-letter', topic: 'dlq' }, { kind: 'to', topic: 'out' }] };",
        "  return { code: request.topologies.map((name) => stepCode({ name, chains: [chain] })), resolveSchema: () => { throw new Error('no schemas'); } };",
        '}',
      ].join('\n'),
      'stale-code-loader',
    );
    await expect(thread.start()).rejects.toThrow('the plan names validate step "positive", which the topology\'s code does not have');
    await thread.close();
  });

  test('a loader module without loadTopologies fails start, naming the missing export', async () => {
    const thread = spawnWith('export const somethingElse = 1;\n', 'empty-loader');
    await expect(thread.start()).rejects.toThrow('empty-loader.mjs exports no loadTopologies function');
    await thread.close();
  });
});
