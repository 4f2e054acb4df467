import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { plan, topology } from 'sluice';
import { KafkaAdmin, kafkaStreamTransport, RecordProducer, type KafkaMessage } from '../../../src/kafka/index.js';
import type { AvroRecordSchema } from '../../../src/serde/avro-schema.js';
import { AvroCodec, HttpSchemaRegistry } from '../../../src/serde/index.js';
import type { RuntimeLog } from '../../../src/runtime/runtime-log.js';
import type { StreamTransport } from '../../../src/runtime/stream-transport.js';
import { TopologyRunner } from '../../../src/runtime/topology-runner.js';
import { eventually, readTopic } from '../../support/kafka-test-kit.js';
import { relayedTransport } from '../../support/relayed-transport.js';

// Issue 17 item 4, the poison pill: a source topic that accepts 8 MB records, a 5 MB undecodable
// record in it, and a dead-letter topic at the broker's default limit (1,048,588 bytes).

const stack = inject('stack');
const bootstrap = { 'bootstrap.servers': stack.kafkaBootstrapServers };
const admin = new KafkaAdmin(bootstrap);
afterAll(() => admin.close());

const SOURCE_LIMIT = 8 * 1024 * 1024;
const BROKER_DEFAULT_LIMIT = 1_048_588;
const POISON_BYTES = 5 * 1024 * 1024;
/** A valid record whose `.to()` output is too large for an output topic at the broker default. */
const BIG_VALID_TEXT = 2 * 1024 * 1024;
const NORMAL = 900;
/** Generous: the run takes seconds; reached only when something stalls. */
const SETTLE_MS = 60_000;

interface Note {
  id: string;
  text: string;
  at: number;
}
const noteSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Note',
  namespace: 'sluice.test',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'at', type: 'long' },
  ],
};

const headersOf = (m: KafkaMessage): Record<string, string> =>
  Object.fromEntries((m.headers ?? []).flatMap((h) => Object.entries(h)).map(([k, v]) => [k, Buffer.isBuffer(v) ? v.toString() : String(v)]));
const keyOf = (m: KafkaMessage): string | undefined => (m.key === null || m.key === undefined ? undefined : Buffer.from(m.key).toString());

/** Topics of one run; `dlqAtDefault`/`outAtDefault` create those topics beforehand, at the broker's default limit. */
async function setUp(options: { dlqAtDefault: boolean; outAtDefault: boolean }) {
  const run = randomUUID().slice(0, 8);
  const names = { topology: `oversized-${run}`, source: `oversized.${run}`, dlq: `oversized.${run}.dlq`, out: `oversized.${run}.out` };
  const keep = { 'retention.ms': '-1' };
  await admin.ensureTopics([
    { name: names.source, partitions: 2, config: { ...keep, 'max.message.bytes': String(SOURCE_LIMIT) } },
    ...(options.dlqAtDefault ? [{ name: names.dlq, partitions: 1, config: keep }] : []),
    ...(options.outAtDefault ? [{ name: names.out, partitions: 2, config: keep }] : []),
  ]);
  const registry = new HttpSchemaRegistry({ url: stack.schemaRegistryUrl });
  const codec = new AvroCodec<Note>({ registry, subject: `${names.source}-value`, readerSchema: noteSchema });
  await codec.registerWriter();
  const note = (i: number): Note => ({ id: `n-${i}`, text: `note ${i}`, at: 1_700_000_000_000 + i });
  const normal = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => ({ key: Buffer.from(`n-${from + k}`), value: codec.encode(note(from + k)) }));
  // Bad magic byte, then incompressible bytes: undecodable, and 5 MB on the wire too.
  const poison = Buffer.concat([Buffer.from([7]), randomBytes(POISON_BYTES - 1)]);
  const bigValid = codec.encode({ id: 'big', text: randomBytes(BIG_VALID_TEXT * 0.75).toString('base64'), at: 1_700_000_000_000 });
  const producer = await RecordProducer.connect({ ...bootstrap, 'message.max.bytes': 10_000_000 });
  try {
    await producer.produceAll(normal(0, 300).map((r) => ({ topic: names.source, ...r })));
    await producer.produceAll([{ topic: names.source, key: Buffer.from('poison'), value: poison }]);
    await producer.produceAll(normal(300, 600).map((r) => ({ topic: names.source, ...r })));
    await producer.produceAll([{ topic: names.source, key: Buffer.from('big'), value: bigValid }]);
    await producer.produceAll(normal(600, NORMAL).map((r) => ({ topic: names.source, ...r })));
  } finally {
    await producer.close();
  }
  const runner = (transport: StreamTransport, logs: string[]) => {
    const log: RuntimeLog = (level, message, fields) => void logs.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    const spec = topology(names.topology).source<Note>(names.source, { schema: noteSchema, eventTime: 'at' }).deadLetter(names.dlq).to(names.out);
    return new TopologyRunner({ plan: plan(spec), transport, registry, resolveSchema: () => noteSchema, log, instanceId: 'test', purgeEveryMs: 0 });
  };
  const cleanUp = () => admin.deleteTopics(Object.values(names).filter((n) => n !== names.topology)).catch(() => {});
  return { names, poison, bigValid, runner, cleanUp };
}

