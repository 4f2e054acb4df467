import { afterAll, describe, expect, test } from 'vitest';
import { resolveWorkload } from '../../../src/cli/generators/resolve-workload.js';
import type { LatestSchema } from '../../../src/serde/index.js';
import { fixtureProject } from '../../support/sluice-process.js';

// A topology whose source reads a JSON Schema: `sluice generate` (which draws from Avro schemas)
// says so and what to do, instead of the Avro resolver's "only a source reads JSON".

const project = fixtureProject(`generate-json-${process.pid}`, {
  'schemas/order.schema.json': JSON.stringify({ type: 'object', properties: { id: { type: 'string' }, at: { type: 'integer' } } }),
  'topologies/json-orders.ts': `import { topology } from 'sluice';
export default topology('json-orders')
  .source<{ id: string; at: number }>('orders', { schema: 'order', eventTime: 'at' })
  .to('out', { schema: { type: 'record', name: 'O', fields: [{ name: 'id', type: 'string' }] } });
`,
});
const noRegistry = { getLatest: (): Promise<LatestSchema | undefined> => Promise.reject(new Error('the registry must not be asked: the schema is a file')) };

describe('sluice generate for a JSON Schema source', () => {
  afterAll(() => project.remove());

  test('names the topic and the schema, and the ways to feed it', async () => {
    await expect(resolveWorkload('json-orders', { projectDir: project.dir, registry: noRegistry })).rejects.toThrow(
      "topology 'json-orders' reads 'orders' with schema 'order', a JSON Schema: sluice generate draws records from Avro schemas only; write a hand-written generator for it, or feed it JSON lines with sluice produce",
    );
  });
});
