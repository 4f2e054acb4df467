import { setTimeout as sleep } from 'node:timers/promises';
import { RegistryUnavailableError } from '../../serde/index.js';
import type { PartitionOffset, RejectedRecord, WriteOutcome } from '../../sinks/index.js';
import type { InputRecord } from '../records.js';
import type { SinkFault, SinkRunnerOptions, SinkRunnerStats } from './sink-runner-options.js';
import { retryPaused } from './retry-paused.js';
import { sinkDeadLetter } from './sink-dead-letter.js';
import { sinkDecoderFor, type SinkDecoder } from './dead-letter-record-decoder.js';
import { partitionKey } from '../../partition-key.js';
import type { CheckpointWriter, PartitionChange, StreamConsumer, TopicPartitionRef } from '../stream-transport.js';
import { errorText } from '../../error-text.js';

export type { SinkFault, SinkRunnerOptions, SinkRunnerStats } from './sink-runner-options.js';

/**
 * A destination fault retrying cannot fix (table mismatch, bad identifier, permissions): the runner stops.
 *
 * @example
 * ```ts
 * await runner.start(); // SinkFatalError: sink route-stats-pg: table public.bus_route_minute has no column avg_kmh; …
 * ```
 */
export class SinkFatalError extends Error {
  override readonly name = 'SinkFatalError';
}

/** Marks a dead-letter write that failed inside the destination's transaction: a Kafka fault, so retried. */
class DeadLetterWriteError extends Error {
  override readonly name = 'DeadLetterWriteError';
}

/**
 * Feeds one sink from its own consumer group (`<applicationId>.<sinkName>`,
 * `read_committed`): each poll is decoded and handed to `sink.writeBatch`,
 * which stores rows and positions in one destination transaction.
 *
 * - **Positions** live in the destination: on assignment the runner calls
 *   `sink.open(partitions)` and seeks to what it returns (the beginning where
 *   nothing is stored). Records polled before that seek are dropped, so a
 *   stale Kafka commit can never skip a row. Kafka commits happen after the
 *   destination's commit, for lag monitoring only.
 * - **Refused rows** (and undecodable records) go to the sink's DLQ topic,
 *   `<applicationId>.<sinkName>.dlq`, with the destination's error in the
 *   headers, acknowledged before the destination commits.
 * - **Faults** classified `retry` pause the partitions and retry the same
 *   batch with backoff, forever, polling the paused consumer so the group
 *   keeps it; nothing goes to the DLQ. Anything else throws a
 *   {@link SinkFatalError} (at start-up for a table mismatch).
 *
 * @example
 * ```ts
 * const source = sinkSource(plan, 'route-stats-pg', resolveSchema);
 * const sink = createPostgresSink({ name: 'route-stats-pg', consumerGroup: source.groupId, db, spec, fields: source.fields });
 * const runner = new SinkRunner({ source, sink, transport, registry, log, classifyError: classifyDatabaseError });
 * await runner.start();           // SinkFatalError: sink route-stats-pg: table public.bus_route_minute has no column …
 * await runner.run(stop.signal);  // until SIGTERM: finishes the batch, commits, leaves
 * ```
 */
export class SinkRunner {
  readonly stats: SinkRunnerStats = { batches: 0, written: 0, deleted: 0, skipped: 0, deadLettered: 0, retries: 0, assignedPartitions: 0 };
  readonly #options: SinkRunnerOptions;
  readonly #decoder: SinkDecoder;
  readonly #changes: PartitionChange[] = [];
  /** Next offset expected per ready partition; a partition is ready once sought to its stored position. */
  readonly #positions = new Map<string, bigint>();
  #consumer: StreamConsumer | undefined;
  #writer: CheckpointWriter | undefined;
  #closing = false;

  constructor(options: SinkRunnerOptions) {
    this.#options = options;
    this.#decoder = sinkDecoderFor(options.source, options.registry);
  }

  get name(): string {
    return this.#options.source.sink.name;
  }

  /**
   * Checks the destination (table, columns, key, `sluice_offsets`): a
   * mismatch throws a {@link SinkFatalError}; an outage is retried.
   */
  async check(signal?: AbortSignal): Promise<void> {
    await this.#retrying('checking the destination', () => this.#options.sink.open([]), (e) => this.#fault(e) === 'retry', signal);
  }

