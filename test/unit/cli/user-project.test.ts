import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import { afterAll, describe, expect, test } from 'vitest';
import { take, type GeneratorOptions } from '../../../src/cli/generators/event-generator.js';
import { resolveWorkload } from '../../../src/cli/generators/resolve-workload.js';
import { EXAMPLE_WORKLOADS as WORKLOADS } from '../../../workloads/index.js';
import { TopologyCatalog } from '../../../src/cli/topology-catalog.js';
import { DecimalType, type AvroSchema, type LatestSchema } from '../../../src/serde/index.js';
import { PARKING_SCHEMA, writeParkingProject } from '../../support/parking-project.js';
import { EXAMPLE_TOPOLOGIES, repoRoot } from '../../support/repo-examples.js';
import { sluiceInProcess } from '../../support/in-process-cli.js';

// Issue 18: a user adds topologies/parking-occupancy.ts and schemas/parking-event.avsc to a project
// holding the examples. Sluice's own tests must not notice; `sluice generate` must feed it.

const OPTIONS: GeneratorOptions = { seed: 7, startMs: Date.UTC(2026, 0, 5, 8), eventsPerSecond: 20, invalidRatio: 0.05, lateRatio: 0.02 };
/** Inside the package, so the copied example topologies resolve 'rxjs' and 'sluice' as the repository's do. */
const dir = join(repoRoot, '.sluice', 'tmp', `user-project-${process.pid}`);
writeParkingProject(dir);
const noRegistry = { getLatest: (): Promise<LatestSchema | undefined> => Promise.reject(new Error('the registry must not be asked: the schema is a file')) };

const sluice = (...args: string[]): Promise<{ code: number; stderr: string }> => sluiceInProcess(dir, ...args);