/** Runs until `settled` says so (or SETTLE_MS passes), then stops; returns the last complaint. */
async function runUntil(runner: TopologyRunner, settled: () => Promise<string | undefined>): Promise<string | undefined> {
  await runner.start();
  const stop = new AbortController();
  let failure: unknown;
  const running = runner.run(stop.signal).catch((error: unknown) => void (failure = error));
  try {
    return await eventually(async () => (failure !== undefined ? undefined : settled()), SETTLE_MS, 500);
  } finally {
    stop.abort();
    await running;
    if (failure !== undefined) throw failure;
  }
}

describe.each(['direct', 'relayed'] as const)('a 5 MB poison pill, dead-lettered to a topic at the broker default (%s transport)', (via) => {
  it('every normal record is processed, the big ones are dead-lettered cut to fit with their original size, and no checkpoint aborts', async () => {
    const t = await setUp({ dlqAtDefault: true, outAtDefault: true });
    const kafka = kafkaStreamTransport(bootstrap);
    const relay = via === 'relayed' ? relayedTransport(kafka) : undefined;
    const logs: string[] = [];
    const runner = t.runner(relay?.transport ?? kafka, logs);
    try {
      const complaint = await runUntil(runner, async () => {
        const out = await readTopic(stack.kafkaBootstrapServers, t.names.out, 2);
        const dlq = await readTopic(stack.kafkaBootstrapServers, t.names.dlq, 1);
        return out.length === NORMAL && dlq.length === 2 ? undefined : `${out.length} of ${NORMAL} outputs, ${dlq.length} of 2 dead letters, ${runner.stats.aborts} aborts`;
      });
      expect(complaint, `the run stalled; last log lines:\n${logs.slice(-5).join('\n')}`).toBeUndefined();

      const out = await readTopic(stack.kafkaBootstrapServers, t.names.out, 2);
      expect(new Set(out.map(keyOf))).toEqual(new Set(Array.from({ length: NORMAL }, (_, i) => `n-${i}`)));
      expect(out).toHaveLength(NORMAL);
      expect(runner.stats.aborts, 'the size limit is known before producing: no transaction aborts on it').toBe(0);
      expect(runner.stats.deadLettered).toBe(2);

      const source = await readTopic(stack.kafkaBootstrapServers, t.names.source, 2);
      const dlq = await readTopic(stack.kafkaBootstrapServers, t.names.dlq, 1);
      const poisonIn = source.find((m) => keyOf(m) === 'poison')!;
      const poisonOut = dlq.find((m) => keyOf(m) === 'poison')!;
      expect(headersOf(poisonOut)).toMatchObject({
        'sluice.error.reason': 'bad-magic',
        'sluice.error.step': t.names.source,
        'sluice.error.original-size': String(POISON_BYTES),
        'sluice.source.topic': t.names.source,
        'sluice.source.partition': String(poisonIn.partition),
        'sluice.source.offset': String(poisonIn.offset),
      });
      // Cut to fit: the first bytes of the original, as many as the topic takes.
      expect(poisonOut.value!.length).toBeGreaterThan(BROKER_DEFAULT_LIMIT - 4_096);
      expect(poisonOut.value!.length).toBeLessThan(BROKER_DEFAULT_LIMIT);
      expect(poisonOut.value!.equals(t.poison.subarray(0, poisonOut.value!.length))).toBe(true);

      // A valid record whose output is over the output topic's limit: the input is dead-lettered instead.
      const bigIn = source.find((m) => keyOf(m) === 'big')!;
      const bigOut = dlq.find((m) => keyOf(m) === 'big')!;
      expect(headersOf(bigOut)).toMatchObject({
        'sluice.error.reason': 'too-large',
        'sluice.error.step': t.names.out,
        'sluice.error.original-size': String(t.bigValid.length),
        'sluice.source.offset': String(bigIn.offset),
      });
      expect(headersOf(bigOut)['sluice.error.message']).toContain(t.names.out);
      expect(bigOut.value!.equals(t.bigValid.subarray(0, bigOut.value!.length))).toBe(true);
    } finally {
      await relay?.close();
      await kafka.close();
      await t.cleanUp();
    }
  });
});

