import type { CommitOffset } from '../runtime/records.js';
import type { CheckpointFault, DeliveryGuarantee, TopicPartitionRef } from '../runtime/stream-transport.js';
import type { PackedRecords } from './packed-records.js';

/**
 * The calls a processing thread makes on the thread that owns the Kafka
 * client: one message per `StreamTransport`, `StreamConsumer` or
 * `CheckpointWriter` call, answered by a {@link TransportReply} with the same
 * `id`. Consumers and writers are named by numbers the caller picks.
 *
 * @example
 * ```ts
 * port.postMessage({ id: 7, op: 'poll', consumer: 1, max: 20_000, timeoutMs: 100, lag: false } satisfies TransportRequest);
 * ```
 */
export type TransportRequest =
  | { readonly id: number; readonly op: 'ensureTopics'; readonly topics: readonly { name: string; partitions: number; config?: Readonly<Record<string, string>> }[] }
  | { readonly id: number; readonly op: 'partitionCounts'; readonly topics: readonly string[] }
  | { readonly id: number; readonly op: 'recordLimits'; readonly topics: readonly string[] }
  | { readonly id: number; readonly op: 'connectConsumer'; readonly consumer: number; readonly groupId: string; readonly topics: readonly string[]; readonly staticMemberId?: string; readonly coPartitioned?: boolean }
  | { readonly id: number; readonly op: 'poll'; readonly consumer: number; readonly max: number; readonly timeoutMs: number; readonly lag: boolean }
  | { readonly id: number; readonly op: 'seek'; readonly consumer: number; readonly partition: TopicPartitionRef; readonly nextOffset: bigint | undefined }
  | { readonly id: number; readonly op: 'committed'; readonly consumer: number; readonly partitions: readonly TopicPartitionRef[] }
  | { readonly id: number; readonly op: 'committedMetadata'; readonly consumer: number; readonly partitions: readonly TopicPartitionRef[] }
  | { readonly id: number; readonly op: 'closeConsumer'; readonly consumer: number }
  | { readonly id: number; readonly op: 'connectWriter'; readonly writer: number; readonly consumer: number; readonly guarantee: DeliveryGuarantee; readonly transactionalId: string }
  | { readonly id: number; readonly op: 'abort' | 'closeWriter'; readonly writer: number }
  | { readonly id: number; readonly op: 'commit'; readonly writer: number; readonly offsets: readonly CommitOffset[] }
  | { readonly id: number; readonly op: 'readPartition'; readonly topic: string; readonly partition: number }
  | { readonly id: number; readonly op: 'purge'; readonly offsets: readonly CommitOffset[] };

/**
 * Calls with no answer: pausing and resuming are synchronous in the
 * `StreamConsumer` contract, a released revocation needs no reply, and a
 * checkpoint's begin and records are only confirmed by the commit that
 * follows them (a failed begin or produce fails that commit). Messages on one port arrive in order,
 * so a pause sent before a poll is applied before it, and records produced
 * before a commit are in its transaction.
 *
 * @example
 * ```ts
 * port.postMessage({ op: 'pause', consumer: 1, partitions: [{ topic: 'events', partition: 0 }] } satisfies TransportNotice);
 * ```
 */
export type TransportNotice =
  | { readonly op: 'pause' | 'resume'; readonly consumer: number; readonly partitions: readonly TopicPartitionRef[] }
  | { readonly op: 'release'; readonly change: number }
  | { readonly op: 'begin'; readonly writer: number }
  | { readonly op: 'produce'; readonly writer: number; readonly records: PackedRecords };

/**
 * A failed call as data: the message, and how the owning thread's transport
 * classified it, so the processing thread recovers exactly as it would with
 * the client in hand.
 *
 * @example
 * ```ts
 * const error: RemoteErrorData = { name: 'KafkaClientError', message: 'polling: Local: Broker transport failure', fault: 'retry' };
 * ```
 */
export interface RemoteErrorData {
  readonly name: string;
  readonly message: string;
  readonly fault: CheckpointFault;
  readonly code?: number;
}

/**
 * What a poll answers: the records (packed in chunks, in order), and what the consumer knows that the caller reads synchronously.
 *
 * @example
 * ```ts
 * const reply: PollReply = { chunks: [packRecords(records)], ends: [[partitionKey('events', 0), 42n]], assignment: [{ topic: 'events', partition: 0 }] };
 * ```
 */
export interface PollReply {
  readonly chunks: readonly PackedRecords[];
  /** The consumer's end-of-partition offsets, by `partitionKey`. */
  readonly ends: readonly (readonly [string, bigint])[];
  readonly assignment: readonly TopicPartitionRef[];
  /** Present when the request asked for it. */
  readonly lag?: readonly { readonly topic: string; readonly partition: number; readonly records: number }[];
}

/**
 * The answer to one {@link TransportRequest}.
 *
 * @example
 * ```ts
 * const reply: TransportReply = { id: 7, ok: true, value: undefined };
 * ```
 */
export type TransportReply = { readonly id: number; readonly ok: true; readonly value: unknown } | { readonly id: number; readonly ok: false; readonly error: RemoteErrorData };

/**
 * A rebalance of one consumer, sent as it happens; a revocation waits for a
 * `release` notice naming `change`.
 *
 * @example
 * ```ts
 * const event: TransportEvent = { event: 'rebalance', consumer: 1, change: 3, kind: 'revoked', partitions: [{ topic: 'events', partition: 2 }] };
 * ```
 */
export interface TransportEvent {
  readonly event: 'rebalance';
  readonly consumer: number;
  readonly change: number;
  readonly kind: 'assigned' | 'revoked';
  readonly partitions: readonly TopicPartitionRef[];
}
