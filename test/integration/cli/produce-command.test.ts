import { randomUUID } from 'node:crypto';
import { SchemaRegistry as ConfluentRegistry } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin } from '../../../src/kafka/index.js';
import { partitionForKey } from '../../../src/runtime/murmur2.js';
import { HttpSchemaRegistry } from '../../../src/serde/index.js';
import { CliProject } from '../../support/cli-project.js';
import { decimalText, ordersSchema, sampleLines } from '../../support/json-lines-fixture.js';
import { eventually, readTopic } from '../../support/kafka-test-kit.js';
import { SluiceChild } from '../../support/sluice-child.js';
import { partitionKey } from '../../../src/partition-key.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const project = new CliProject(`produce-${run}`);
const env = { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };
const props = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const namespace = `test.produce${run}`;
const SEED = Number(process.env.SLUICE_TEST_SEED ?? 20261206);
const orders = `produce-${run}.orders`;
const copy = `produce-${run}.copy`;
const strict = `produce-${run}.strict`;
const bare = `produce-${run}.bare`;
const piped = `produce-${run}.piped`;
const sluice = (args: string[], input?: string) => SluiceChild.run(args, { cwd: project.dir, env, ...(input === undefined ? {} : { input }) });

interface Printed {
  topic: string;
  partition: number;
  offset: number;
  timestamp: string;
  key: unknown;
  headers: Record<string, unknown>;
  value: Record<string, unknown>;
}
const parse = (stdout: string): Printed[] => stdout.trimEnd().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Printed);

beforeAll(async () => {
  project.write('schemas/order.avsc', ordersSchema(namespace));
  const admin = new KafkaAdmin(props);
  try {
    await admin.ensureTopics([{ name: orders, partitions: 3 }, { name: copy, partitions: 1 }, { name: strict, partitions: 1 }, { name: bare, partitions: 1 }, { name: piped, partitions: 1 }]);
  } finally {
    admin.close();
  }
});

afterAll(async () => {
  project.cleanup();
  const admin = new KafkaAdmin(props);
  await admin.deleteTopics([orders, copy, strict, bare, piped]).catch(() => undefined);
  admin.close();
});