describe('topics Sluice creates accept what their sources accept', () => {
  it('a dead-letter topic created by the run takes the 5 MB dead letter whole', async () => {
    const t = await setUp({ dlqAtDefault: false, outAtDefault: false });
    const kafka = kafkaStreamTransport(bootstrap);
    const logs: string[] = [];
    const runner = t.runner(kafka, logs);
    try {
      const complaint = await runUntil(runner, async () => {
        const out = await readTopic(stack.kafkaBootstrapServers, t.names.out, 2);
        const dlq = await readTopic(stack.kafkaBootstrapServers, t.names.dlq, 1);
        return out.length === NORMAL && dlq.length === 2 ? undefined : `${out.length} of ${NORMAL} outputs, ${dlq.length} of 2 dead letters, ${runner.stats.aborts} aborts`;
      });
      expect(complaint, `the run stalled; last log lines:\n${logs.slice(-5).join('\n')}`).toBeUndefined();
      const dlq = await readTopic(stack.kafkaBootstrapServers, t.names.dlq, 1);
      const poisonOut = dlq.find((m) => keyOf(m) === 'poison')!;
      expect(headersOf(poisonOut)['sluice.error.reason']).toBe('bad-magic');
      expect(headersOf(poisonOut)['sluice.error.original-size']).toBeUndefined();
      expect(poisonOut.value!.equals(t.poison)).toBe(true);
      // The output topic is the user's (created at the broker default): its too-large output dead-letters the input, whole.
      const bigOut = dlq.find((m) => keyOf(m) === 'big')!;
      expect(headersOf(bigOut)['sluice.error.reason']).toBe('too-large');
      expect(bigOut.value!.equals(t.bigValid)).toBe(true);
      expect(runner.stats.aborts).toBe(0);
    } finally {
      await kafka.close();
      await t.cleanUp();
    }
  });
});

describe('a produce error that retrying cannot fix', () => {
  it('ends the run with an error naming the topic and the fix, instead of retrying forever', async () => {
    const t = await setUp({ dlqAtDefault: true, outAtDefault: false });
    const kafka = kafkaStreamTransport(bootstrap);
    // As if the limits could not be known ahead (or the topic's limit was lowered after start-up).
    const blind: StreamTransport = { ...kafka, recordLimits: undefined } as StreamTransport;
    const logs: string[] = [];
    const runner = t.runner(blind, logs);
    try {
      await runner.start();
      const stop = new AbortController();
      const running = runner.run(stop.signal).then(
        () => 'the run ended without an error',
        (error: unknown) => error,
      );
      const outcome = await Promise.race([running, sleep(SETTLE_MS).then(() => `still running after ${SETTLE_MS} ms (${runner.stats.aborts} aborted checkpoints)`)]);
      stop.abort();
      await running;
      expect(outcome).toBeInstanceOf(Error);
      // Both the poison's dead letter and the big record's output are refused; whichever checkpoint comes first stops the run.
      const message = (outcome as Error).message;
      const refused = [t.names.dlq, t.names.out].find((topic) => message.includes(`topic ${topic} accepts`));
      expect(refused, message).toBeDefined();
      expect(message).toContain(`--entity-name ${refused} --add-config max.message.bytes=`);
      expect(runner.stats.aborts, 'stopped at the first refusal, not retried').toBeLessThanOrEqual(1);
    } finally {
      await kafka.close();
      await t.cleanUp();
    }
  });
});