  /** Checks the destination (a mismatch throws here), creates the DLQ topic, joins the sink's group. */
  async start(signal?: AbortSignal): Promise<void> {
    const { transport, source, log } = this.#options;
    await this.check(signal);
    await transport.ensureTopics([{ name: source.deadLetterTopic, partitions: 1 }]);
    const membership = this.#options.staticMemberId === undefined ? {} : { staticMemberId: this.#options.staticMemberId };
    this.#consumer = await transport.connectConsumer(
      source.groupId,
      [source.sink.topic],
      (change) => {
        if (this.#closing) change.done();
        else this.#changes.push(change);
      },
      membership,
    );
    // At-least-once writer: produce() resolves once the DLQ records are acknowledged; commit() is a plain group commit.
    this.#writer = await transport.connectWriter({ guarantee: 'at-least-once', transactionalId: `${source.groupId}-dlq`, consumer: this.#consumer });
    log('info', `sink ${this.name} joined group ${source.groupId}`, { topic: source.sink.topic, deadLetterTopic: source.deadLetterTopic });
  }

  /** Polls and writes until `signal` aborts, then finishes the batch in hand, commits it and leaves the group. */
  async run(signal: AbortSignal): Promise<void> {
    const consumer = this.#required(this.#consumer);
    const { log, maxBatchRecords = 20_000, pollTimeoutMs = 200 } = this.#options;
    let pollFailures = 0;
    try {
      while (!signal.aborted) {
        let polled: InputRecord[];
        try {
          polled = await consumer.poll(maxBatchRecords, pollTimeoutMs);
          pollFailures = 0;
        } catch (error) {
          pollFailures += 1;
          log('warn', `sink ${this.name}: poll failed; retrying`, { error: errorText(error), attempt: pollFailures });
          await sleep(Math.min(5_000, 100 * 2 ** Math.min(pollFailures, 6)), undefined, { signal }).catch(() => {});
          continue;
        }
        // The shutdown signal does not interrupt a batch: once polled, it is written (or retried until stopped).
        await this.#process(polled, signal);
        await this.#applyChanges(signal);
      }
    } catch (error) {
      if (!signal.aborted || error instanceof SinkFatalError) throw error;
      log('warn', `sink ${this.name}: stopped while retrying; the uncommitted batch will be read again`, { error: errorText(error) });
    } finally {
      await this.#shutdown();
    }
  }

