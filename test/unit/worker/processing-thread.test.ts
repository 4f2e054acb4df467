import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
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
    topologies: ['a-topology'],
    planOptions: {},
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

  test('a loader module without loadTopologies fails start, naming the missing export', async () => {
    const thread = spawnWith('export const somethingElse = 1;\n', 'empty-loader');
    await expect(thread.start()).rejects.toThrow('empty-loader.mjs exports no loadTopologies function');
    await thread.close();
  });
});
