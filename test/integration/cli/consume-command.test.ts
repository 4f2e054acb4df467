import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { KafkaAdmin, RecordProducer, TransactionalProducer, type OutgoingRecord } from '../../../src/kafka/index.js';
import { ERROR_HEADERS } from '../../../src/runtime/error-headers.js';
import { AvroCodec, HttpSchemaRegistry, type AvroSchema } from '../../../src/serde/index.js';
import { CliProject } from '../../support/cli-project.js';
import { corruptPayload } from '../../support/corrupt-payloads.js';
import { eventually } from '../../support/kafka-test-kit.js';
import { SluiceChild } from '../../support/sluice-child.js';
import { partitionKey } from '../../../src/partition-key.js';

const stack = inject('stack');
const run = randomUUID().slice(0, 8);
const project = new CliProject(`consume-${run}`);
const env = { KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl };
const props = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const dlq = `consume-${run}.dlq`;
const tx = `consume-${run}.tx`;
const live = `consume-${run}.live`;
const topics = [dlq, tx, live];
const sluice = (...args: string[]) => SluiceChild.run(args, { cwd: project.dir, env });
const follow = (...args: string[]) => new SluiceChild(args, { cwd: project.dir, env });
const eventSchema: AvroSchema = {
  type: 'record',
  name: 'Event',
  namespace: `test.consume${run}`,
  fields: [{ name: 'event_id', type: 'string' }, { name: 'speed', type: 'double' }, { name: 'at', type: 'long' }],
};

interface Printed {
  partition: number;
  offset: number;
  key: unknown;
  headers: Record<string, unknown>;
  value: unknown;
}
const parse = (stdout: string): Printed[] => stdout.trimEnd().split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Printed);
let codec: AvroCodec<Record<string, unknown>>;

async function produce(topic: string, records: readonly Omit<OutgoingRecord, 'topic'>[]): Promise<void> {
  const producer = await RecordProducer.connect(props);
  try {
    await producer.produceAll(records.map((r) => ({ topic, ...r })));
  } finally {
    await producer.close();
  }
}
const event = (id: string): Omit<OutgoingRecord, 'topic'> => ({ key: Buffer.from(id), value: codec.encode({ event_id: id, speed: 1.5, at: 1_000 }) });

beforeAll(async () => {
  codec = new AvroCodec({ registry: new HttpSchemaRegistry({ url: stack.schemaRegistryUrl }), subject: `${dlq}-value`, readerSchema: eventSchema });
  await codec.registerWriter();
  const admin = new KafkaAdmin(props);
  try {
    await admin.ensureTopics([{ name: dlq, partitions: 1 }, { name: tx, partitions: 1 }, { name: live, partitions: 2 }]);
  } finally {
    admin.close();
  }
});

afterAll(async () => {
  project.cleanup();
  const admin = new KafkaAdmin(props);
  await admin.deleteTopics(topics).catch(() => undefined);
  await admin.deleteGroups([`consume-${run}-g`]).catch(() => undefined);
  admin.close();
});