  async #process(polled: readonly InputRecord[], signal: AbortSignal): Promise<void> {
    const ready = this.#owned(polled);
    if (ready.length === 0) return;
    const { source, sink } = this.#options;
    const writer = this.#required(this.#writer);
    const decoded = await this.#retrying('decoding', () => this.#decoder.decode(ready), (e) => e instanceof RegistryUnavailableError, signal);
    if (decoded.undecodable.length > 0) {
      const letters = decoded.undecodable.map((u) => sinkDeadLetter(u.origin, source.deadLetterTopic, u.reason, this.name, u.message));
      await this.#retrying('writing the dead-letter topic', () => writer.produce(letters), () => true, signal);
      this.stats.deadLettered += letters.length;
    }
    if (decoded.records.length === 0) return;
    let origins: Map<string, InputRecord> | undefined;
    const deadLetter = async (rejected: readonly RejectedRecord[]): Promise<void> => {
      // Only a batch with refused records needs to find their originals.
      const byPosition = (origins ??= new Map(ready.map((r) => [`${partitionKey(r.topic, r.partition)}@${r.offset}`, r])));
      const letters = rejected.map(({ record, message, code }) => {
        const origin = byPosition.get(`${partitionKey(record.topic, record.partition)}@${record.offset}`)!;
        return sinkDeadLetter(origin, source.deadLetterTopic, 'rejected', this.name, message, code);
      });
      try {
        await writer.produce(letters);
      } catch (error) {
        throw new DeadLetterWriteError(`writing ${letters.length} refused record(s) to ${source.deadLetterTopic}: ${errorText(error)}`, { cause: error });
      }
    };
    const outcome = await this.#retrying(
      `writing to ${sink.name}`,
      () => sink.writeBatch({ records: decoded.records }, { deadLetter }),
      (e) => e instanceof DeadLetterWriteError || this.#fault(e) === 'retry',
      signal,
    );
    this.#count(outcome);
    this.#options.log('debug', `sink ${this.name}: batch written`, {
      records: ready.length,
      written: outcome.written,
      deleted: outcome.deleted,
      skipped: outcome.skipped,
      deadLettered: outcome.rejected.length + decoded.undecodable.length,
      next: outcome.nextOffsets.map((o) => `${label(o)}@${o.nextOffset}`),
    });
    await this.#afterCommit(outcome.nextOffsets);
  }

  /** The polled records of partitions this member still owns, from its position on (a rebalance may have moved either). */
  #owned(polled: readonly InputRecord[]): InputRecord[] {
    const ready: InputRecord[] = [];
    // A poll comes in runs of one partition: the position is looked up when the run changes.
    let run: InputRecord | undefined;
    let next: bigint | undefined;
    for (const r of polled) {
      if (r.partition !== run?.partition || r.topic !== run.topic) {
        run = r;
        next = this.#positions.get(partitionKey(r.topic, r.partition));
      }
      if (next !== undefined && r.offset >= next) ready.push(r);
    }
    return ready;
  }

  async #afterCommit(nextOffsets: readonly PartitionOffset[]): Promise<void> {
    for (const o of nextOffsets) {
      const key = partitionKey(o.topic, o.partition);
      if (this.#positions.has(key)) this.#positions.set(key, o.nextOffset);
    }
    await this.#commitToKafka(nextOffsets);
  }

  async #commitToKafka(offsets: readonly PartitionOffset[]): Promise<void> {
    const owned = offsets.filter((o) => this.#positions.has(partitionKey(o.topic, o.partition)));
    if (this.#options.commitToKafka === false || owned.length === 0) return;
    try {
      await this.#required(this.#writer).commit(owned);
    } catch (error) {
      // Only lag monitoring reads these; the positions that matter are already in the destination.
      this.#options.log('debug', `sink ${this.name}: could not commit positions to Kafka (lag display only)`, { error: errorText(error) });
    }
  }

  async #applyChanges(signal: AbortSignal): Promise<void> {
    const consumer = this.#required(this.#consumer);
    const { log, sink } = this.#options;
    while (this.#changes.length > 0) {
      const change = this.#changes[0]!;
      if (change.kind === 'revoked') {
        // The batch before this point is committed: the next owner starts where it ended.
        for (const p of change.partitions) this.#positions.delete(partitionKey(p.topic, p.partition));
        log('info', `sink ${this.name}: partitions revoked`, { partitions: change.partitions.map(label) });
      } else {
        const owned = new Set(consumer.assignment().map((p) => partitionKey(p.topic, p.partition)));
        const partitions = change.partitions.filter((p) => owned.has(partitionKey(p.topic, p.partition)));
        const stored = await this.#retrying('reading stored positions', () => sink.open(partitions), (e) => this.#fault(e) === 'retry', signal);
        const byKey = new Map(stored.map((o) => [partitionKey(o.topic, o.partition), o.nextOffset]));
        for (const p of partitions) {
          const next = byKey.get(partitionKey(p.topic, p.partition));
          await this.#retrying(`seeking ${label(p)}`, () => consumer.seek(p, next), () => true, signal);
          this.#positions.set(partitionKey(p.topic, p.partition), next ?? 0n);
        }
        log('info', `sink ${this.name}: partitions assigned`, { positions: partitions.map((p) => `${label(p)}@${byKey.get(partitionKey(p.topic, p.partition)) ?? 'beginning'}`) });
        // Lag monitoring reads Kafka's commits: show the stored positions at once, not after the next batch.
        await this.#commitToKafka(stored);
      }
      this.#changes.shift();
      change.done();
      this.stats.assignedPartitions = this.#positions.size;
    }
  }

  /** {@link retryPaused}, with errors that are not retryable turned into a {@link SinkFatalError}. */
  async #retrying<T>(doing: string, attempt: () => Promise<T>, retryable: (error: unknown) => boolean, signal: AbortSignal | undefined): Promise<T> {
    const { log, sink, retry } = this.#options;
    try {
      return await retryPaused(attempt, {
        doing: `sink ${this.name}: ${doing}`,
        consumer: this.#consumer,
        retryable,
        log,
        onPaused: (partitions) => void sink.onPaused(partitions),
        onRetry: () => void (this.stats.retries += 1),
        ...(retry?.initialDelayMs === undefined ? {} : { initialDelayMs: retry.initialDelayMs }),
        ...(retry?.maxDelayMs === undefined ? {} : { maxDelayMs: retry.maxDelayMs }),
        signal,
      });
    } catch (error) {
      if (signal?.aborted || retryable(error)) throw error;
      const text = errorText(error);
      throw new SinkFatalError(text.startsWith(`sink ${this.name}:`) ? text : `sink ${this.name}: ${doing}: ${text}`, { cause: error });
    }
  }

  #fault(error: unknown): SinkFault {
    return this.#options.classifyError(error);
  }

  #count(outcome: WriteOutcome): void {
    this.stats.batches += 1;
    this.stats.written += outcome.written;
    this.stats.deleted += outcome.deleted;
    this.stats.skipped += outcome.skipped;
    this.stats.deadLettered += outcome.rejected.length;
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    for (const change of this.#changes.splice(0)) change.done();
    await this.#writer?.close().catch(() => {});
    await this.#consumer?.close().catch(() => {});
    await this.#options.sink.close().catch(() => {});
    this.#options.log('info', `sink ${this.name} left group ${this.#options.source.groupId}`, { ...this.stats });
  }

  #required<T>(value: T | undefined): T {
    if (value === undefined) throw new Error(`sink ${this.name}: start() must be called before run()`);
    return value;
  }
}

function label(p: TopicPartitionRef): string {
  return `${p.topic}[${p.partition}]`;
}