describe('sluice produce', () => {
  it(`seed ${SEED}: 600 randomized JSON lines (wrapped and plain unions, enums, nested records, nulls, defaults) read back by consume exactly as drawn`, async () => {
    const samples = sampleLines(SEED, 600, namespace);
    // Blank lines in between are skipped, not errors.
    project.write('orders.jsonl', `${samples.map((s, i) => (i % 97 === 5 ? `${s.line}\n` : s.line)).join('\n')}\n`);
    const produced = await sluice(['produce', orders, '--schema', 'order', '--key', 'id', '--file', 'orders.jsonl', '--batch-size', '128']);
    expect(produced.code, produced.stderr).toBe(0);
    const latest = await new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }).getLatest(`${orders}-value`);
    expect(produced.stderr).toBe(`produced 600 records to ${orders} (schema id ${latest?.id}: file schemas/order.avsc, registered under ${orders}-value)\n`);

    const consumed = await sluice(['consume', orders]);
    expect(consumed.code, consumed.stderr).toBe(0);
    expect(consumed.stderr).toBe(`consumed 600 records from ${orders}\n`);
    const printed = parse(consumed.stdout);
    const byKey = new Map(printed.map((p) => [p.key, p]));
    expect(byKey.size).toBe(600);
    for (const sample of samples) {
      const record = byKey.get(sample.key);
      expect(record?.value, sample.line).toEqual(sample.expected);
      expect(record?.headers).toEqual({});
      // Keyed as Java clients and Sluice's repartitioning key: murmur2 of the key's UTF-8 bytes.
      expect(record?.partition, sample.key).toBe(partitionForKey(Buffer.from(sample.key), 3));
      expect(Number.isNaN(Date.parse(record!.timestamp))).toBe(false);
    }
    for (let p = 0; p < 3; p++) {
      const offsets = printed.filter((r) => r.partition === p).map((r) => r.offset);
      expect(offsets, `partition ${p} printed in order, every offset once`).toEqual(offsets.map((_, i) => i));
    }

    // Another decoder entirely (KafkaJS's Confluent client and its own avsc) reads the same bytes.
    const raw = await readTopic(stack.kafkaBootstrapServers, orders, 3);
    const confluent = new ConfluentRegistry({ host: stack.schemaRegistryUrl });
    const expectedByKey = new Map(samples.map((s) => [s.key, s.expected]));
    for (const message of raw.filter((_, i) => i % 20 === 0)) {
      const decoded = (await confluent.decode(message.value!)) as Record<string, unknown>;
      const expected = expectedByKey.get(message.key!.toString())!;
      expect(normalizeConfluent(decoded), message.key!.toString()).toEqual(expected);
    }
  });

  it('consume output feeds produce: the values of one topic, piped through a registered subject, arrive equal in another', async () => {
    const source = parse((await sluice(['consume', orders, '--partition', '1'])).stdout);
    expect(source.length).toBeGreaterThan(100);
    const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
    const before = await registry.getLatest(`${orders}-value`);
    const input = `${source.map((r) => JSON.stringify(r.value)).join('\n')}\n`;
    const produced = await sluice(['produce', copy, '--schema', `${orders}-value`], input);
    expect(produced.code, produced.stderr).toBe(0);
    expect(produced.stderr).toBe(`produced ${source.length} records to ${copy} (schema id ${before?.id}: subject ${orders}-value (version ${before?.version}))\n`);
    expect(await registry.getLatest(`${orders}-value`), 'an existing subject is not registered again').toEqual(before);
    expect(await registry.getLatest(`${copy}-value`), 'nor under the target topic').toBeUndefined();
    const copied = parse((await sluice(['consume', copy])).stdout);
    expect(copied.map((r) => r.value)).toEqual(source.map((r) => r.value));
    expect(copied.every((r) => r.key === null)).toBe(true);
  });

  it('stops at the first bad line after producing the lines before it; --skip-invalid skips and reports each', async () => {
    const good = sampleLines(SEED + 1, 10, namespace);
    const bad = JSON.parse(good[6]!.line) as { items: unknown[] };
    bad.items = [{ sku: 'a', qty: 1, price: null }, { sku: 'b', qty: 'many', price: null }];
    const lines = [...good.slice(0, 6).map((s) => s.line), JSON.stringify(bad), ...good.slice(7).map((s) => s.line)];
    const stopped = await sluice(['produce', strict, '--schema', 'order', '--key', 'id'], `${lines.join('\n')}\n`);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('sluice: line 7: does not fit the schema: items.1.qty: expected an int (a whole number within ±2^31), got "many"\n');
    expect(stopped.stderr).toContain(`produced 6 records to ${strict} (schema id `);
    expect(stopped.stderr).toContain('stopped at line 7: nothing from it on was produced (--skip-invalid skips bad lines instead)');
    const first = parse((await sluice(['consume', strict])).stdout);
    expect(first.map((r) => r.value)).toEqual(good.slice(0, 6).map((s) => s.expected));

    const valid = (i: number): string => good[i]!.line;
    const mixed = [
      valid(6),
      '{"id": "broken",',
      valid(7),
      JSON.stringify({ ...JSON.parse(valid(8)), id: undefined }),
      JSON.stringify({ ...JSON.parse(valid(8)), colour: 'red' }),
      valid(8),
      JSON.stringify({ ...JSON.parse(valid(9)), kind: 'LOST' }),
      '',
      valid(9),
    ];
    const skipping = await sluice(['produce', strict, '--skip-invalid'], `${mixed.join('\n')}\n`);
    expect(skipping.code, skipping.stderr).toBe(0);
    const reported = skipping.stderr.trimEnd().split('\n');
    expect(reported.slice(0, 4)).toEqual([
      expect.stringMatching(/^line 2 skipped: not valid JSON: /),
      'line 4 skipped: does not fit the schema: id: missing, and the field has no default (give it a value)',
      `line 5 skipped: does not fit the schema: colour: record ${namespace}.Order has no field 'colour' (its fields: id, at, kind, note, amount, shipTo, items, tags, raw, flag, seq)`,
      'line 7 skipped: does not fit the schema: kind: expected one of "CREATED", "PAID", "SHIPPED", "CANCELLED", got "LOST"',
    ]);
    expect(reported[4]).toMatch(new RegExp(`^produced 4 records to ${strict.replaceAll('.', '\\.')} \\(schema id \\d+: subject ${strict.replaceAll('.', '\\.')}-value \\(version 1\\)\\); skipped 4 invalid lines$`));
    const all = parse((await sluice(['consume', strict])).stdout);
    expect(all.map((r) => r.value)).toEqual([...good.slice(0, 6), ...good.slice(6)].map((s) => s.expected));
  });

  it('a line piped into stdin that stays open is produced without waiting for more; SIGINT ends with what was read produced', async () => {
    const lines = sampleLines(SEED + 2, 3, namespace);
    const child = new SluiceChild(['produce', piped, '--schema', 'order', '--key', 'id'], { cwd: project.dir, env, input: `${lines[0]!.line}\n`, keepStdinOpen: true });
    const admin = new KafkaAdmin(props);
    const endOffset = async () => (await admin.endOffsets([{ topic: piped, partition: 0 }])).get(partitionKey(piped, 0));
    try {
      expect(await eventually(async () => ((await endOffset()) === 1n ? undefined : `end offset ${await endOffset()}`), 60_000), child.stderr).toBeUndefined();
      child.write(`${lines[1]!.line}\n${lines[2]!.line}\n`);
      expect(await eventually(async () => ((await endOffset()) === 3n ? undefined : `end offset ${await endOffset()}`), 60_000), child.stderr).toBeUndefined();
    } finally {
      admin.close();
    }
    child.signal('SIGINT');
    const ended = await child.done;
    expect([ended.code, ended.signal], ended.stderr).toEqual([0, null]);
    expect(ended.stderr).toContain(`produced 3 records to ${piped} (schema id `);
    const printed = parse((await sluice(['consume', piped])).stdout);
    expect(printed.map((r) => r.value)).toEqual(lines.map((l) => l.expected));
  });

  it('says what is missing: the topic, a schema, the key field, the files', async () => {
    const cases: [string[], number, string][] = [
      [['produce', `produce-${run}.nope`], 1, `sluice: topic produce-${run}.nope does not exist; create it first: sluice topics create produce-${run}.nope --partitions <n>`],
      [['produce', bare], 1, `sluice: topic ${bare} has no schema: nothing is registered under the subject ${bare}-value; pass --schema <file.avsc> (registered under ${bare}-value) or --schema <subject>`],
      [['produce', bare, '--schema', 'no-such-subject'], 1, "sluice: --schema no-such-subject: no such file, no schemas/no-such-subject.avsc, and nothing is registered under the subject 'no-such-subject'"],
      [['produce', bare, '--schema', 'missing.avsc'], 1, `sluice: --schema missing.avsc: no such file (relative paths are taken from ${project.dir}); give a .avsc file or a registry subject`],
      [['produce', orders, '--key', 'nope'], 2, "sluice: --key nope: the schema has no field 'nope' (its fields: id, at, kind, note, amount, shipTo, items, tags, raw, flag, seq)"],
      [['produce', orders, '--key', 'items'], 2, 'sluice: --key items: the field is an array; a key must be text, a number, a boolean, an enum or bytes'],
      [['produce', orders, '--file', 'absent.jsonl'], 2, `sluice: --file absent.jsonl: no such file (relative paths are taken from ${project.dir})`],
      [['produce', orders, '--batch-size', '0'], 2, "--batch-size must be a whole number ≥ 1, got '0'"],
    ];
    const results = await Promise.all(cases.map(([args]) => sluice(args)));
    results.forEach((result, i) => {
      const [args, code, message] = cases[i]!;
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      expect(result.stderr).toContain(message);
    });
    const admin = new KafkaAdmin(props);
    try {
      expect(await admin.endOffsets([{ topic: bare, partition: 0 }])).toEqual(new Map([[partitionKey(bare, 0), 0n]]));
    } finally {
      admin.close();
    }
  });
});

/** KafkaJS's client decodes with avsc defaults: decimals and bytes as Buffers. Turned into consume's JSON. */
function normalizeConfluent(value: Record<string, unknown>): Record<string, unknown> {
  const amount = value.amount as Buffer;
  let unscaled = 0n;
  for (const byte of amount) unscaled = (unscaled << 8n) | BigInt(byte);
  if (amount.length > 0 && amount[0]! & 0x80) unscaled -= 1n << BigInt(amount.length * 8);
  const plain = JSON.parse(JSON.stringify({ ...value, amount: undefined, raw: (value.raw as Buffer).toString('latin1') })) as Record<string, unknown>;
  return { ...plain, amount: decimalText(Number(unscaled)) };
}
