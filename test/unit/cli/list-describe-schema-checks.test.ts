import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CliProject } from '../../support/cli-project.js';

// What sluice run refuses at start-up (a field the schema in schemas/ lacks), sluice list and
// describe refuse too: a misspelt groupBy field or a string eventTime is no valid topology.

const run = randomUUID().slice(0, 8);
const project = new CliProject(`list-describe-schemas-${run}`);
project.write('schemas/lot.avsc', {
  type: 'record',
  name: 'Lot',
  namespace: `dev.sluice.listschemas${run}`,
  fields: [{ name: 'lot_id', type: 'string' }, { name: 'weight', type: 'double' }, { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } }, { name: 'seen', type: 'string' }],
});
const topologyFile = (name: string, groupField: string, eventTime: string): string => `import { count, topology, tumbling } from 'sluice';
export default topology('${name}').source<{ lot_id: string; weight: number; at: number; seen: string }>('lots-${run}', { schema: 'lot', eventTime: '${eventTime}' as 'at' })
  .deadLetter('lots-${run}.${name}.dlq')
  .groupBy('by-lot', '${groupField}' as 'lot_id')
  .window('minute', tumbling('1m'))
  .aggregate('weights', { lots: count() })
  .toTable('lots-${run}.${name}.weights');
`;
project.write('topologies/good.ts', topologyFile('good', 'lot_id', 'at'));
project.write('topologies/typo.ts', topologyFile('typo', 'lot_idd', 'at'));
project.write('topologies/text-time.ts', topologyFile('text-time', 'lot_id', 'seen'));

const typo = `topology "typo": step "by-lot": groupBy field "lot_idd" is not a field of schema 'lot' (its fields: lot_id, weight, at, seen); did you mean "lot_id"?`;

afterAll(() => project.cleanup());

describe('sluice list and describe check fields against schemas/ as sluice run does', () => {
  it('list shows the good topology and the others as INVALID with the reason, exit 1', async () => {
    const result = await project.sluice(['list']);
    expect(result.code, result.stderr).toBe(1);
    const lines = result.stdout.trim().split('\n');
    expect(lines.find((l) => l.startsWith('good '))).not.toContain('INVALID');
    expect(lines.find((l) => l.startsWith('typo '))).toContain(`INVALID: ${typo}`);
    expect(lines.find((l) => l.startsWith('text-time '))).toMatch(/INVALID: .*eventTime.*"seen"/);
  }, 60_000);

  it('describe exits 1 with the message for a bad one and describes the good one', async () => {
    const bad = await project.sluice(['describe', 'typo']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(typo);
    expect(bad.stderr).toContain(`Fix: group by a field the records have: .groupBy('by-lot', 'lot_id')`);
    expect(bad.stdout).toBe('');
    const textTime = await project.sluice(['describe', 'text-time']);
    expect(textTime.code).toBe(1);
    expect(textTime.stderr).toMatch(/eventTime.*"seen"/);
    const good = await project.sluice(['describe', 'good']);
    expect(good.code, good.stderr).toBe(0);
    expect(good.stdout).toMatch(/^Topology: good\n/);
  }, 60_000);
});
