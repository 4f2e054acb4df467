import { sql, type Kysely, type Transaction } from 'kysely';
import type { PartitionOffset, TopicPartition } from '../sink.js';
import type { Database } from './database.js';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Reads the stored positions of a consumer group for some partitions (what
 * the consumer seeks to on assignment). A partition without a position, or
 * at 0, is absent: the consumer's reset policy applies.
 *
 * @example
 * ```ts
 * await readOffsets(db, 'bus-telemetry.route-stats-pg', [{ topic: 'bus.route-stats.1m', partition: 0 }]);
 * // [{ topic: 'bus.route-stats.1m', partition: 0, nextOffset: 1042n }]
 * ```
 */
export async function readOffsets(
  db: Executor,
  consumerGroup: string,
  partitions: readonly TopicPartition[],
): Promise<PartitionOffset[]> {
  if (partitions.length === 0) return [];
  // next_offset is read as text: pg gives int8 as a string, PGlite as a number.
  const { rows } = await sql<{ topic: string; partition: number; next_offset: string }>`
    select o.topic, o.partition, o.next_offset::text as next_offset
    from sluice_offsets o
    where o.consumer_group = ${consumerGroup}
      and o.next_offset > 0
      and (o.topic, o.partition) in (select * from unnest(${partitions.map((p) => p.topic)}::text[], ${partitions.map((p) => p.partition)}::int4[]))
    order by o.topic, o.partition`.execute(db);
  return rows.map((r) => ({ topic: r.topic, partition: Number(r.partition), nextOffset: BigInt(r.next_offset) }));
}

/**
 * Locks the positions of a batch's partitions for the rest of the
 * transaction and returns them, in one statement. A missing row is created at
 * 0 ("nothing applied", the same as absent) so that even the very first batch
 * of a partition has a row to lock: two writers of one partition (a zombie
 * after a rebalance) then serialise, and the second sees the first's
 * position and skips what it already applied.
 *
 * @example
 * ```ts
 * await lockOffsets(tx, 'bus-telemetry.route-stats-pg', [{ topic: 'bus.route-stats.1m', partition: 0 }]);
 * // [{ topic: 'bus.route-stats.1m', partition: 0, nextOffset: 1042n }]
 * ```
 */
export async function lockOffsets(
  db: Transaction<Database>,
  consumerGroup: string,
  partitions: readonly TopicPartition[],
): Promise<PartitionOffset[]> {
  if (partitions.length === 0) return [];
  // The no-op DO UPDATE takes the row lock and RETURNING reads the latest committed value.
  const { rows } = await sql<{ topic: string; partition: number; next_offset: string }>`
    insert into sluice_offsets (consumer_group, topic, partition, next_offset)
    select ${consumerGroup}, t, p, 0
    from unnest(${partitions.map((p) => p.topic)}::text[], ${partitions.map((p) => p.partition)}::int4[]) as v(t, p)
    order by t, p
    on conflict (consumer_group, topic, partition) do update set next_offset = sluice_offsets.next_offset
    returning topic, partition, next_offset::text as next_offset`.execute(db);
  return rows.map((r) => ({ topic: r.topic, partition: Number(r.partition), nextOffset: BigInt(r.next_offset) }));
}

/**
 * Stores positions (one statement for all partitions of the batch).
 *
 * @example
 * ```ts
 * await writeOffsets(tx, 'bus-telemetry.route-stats-pg', [{ topic: 'bus.route-stats.1m', partition: 0, nextOffset: 1043n }]);
 * ```
 */
export async function writeOffsets(db: Executor, consumerGroup: string, offsets: readonly PartitionOffset[]): Promise<void> {
  if (offsets.length === 0) return;
  await sql`
    insert into sluice_offsets (consumer_group, topic, partition, next_offset, updated_at)
    select ${consumerGroup}, t, p, o, now()
    from unnest(${offsets.map((x) => x.topic)}::text[], ${offsets.map((x) => x.partition)}::int4[], ${offsets.map((x) => x.nextOffset.toString())}::int8[]) as v(t, p, o)
    on conflict (consumer_group, topic, partition)
    do update set next_offset = excluded.next_offset, updated_at = excluded.updated_at`.execute(db);
}
