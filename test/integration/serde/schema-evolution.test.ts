import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { count, plan, sum, topology, tumbling } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport, RecordProducer } from '../../../src/kafka/index.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import { AvroCodec, HttpSchemaRegistry, IncompatibleSchemaError, type AvroRecordSchema } from '../../../src/serde/index.js';
import { seededRandom } from '../../support/bus-workload.js';
import { CliProject } from '../../support/cli-project.js';
import { eventually, readTable, readTopic } from '../../support/kafka-test-kit.js';

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const run = randomUUID().slice(0, 8);
const topic = `evo.${run}.readings`;
const subject = `${topic}-value`;
const admin = new KafkaAdmin(bootstrap);
const quiet: RuntimeLog = (level, message, fields) => {
  if (level === 'error') console.error(message, fields);
};

const TS = { type: 'long', logicalType: 'timestamp-millis' } as const;
const NAME = { type: 'record', name: 'Reading', namespace: `dev.sluice.evo${run.replace(/-/g, '')}` } as const;
/** v1: has an optional `note`. */
const v1: AvroRecordSchema = {
  ...NAME,
  fields: [
    { name: 'sensor_id', type: 'string' },
    { name: 'reading', type: 'double' },
    { name: 'ts', type: TS },
    { name: 'note', type: ['null', 'string'], default: null },
  ],
};
/** v2: drops the optional `note`, adds `unit` with a default (BACKWARD compatible). */
const v2: AvroRecordSchema = {
  ...NAME,
  fields: [
    { name: 'sensor_id', type: 'string' },
    { name: 'reading', type: 'double' },
    { name: 'ts', type: TS },
    { name: 'unit', type: 'string', default: 'celsius' },
  ],
};
/** v3: `reading` changes type (double → string): refused under BACKWARD. */
const v3: AvroRecordSchema = { ...v2, fields: v2.fields.map((f) => (f.name === 'reading' ? { name: 'reading', type: 'string' } : f)) };

interface ReadingV1 { sensor_id: string; reading: number; ts: number; note: string | null }
interface ReadingV2 { sensor_id: string; reading: number; ts: number; unit: string }
interface SensorMinute { events: number; total: number; celsius: number; kelvin: number }

const T0 = 1_763_000_040_000;
const UNITS = ['celsius', 'kelvin', 'fahrenheit'];

/** 6,000 readings; runs of 7 alternate between the v1 and the v2 producer. */
function workload(): ({ version: 1; value: ReadingV1 } | { version: 2; value: ReadingV2 })[] {
  const random = seededRandom(11);
  return Array.from({ length: 6_000 }, (_, i) => {
    const base = { sensor_id: `s${Math.floor(random() * 8)}`, reading: Math.round(random() * 4000) / 10 - 100, ts: T0 + i * 100 + Math.round(random() * 2000) };
    return Math.floor(i / 7) % 2 === 0
      ? { version: 1 as const, value: { ...base, note: random() < 0.5 ? null : `note ${i}` } }
      : { version: 2 as const, value: { ...base, unit: UNITS[Math.floor(random() * UNITS.length)]! } };
  });
}

/** What a v2 reader must see: v1 records get unit = the default, and no note. */
function oracle(input: ReturnType<typeof workload>): Map<string, SensorMinute> {
  const out = new Map<string, SensorMinute>();
  for (const { version, value } of input) {
    const unit = version === 1 ? 'celsius' : value.unit;
    const id = `${value.sensor_id}@${Math.floor(value.ts / 60_000) * 60_000}`;
    const row = out.get(id) ?? { events: 0, total: 0, celsius: 0, kelvin: 0 };
    row.events += 1;
    row.total += value.reading;
    if (unit === 'celsius') row.celsius += 1;
    if (unit === 'kelvin') row.kelvin += 1;
    out.set(id, row);
  }
  return out;
}

