import type { Topology } from 'sluice';
import type { NamedSchema } from '../../src/runtime/schema-resolver.js';

/** One input record of a case. */
export interface CaseRecord {
  readonly value: unknown;
  readonly key?: string;
  readonly timestamp?: number;
}

/**
 * What a case does, in order. `send` records form ONE batch per partition on
 * the driver (a real runtime may split them; cases only assert what cannot
 * depend on batching). `sendRaw` writes bytes as they are (bad records).
 * `sendFramed` writes each body behind the Confluent header of the source's
 * own registered schema id, unchecked, as a producer with a looser schema
 * (or a broken one) would: an object as its JSON text, a string as it is.
 */
export type CaseStep =
  | { readonly send: string; readonly records: readonly CaseRecord[] }
  | { readonly sendRaw: string; readonly value: Buffer | null; readonly key?: string }
  | { readonly sendFramed: string; readonly bodies: readonly { readonly body: object | string; readonly key?: string }[] }
  | { readonly advanceWallClock: number };

/** A dead-letter record as a case expects it (subset match). */
export interface ExpectedDeadLetter {
  readonly reason: string;
  readonly step: string;
  readonly message?: string;
  readonly source?: { readonly topic: string; readonly partition?: number; readonly offset?: bigint };
}

/**
 * A runtime-agnostic case: topology + input + expected output. The driver
 * runs every case in `driver.test.ts`; the Kafka runtime runs the same list.
 * Expected table rows are the latest row per (key, window) sorted by key
 * then window start, matched as subsets (`toMatchObject`); outputs and dead
 * letters are in write order (cases with one input partition, or per-key
 * order only).
 */
export interface ConformanceCase {
  readonly name: string;
  readonly topology: Topology;
  /** Schemas by name: Avro, or `{ format: 'json', schema }` for a JSON Schema. */
  readonly schemas: Readonly<Record<string, NamedSchema>>;
  readonly partitions?: number;
  readonly steps: readonly CaseStep[];
  readonly expect: {
    readonly tables?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
    readonly outputs?: Readonly<Record<string, readonly unknown[]>>;
    readonly deadLetters?: Readonly<Record<string, readonly ExpectedDeadLetter[]>>;
    /** Late records counted (dead-lettered or dropped). */
    readonly late?: number;
  };
}

/** Identity helper that type-checks a case. */
export function defineCase(c: ConformanceCase): ConformanceCase {
  return c;
}

/**
 * The bytes of a `sendFramed` body: magic byte 0, the schema id, then the
 * body (an object as its JSON text).
 */
export function framedBody(schemaId: number, body: object | string): Buffer {
  const text = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const out = Buffer.alloc(5 + text.length);
  out.writeInt32BE(schemaId, 1);
  text.copy(out, 5);
  return out;
}
