import { describe, expect, test } from 'vitest';
import type { AvroSchema } from '../../src/serde/avro-schema.js';
import type { PartitionOffset, SinkDriver, SinkKindSpec, SinkRecord, SinkTarget, SinkWriteMode } from '../../src/sinks/index.js';

// One contract suite run against every SinkDriver (Hono's runtime-tests pattern): the same seeded
// batches go to each driver, and the rows each destination holds afterwards must equal what an
// independent oracle computes by applying the records one at a time.

/** The rows every destination of the suite holds: `id` text, `n` integer, `tag` text or null. */
export interface SuiteRow {
  readonly id: string;
  readonly n: number;
  readonly tag: string | null;
}

/**
 * What a driver's test file provides: the driver, opened, and a destination per case.
 *
 * @example
 * ```ts
 * sinkDriverSuite('memory', async () => ({ driver, destination: async (name, mode) => memory({ key: ['id'], mode }), rows: async (name) => driver.rows(name), close: async () => {} }));
 * ```
 */
export interface SinkDriverHarness {
  readonly driver: SinkDriver;
  /** Makes a fresh destination for rows of {@link SuiteRow} (keyed by `id`, except in `append` mode) and the spec writing it. */
  destination(name: string, mode: SinkWriteMode): Promise<SinkKindSpec>;
  /** The rows the destination written by sink `name` holds now. */
  rows(name: string): Promise<SuiteRow[]>;
  close(): Promise<void>;
}

const KEY_SCHEMA: AvroSchema = { type: 'record', name: 'SuiteKey', fields: [{ name: 'id', type: 'string' }] };
const VALUE_SCHEMA: AvroSchema = {
  type: 'record',
  name: 'SuiteValue',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'n', type: 'int' },
    { name: 'tag', type: ['null', 'string'], default: null },
  ],
};

const TOPIC = 'suite.table';
const PARTITIONS = 3;

/** Mulberry32: small, seeded, good enough to pick test inputs. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type SuiteRecord = SinkRecord<{ id: string }, SuiteRow>;

/**
 * Batches as a sink's consumer would hand them over: per partition in offset
 * order, partitions interleaved in runs, keys drawn from a few ids (so batches
 * repeat keys), some tombstones, and some batches re-delivered in part (a
 * consumer rewound after a crash).
 */
function batchesFor(seed: number): SuiteRecord[][] {
  const next = random(seed);
  const ids = Array.from({ length: 2 + Math.floor(next() * 6) }, (_, i) => `id-${i}`);
  const offsets = new Array<bigint>(PARTITIONS).fill(0n);
  const log: SuiteRecord[][] = Array.from({ length: PARTITIONS }, () => []);
  const batches: SuiteRecord[][] = [];
  const batchCount = 3 + Math.floor(next() * 6);
  for (let b = 0; b < batchCount; b++) {
    const batch: SuiteRecord[] = [];
    if (b > 0 && next() < 0.3) {
      // Re-delivery: the tail of one partition again, before new records.
      const p = Math.floor(next() * PARTITIONS);
      batch.push(...log[p]!.slice(Math.floor(next() * log[p]!.length)));
    }
    const runs = 1 + Math.floor(next() * 4);
    for (let r = 0; r < runs; r++) {
      const partition = Math.floor(next() * PARTITIONS);
      const length = 1 + Math.floor(next() * 12);
      for (let i = 0; i < length; i++) {
        const id = ids[Math.floor(next() * ids.length)]!;
        const tombstone = next() < 0.2;
        const value: SuiteRow | null = tombstone ? null : { id, n: Math.floor(next() * 2000) - 1000, tag: next() < 0.3 ? null : `t${Math.floor(next() * 50)}` };
        const record: SuiteRecord = { topic: TOPIC, partition, offset: offsets[partition]!, key: { id }, value };
        offsets[partition]! += 1n;
        log[partition]!.push(record);
        batch.push(record);
      }
    }
    batches.push(batch);
  }
  return batches;
}