function compare(table: ReadonlyMap<string, { key: Record<string, unknown>; value: Record<string, unknown> }>, expected: ReadonlyMap<string, SensorMinute>): string | undefined {
  const actual = new Map([...table.values()].map(({ key, value }) => [`${String(key.sensor_id)}@${Number(key.window_start)}`, value]));
  const problems: string[] = [];
  for (const [id, want] of expected) {
    const got = actual.get(id);
    if (!got) problems.push(`missing ${id}`);
    else if (got.events !== want.events || got.celsius !== want.celsius || got.kelvin !== want.kelvin || Math.abs(Number(got.total) - want.total) > 1e-6) {
      problems.push(`${id}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
    }
  }
  for (const id of actual.keys()) if (!expected.has(id)) problems.push(`unexpected ${id}`);
  return problems.length === 0 ? undefined : `${problems.length} differences: ${problems.slice(0, 5).join('; ')}`;
}

const input = workload();
const project = new CliProject(`evo-${run}`);

beforeAll(async () => {
  await admin.ensureTopics([{ name: topic, partitions: 3 }]);
  const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
  const writers = { 1: new AvroCodec<ReadingV1>({ registry, subject, readerSchema: v1 }), 2: new AvroCodec<ReadingV2>({ registry, subject, readerSchema: v2 }) };
  await writers[1].registerWriter();
  // Pinned on the subject so the test means the same on registries with another global default.
  await registry.setCompatibility('BACKWARD', subject);
  await writers[2].registerWriter();
  expect(writers[2].schemaId).not.toBe(writers[1].schemaId);
  const producer = await RecordProducer.connect(bootstrap);
  try {
    await producer.produceAll(
      input.map((r) => ({
        topic,
        key: Buffer.from(r.value.sensor_id),
        value: r.version === 1 ? writers[1].encode(r.value) : writers[2].encode(r.value),
      })),
    );
  } finally {
    await producer.close();
  }
});

afterAll(async () => {
  await admin.close();
  project.cleanup();
});

describe('schema evolution on the real registry and broker', () => {
  it('a v2 reader processes v1 and v2 records interleaved on one topic: defaults filled in, the dropped field gone', async () => {
    const t = topology(`evo-${run}`)
      .source<ReadingV2>(topic, { schema: 'reading', eventTime: 'ts' })
      // Every value must arrive in the reader's shape, whichever producer wrote it.
      .validate('v2-shape', (r) => (!('note' in r) && typeof r.unit === 'string') || `not read as v2: ${JSON.stringify(r)}`)
      .deadLetter(`${topic}.dlq`)
      .groupBy('by-sensor', 'sensor_id')
      .window('per-minute', tumbling('1m'), { grace: '10m' })
      .aggregate('sensor-stats', {
        events: count(),
        total: sum((r) => r.reading),
        celsius: sum((r) => (r.unit === 'celsius' ? 1 : 0)),
        kelvin: sum((r) => (r.unit === 'kelvin' ? 1 : 0)),
      })
      .toTable(`${topic}.stats`);
    const transport = kafkaStreamTransport(bootstrap);
    const runner = new TopologyRunner({
      plan: plan(t),
      transport,
      registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }),
      resolveSchema: (ref) => (ref === 'reading' ? v2 : typeof ref === 'string' ? unknownSchema(ref) : ref),
      log: quiet,
      instanceId: 'evo',
    });
    await runner.start();
    const stop = new AbortController();
    const running = runner.run(stop.signal);
    const expected = oracle(input);
    try {
      const mismatch = await eventually(async () => compare(await readTable(stack.kafkaBootstrapServers, stack.schemaRegistryUrl, `${topic}.stats`, 3), expected), 90_000, 2_000);
      expect(mismatch).toBeUndefined();
    } finally {
      stop.abort();
      await running;
      await transport.close();
    }
    expect(await readTopic(stack.kafkaBootstrapServers, `${topic}.dlq`, 1)).toHaveLength(0);
    expect(runner.stats.deadLettered).toBe(0);
    expect(input.some((r) => r.version === 1) && input.some((r) => r.version === 2)).toBe(true);
  });

  it('a v3 that changes a field\'s type is refused by `sluice schemas check`, `sluice schemas register` and the registry, naming the field', async () => {
    project.write(
      'topologies/readings.ts',
      `import { count, topology, tumbling } from 'sluice';
export default topology('readings')
  .source<{ sensor_id: string; reading: number; ts: number }>('${topic}', { schema: 'reading', eventTime: 'ts' })
  .deadLetter('${topic}.dlq')
  .groupBy('by-sensor', 'sensor_id')
  .window('per-minute', tumbling('1m'))
  .aggregate('sensor-stats', { events: count() })
  .toTable('${topic}.cli-stats');
`,
    );
    const env = { SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };

    project.write('schemas/reading.avsc', v2);
    const same = await project.sluice(['schemas', 'check'], env);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toContain(`ok   reading -> ${subject}: unchanged`);

    project.write('schemas/reading.avsc', v3);
    const check = await project.sluice(['schemas', 'check'], env);
    expect(check.code, check.stdout + check.stderr).toBe(1);
    expect(check.stdout).toContain(`FAIL reading -> ${subject}: incompatible with version 2 (BACKWARD)`);
    expect(check.stdout).toMatch(/field 'reading' changed type from double to string/);
    expect(check.stdout).toContain('1 incompatible');

    const register = await project.sluice(['schemas', 'register'], env);
    expect(register.code, register.stdout + register.stderr).toBe(1);
    expect(register.stdout).toContain(`refused   reading -> ${subject}`);
    expect(register.stdout).toMatch(/field 'reading' changed type from double to string/);

    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const refusal = await registry.register(subject, v3).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refusal).toBeInstanceOf(IncompatibleSchemaError);
    expect((refusal as Error).message).toMatch(new RegExp(`incompatible with subject '${subject.replace(/\./g, '\\.')}'[\\s\\S]*field 'reading' changed type from double to string`));
    expect((await registry.getLatest(subject))?.version).toBe(2);
  });
});

function unknownSchema(ref: string): never {
  throw new Error(`the test topology names no schema '${ref}'`);
}
