import type { GeneratedRecord, GeneratorOptions } from './event-generator.js';
import type { SeededRandom } from './seeded-random.js';

/**
 * How one workload makes its records; {@link mixRecords} decides which kind
 * each slot gets.
 *
 * @example
 * ```ts
 * const spec: MixSpec<Heartbeat> = { next, spoil, age, lateByMs: 180_000 };
 * ```
 */
export interface MixSpec<V> {
  /** A fresh valid record at event time `nowMs` (may advance the simulation). */
  next(nowMs: number): GeneratedRecord<V>;
  /**
   * A corrupted copy of a recent valid record, with the validation message it
   * earns; `undefined` when the record cannot be spoiled (the slot then gets a valid record).
   */
  spoil(record: GeneratedRecord<V>): { readonly value: V; readonly reason: string } | undefined;
  /** A copy of a recent valid record `byMs` older (fresh ids), or `undefined` when its topic has no windows. */
  age(record: GeneratedRecord<V>, byMs: number): V | undefined;
  /** How far back a late copy goes: more than window size + grace, so every window it falls in has closed. */
  readonly lateByMs: number;
}

const RECENT = 64;

/**
 * The endless record sequence of a workload: each slot is late with
 * probability `lateRatio`, invalid with `invalidRatio`, else a fresh valid
 * record. Invalid and late records are copies of recent valid ones, so they
 * never disturb the simulation (an order's lifecycle stays whole).
 *
 * Why a late copy is certainly late: it has the key and group key of a
 * record produced before it, so it follows that record through the same
 * source and repartition partitions; the window task has therefore seen an
 * event time at least `lateByMs` after it.
 *
 * @example
 * ```ts
 * for (const r of mixRecords(options, new SeededRandom(options.seed), spec)) send(r);
 * ```
 */
export function* mixRecords<V>(options: GeneratorOptions, random: SeededRandom, spec: MixSpec<V>): Generator<GeneratedRecord<V>> {
  checkRatios(options);
  const stepMs = 1000 / options.eventsPerSecond;
  const recent: GeneratedRecord<V>[] = [];
  for (let slot = 0; ; slot++) {
    const nowMs = Math.round(options.startMs + slot * stepMs);
    const roll = random.next();
    if (roll < options.lateRatio && recent.length > 0) {
      const original = random.pick(recent);
      const value = spec.age(original, spec.lateByMs);
      if (value !== undefined) {
        yield { topic: original.topic, key: original.key, value, kind: 'late', ...timestamp(original, spec.lateByMs) };
        continue;
      }
    }
    if (roll >= options.lateRatio && roll < options.lateRatio + options.invalidRatio && recent.length > 0) {
      const original = random.pick(recent);
      const spoiled = spec.spoil(original);
      if (spoiled !== undefined) {
        yield { topic: original.topic, key: original.key, value: spoiled.value, kind: 'invalid', reason: spoiled.reason, ...timestamp(original, 0) };
        continue;
      }
    }
    const record = spec.next(nowMs);
    if (record.kind === 'valid') {
      recent.push(record);
      if (recent.length > RECENT) recent.shift();
    }
    yield record;
  }
}

/** A record timestamp carried over to a copy, `olderByMs` earlier (none when the original has none). */
function timestamp(original: GeneratedRecord<unknown>, olderByMs: number): { readonly timestamp?: number } {
  return original.timestamp === undefined ? {} : { timestamp: original.timestamp - olderByMs };
}

function checkRatios(options: GeneratorOptions): void {
  for (const [name, value] of [['invalidRatio', options.invalidRatio], ['lateRatio', options.lateRatio]] as const) {
    if (!(value >= 0 && value <= 1)) throw new Error(`${name} must be between 0 and 1, got ${value}`);
  }
  if (options.invalidRatio + options.lateRatio > 1) throw new Error('invalidRatio + lateRatio must not exceed 1');
  if (!(options.eventsPerSecond > 0)) throw new Error(`eventsPerSecond must be positive, got ${options.eventsPerSecond}`);
}