/** The oracle: one record at a time, in batch order, skipping what a partition's stored position says was applied. */
function expected(batches: readonly (readonly SuiteRecord[])[], mode: SinkWriteMode): { rows: SuiteRow[]; positions: PartitionOffset[] } {
  const byId = new Map<string, SuiteRow>();
  const appended: SuiteRow[] = [];
  const stored = new Map<number, bigint>();
  for (const batch of batches) {
    const before = new Map(stored);
    for (const record of batch) {
      if (record.offset < (before.get(record.partition) ?? 0n)) continue;
      stored.set(record.partition, record.offset + 1n > (stored.get(record.partition) ?? 0n) ? record.offset + 1n : stored.get(record.partition)!);
      const { id } = record.key;
      if (mode === 'append') {
        if (record.value !== null) appended.push(record.value);
      } else if (record.value === null) byId.delete(id);
      else if (mode === 'upsert' || !byId.has(id)) byId.set(id, record.value);
    }
  }
  const positions = [...stored].map(([partition, nextOffset]) => ({ topic: TOPIC, partition, nextOffset }));
  return { rows: mode === 'append' ? appended : [...byId.values()], positions };
}

const sorted = (rows: readonly SuiteRow[]): SuiteRow[] =>
  rows.map((r) => ({ id: r.id, n: Number(r.n), tag: r.tag ?? null })).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
const byPartition = (positions: readonly PartitionOffset[]): PartitionOffset[] =>
  [...positions].map((p) => ({ topic: p.topic, partition: p.partition, nextOffset: p.nextOffset })).sort((a, b) => a.partition - b.partition);

/**
 * Registers the contract cases for one driver: per mode and seed, the
 * destination's rows after every batch equal the oracle's, the counts add
 * up, and the stored positions are the oracle's.
 *
 * @example
 * ```ts
 * sinkDriverSuite('postgres', () => postgresHarness());
 * ```
 */
export function sinkDriverSuite(name: string, harness: () => Promise<SinkDriverHarness>, seeds: readonly number[] = [1, 2, 3, 4, 5, 6]): void {
  describe(`SinkDriver contract: ${name}`, () => {
    const modes: readonly SinkWriteMode[] = ['upsert', 'insert-ignore', 'append'];
    for (const mode of modes) {
      test.each(seeds)(`${mode}: seeded batches (seed %i) leave the oracle's rows and positions`, async (seed) => {
        const h = await harness();
        try {
          const sinkName = `suite-${mode}-${seed}`;
          const spec = await h.destination(sinkName, mode);
          const target: SinkTarget = {
            topology: 'sink-suite',
            name: sinkName,
            spec,
            consumerGroup: `sink-suite.${sinkName}.${process.pid}.${Date.now()}`,
            records: 'table',
            fields: ['id', 'n', 'tag'],
            keySchema: KEY_SCHEMA,
            valueSchema: VALUE_SCHEMA,
          };
          const sink = h.driver.createSink(target);
          const partitions = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: TOPIC, partition }));
          expect(await sink.open(partitions)).toEqual([]);
          const batches = batchesFor(seed * 7919 + modes.indexOf(mode));
          let records = 0;
          let skippedOrApplied = 0;
          for (let i = 0; i < batches.length; i++) {
            const outcome = await sink.writeBatch({ records: batches[i]! });
            records += batches[i]!.length;
            skippedOrApplied += outcome.written + outcome.deleted + outcome.skipped;
            expect(outcome.rejected).toEqual([]);
            const oracle = expected(batches.slice(0, i + 1), mode);
            expect(sorted(await h.rows(sinkName)), `after batch ${i}`).toEqual(sorted(oracle.rows));
          }
          // Every record is accounted for exactly once: written, deleted or skipped.
          expect(skippedOrApplied).toBe(records);
          expect(byPartition(await sink.open(partitions))).toEqual(byPartition(expected(batches, mode).positions));
          // Writing everything again changes nothing: each record is below its stored position.
          const again = await sink.writeBatch({ records: batches.flat() });
          expect({ written: again.written, deleted: again.deleted }).toEqual({ written: 0, deleted: 0 });
          expect(sorted(await h.rows(sinkName))).toEqual(sorted(expected(batches, mode).rows));
          await sink.close();
        } finally {
          await h.close();
        }
      });
    }

    test('classifies an error that is not the destination refusing data as no reason to dead-letter', async () => {
      const h = await harness();
      try {
        expect(h.driver.classifyError(new Error('a bug'))).toBe('fatal');
      } finally {
        await h.close();
      }
    });
  });
}