describe('a project with a topology of its own beside the examples', () => {
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the catalog lists it; the examples and their workloads are as they were', () => {
    const names = new TopologyCatalog(dir).names();
    expect(names).toEqual([...EXAMPLE_TOPOLOGIES, 'parking-occupancy'].sort());
    // What workloads.test.ts compared before: the directory listing. It no longer equals the examples.
    expect(WORKLOADS.flatMap((w) => w.topologies).sort()).not.toEqual(names);
    expect(WORKLOADS.flatMap((w) => w.topologies).sort()).toEqual([...EXAMPLE_TOPOLOGIES].sort());
  });

  test('generate for an example still uses its hand-written workload, record for record', async () => {
    for (const name of ['heartbeat-monitoring', 'order-analytics']) {
      const resolved = await resolveWorkload(name, { projectDir: dir, registry: noRegistry });
      const handWritten = WORKLOADS.find((w) => w.topologies.includes(name))!;
      expect(resolved.kind).toBe('hand-written');
      expect(resolved.workload).toBe(handWritten);
      expect(take(resolved.workload.records(OPTIONS), 200)).toEqual(take(handWritten.records(OPTIONS), 200));
    }
  });

  test('generate for the user topology falls back to its source schema', async () => {
    const resolved = await resolveWorkload('parking-occupancy', { projectDir: dir, registry: noRegistry });
    expect(resolved.kind).toBe('schema');
    expect(resolved.workload.topics).toEqual([{ name: 'parking.events', partitions: 3, schema: 'schemas/parking-event.avsc' }]);
    expect(resolved.readerSchemas.get('parking.events')).toEqual(PARKING_SCHEMA);
    const notes = resolved.notes.join('\n');
    expect(notes).toContain('no hand-written generator for parking-occupancy: records come from its source schemas; no generate config (topologies/parking-occupancy.generate.json would give field rules)');
    expect(notes).toContain('Kafka key: lot_id');
    expect(notes).toContain("invalid: a field changed until validate step 'bay-range' refuses the record");
    expect(notes).toContain('late: copies of recent records 130 s older');
    const type = avro.Type.forSchema(PARKING_SCHEMA as avro.Schema, { wrapUnions: 'never', logicalTypes: { decimal: DecimalType } });
    const records = take(resolved.workload.records(OPTIONS), 1_000);
    expect(records.every((r) => type.isValid(r.value))).toBe(true);
    expect(records.filter((r) => r.kind === 'invalid').every((r) => /^bay -?\d+ outside 1\.\.400$/.test(r.reason ?? ''))).toBe(true);
    expect(new Set(records.map((r) => r.key)).size).toBe(50);
  });

  test('topologies/<name>.generate.json beside the topology shapes it; --config names another file', async () => {
    writeFileSync(join(dir, 'topologies', 'parking-occupancy.generate.json'), JSON.stringify({ keys: 5, fields: { bay: { min: 1, max: 400 } } }));
    try {
      const beside = await resolveWorkload('parking-occupancy', { projectDir: dir, registry: noRegistry });
      expect(beside.notes[0]).toContain('generate config: topologies/parking-occupancy.generate.json');
      expect(new Set(take(beside.workload.records(OPTIONS), 500).map((r) => r.key))).toEqual(new Set(['lot-1', 'lot-2', 'lot-3', 'lot-4', 'lot-5']));
      const other = join(dir, 'other.json');
      writeFileSync(other, JSON.stringify({ fields: { lot_id: 'lot-only' } }));
      const given = await resolveWorkload('parking-occupancy', { projectDir: dir, registry: noRegistry, config: other });
      expect(new Set(take(given.workload.records(OPTIONS), 200).map((r) => r.key))).toEqual(new Set(['lot-only']));
    } finally {
      rmSync(join(dir, 'topologies', 'parking-occupancy.generate.json'), { force: true });
    }
  });

  test('a source schema that is no file is read from the registry under <topic>-value, or the error says both', async () => {
    rmSync(join(dir, 'schemas', 'parking-event.avsc'));
    try {
      const asked: string[] = [];
      const registry = { getLatest: async (subject: string): Promise<LatestSchema | undefined> => (asked.push(subject), { id: 9, version: 3, schema: PARKING_SCHEMA as AvroSchema }) };
      const resolved = await resolveWorkload('parking-occupancy', { projectDir: dir, registry });
      expect(asked).toEqual(['parking.events-value']);
      expect(resolved.workload.topics[0]?.schema).toBe('registry subject parking.events-value (version 3)');
      await expect(resolveWorkload('parking-occupancy', { projectDir: dir, registry: { getLatest: async () => undefined } })).rejects.toThrow(
        "topology 'parking-occupancy' reads 'parking.events' with schema 'parking-event', but schemas/parking-event.avsc does not exist and the registry has no subject parking.events-value: add schemas/parking-event.avsc (an Avro schema) or register it (sluice schemas register)",
      );
    } finally {
      writeParkingProject(dir);
    }
  });

  test('sluice generate: an unknown name lists the generators and the project\'s topologies (exit 2)', async () => {
    const { code, stderr } = await sluice('generate', 'parking');
    expect(code).toBe(2);
    expect(stderr).toContain(
      'no generator or topology named "parking" — generators: bus-telemetry, events-pipeline, heartbeat-monitoring, order-analytics, order-events, order-processing, order-storage, traffic-monitoring; ' +
        'topologies in topologies/: bus-telemetry, events-pipeline, heartbeat-monitoring, order-analytics, order-processing, order-storage, parking-occupancy, traffic-monitoring.',
    );
  });

  test('sluice generate: --config with a hand-written generator is a usage error; a bad config or rule fails before connecting (exit 1)', async () => {
    const usage = await sluice('generate', 'heartbeat-monitoring', '--config', 'x.json');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('--config is for topologies without a hand-written generator; heartbeat-monitoring has one (heartbeat-monitoring)');
    const missing = await sluice('generate', 'parking-occupancy', '--config', join(dir, 'nope.json'));
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`cannot read the generate config ${join(dir, 'nope.json')}: ENOENT`);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ fields: { bay: { min: 500, max: 900 } } }));
    // Every bay 500..900 fails 'bay-range': the dry run before connecting says which check and how to fix it.
    const refused = await sluice('generate', 'parking-occupancy', '--config', bad, '--count', '10');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/topology 'parking-occupancy': 100 records in a row for source 'parking\.events' failed its validation \(last: bay \d+ outside 1\.\.400\)/);
  });
});