describe('sluice consume', () => {
  it("shows a dead letter's headers as text (binary ones as base64) and every undecodable payload as bytes with its reason", async () => {
    const valid = codec.encode({ event_id: 'e-17', speed: 212.5, at: 1_767_600_000_000 });
    const deadLetterHeaders = {
      [ERROR_HEADERS.reason]: Buffer.from('invalid'),
      [ERROR_HEADERS.step]: Buffer.from('ranges'),
      [ERROR_HEADERS.message]: Buffer.from('speed out of range: 212.5 > 150'),
      [ERROR_HEADERS.sourceTopic]: Buffer.from('bus.telemetry'),
      [ERROR_HEADERS.sourcePartition]: Buffer.from('2'),
      [ERROR_HEADERS.sourceOffset]: Buffer.from('41'),
      [ERROR_HEADERS.sourceTimestamp]: Buffer.from('1767600000000'),
      [ERROR_HEADERS.sourceKey]: Buffer.from([0, 1, 2, 0xff]),
    };
    const payloads = [
      Buffer.from('{"event_id":"e-18"}'),
      corruptPayload('unknown-id', valid, codec.schemaId!, 3),
      corruptPayload('corrupt-body', valid, codec.schemaId!, 2),
      corruptPayload('truncated', valid, codec.schemaId!, 1),
    ];
    await produce(dlq, [
      { key: Buffer.from('e-17'), value: valid, headers: deadLetterHeaders },
      ...payloads.map((value, i) => ({ key: Buffer.from(`bad-${i}`), value, headers: { [ERROR_HEADERS.reason]: 'bad' } })),
      { key: Buffer.from('gone'), value: null },
      { key: null, value: valid },
    ]);
    const result = await sluice('consume', dlq);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe(`consumed 7 records from ${dlq} (4 undecodable, shown as bytes)\n`);
    const printed = parse(result.stdout);
    expect(printed.map((p) => [p.offset, p.key])).toEqual([[0, 'e-17'], [1, 'bad-0'], [2, 'bad-1'], [3, 'bad-2'], [4, 'bad-3'], [5, 'gone'], [6, null]]);
    expect(printed[0]!.headers).toEqual({
      'sluice.error.reason': 'invalid',
      'sluice.error.step': 'ranges',
      'sluice.error.message': 'speed out of range: 212.5 > 150',
      'sluice.source.topic': 'bus.telemetry',
      'sluice.source.partition': '2',
      'sluice.source.offset': '41',
      'sluice.source.timestamp': '1767600000000',
      'sluice.source.key': { bytes: 'AAEC/w==' },
    });
    expect(printed[0]!.value).toEqual({ event_id: 'e-17', speed: 212.5, at: 1_767_600_000_000 });
    const undecodable = printed.slice(1, 5).map((p) => p.value as { bytes: string; error: string });
    undecodable.forEach((v, i) => expect(Buffer.from(v.bytes, 'base64')).toEqual(payloads[i]));
    expect(undecodable[0]!.error).toBe('bad-magic: first byte is 0x7b, expected 0x00 (Confluent wire format)');
    expect(undecodable[1]!.error).toMatch(/^unknown-schema: .*2000000003/);
    expect(undecodable[2]!.error).toMatch(/^corrupt: /);
    expect(undecodable[3]!.error).toMatch(/^truncated: /);
    expect(printed[5]!.value).toBeNull();
    expect(printed[6]!.value).toEqual(printed[0]!.value);

    const last = await sluice('consume', dlq, '--offset', '-2');
    expect(parse(last.stdout).map((p) => p.offset)).toEqual([5, 6]);
    const limited = await sluice('consume', dlq, '--max', '3', '--offset', '1');
    expect(parse(limited.stdout).map((p) => p.offset)).toEqual([1, 2, 3]);
    expect(limited.stderr).toBe(`consumed 3 records from ${dlq} (3 undecodable, shown as bytes)\n`);
  });

  it('reads committed records only by default and ends at an open transaction; --read-uncommitted shows open and aborted ones', async () => {
    await produce(tx, [event('a'), event('b')]);
    const writer = await TransactionalProducer.connect({ ...props, 'transaction.timeout.ms': 60_000 }, `consume-${run}-tx`);
    const ids = async (...args: string[]) => {
      const result = await sluice('consume', tx, ...args);
      expect(result.code, result.stderr).toBe(0);
      return parse(result.stdout).map((p) => p.key);
    };
    try {
      await writer.begin();
      await writer.produce([event('c'), event('d'), event('e')].map((r) => ({ topic: tx, ...r })));
      const admin = new KafkaAdmin(props);
      try {
        // The open transaction's records are on the broker: the high watermark is past them.
        expect(await eventually(async () => ((await admin.endOffsets([{ topic: tx, partition: 0 }], 'read_uncommitted')).get(partitionKey(tx, 0)) === 5n ? undefined : 'not yet'), 30_000)).toBeUndefined();
      } finally {
        admin.close();
      }
      expect(await ids()).toEqual(['a', 'b']);
      expect(await ids('--read-uncommitted')).toEqual(['a', 'b', 'c', 'd', 'e']);
      await writer.abort();
      await writer.begin();
      await writer.produce([{ topic: tx, ...event('f') }]);
      await writer.commit();
    } finally {
      await writer.close();
    }
    // Past an aborted transaction and both markers, to the end, and out.
    expect(await ids()).toEqual(['a', 'b', 'f']);
    expect(await ids('--read-uncommitted')).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('--follow prints new records until SIGINT or SIGTERM and exits 0; --group starts at its commits and commits what it printed', async () => {
    await produce(live, ['old-1', 'old-2', 'old-3'].map(event));
    const tail = follow('consume', live, '--follow');
    await tail.waitForStderr(`following ${live} (2 partitions) from the end; Ctrl-C stops`, 60_000);
    await produce(live, ['new-1', 'new-2', 'new-3', 'new-4'].map(event));
    await tail.waitForLines(4, 60_000);
    tail.signal('SIGINT');
    const ended = await tail.done;
    expect([ended.code, ended.signal], ended.stderr).toEqual([0, null]);
    expect(parse(ended.stdout).map((p) => p.key).sort()).toEqual(['new-1', 'new-2', 'new-3', 'new-4']);
    expect(ended.stderr).toContain(`consumed 4 records from ${live}\n`);

    const group = `consume-${run}-g`;
    const all = follow('consume', live, '--follow', '--from-beginning', '--group', group);
    await all.waitForLines(7, 60_000);
    all.signal('SIGTERM');
    const first = await all.done;
    expect([first.code, first.signal], first.stderr).toEqual([0, null]);
    expect(parse(first.stdout)).toHaveLength(7);
    expect(first.stderr).toContain(`consumed 7 records from ${live}; group ${group} committed\n`);

    const rest = follow('consume', live, '--follow', '--group', group);
    await rest.waitForStderr('Ctrl-C stops', 60_000);
    await produce(live, [event('newest')]);
    await rest.waitForLines(1, 60_000);
    rest.signal('SIGTERM');
    const second = await rest.done;
    expect(second.code, second.stderr).toBe(0);
    expect(parse(second.stdout).map((p) => p.key)).toEqual(['newest']);
    const caughtUp = await sluice('consume', live, '--group', group);
    expect([caughtUp.code, caughtUp.stdout], caughtUp.stderr).toEqual([0, '']);

    const limited = await sluice('consume', live, '--follow', '--from-beginning', '--max', '2');
    expect([limited.code, parse(limited.stdout).length], limited.stderr).toEqual([0, 2]);
  });

  it('refuses what cannot be read, naming it', async () => {
    const cases: [string[], number, string][] = [
      [['consume', `consume-${run}.nope`], 1, `sluice: topic consume-${run}.nope does not exist (sluice topics list shows the topics there are)`],
      [['consume', live, '--partition', '2'], 2, `sluice: --partition 2: topic ${live} has partitions 0-1`],
      [['consume', live, '--offset', 'soon'], 2, "--offset must be an offset (42), -N for the last N records (-10), 'beginning' or 'end'; got 'soon'"],
      [['consume', live, '--offset', '3', '--from-beginning'], 2, 'sluice: --offset and --from-beginning both say where to start; give one'],
      [['consume', live, '--max', '0'], 2, "--max must be a whole number ≥ 1, got '0'"],
    ];
    const results = await Promise.all(cases.map(([args]) => sluice(...args)));
    results.forEach((result, i) => {
      const [args, code, message] = cases[i]!;
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(code);
      expect(result.stderr).toContain(message);
      expect(result.stdout).toBe('');
    });
  });
});
