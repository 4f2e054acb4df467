/**
 * How Sluice replicates the topics it creates. Unset fields follow the
 * cluster: see {@link topicReplication}.
 */
export interface ReplicationPolicy {
  /** Replicas per partition; default min(3, live brokers). */
  readonly factor?: number;
  /** The topic's `min.insync.replicas`; default 2 when the factor is 3 or more, else the broker's default. */
  readonly minInsyncReplicas?: number;
}

/** The replication factor Sluice never goes above by default (as Kafka Streams' production advice). */
export const DEFAULT_MAX_REPLICATION_FACTOR = 3;

/**
 * Reads the policy from `SLUICE_TOPIC_REPLICATION_FACTOR` and
 * `SLUICE_TOPIC_MIN_INSYNC_REPLICAS`; a value that is not a whole number ≥ 1
 * is an error naming the variable.
 *
 * @example
 * ```ts
 * replicationFromEnv({ SLUICE_TOPIC_REPLICATION_FACTOR: '2' }); // { factor: 2 }
 * ```
 */
export function replicationFromEnv(env: NodeJS.ProcessEnv = process.env): ReplicationPolicy {
  const factor = wholeNumber(env, 'SLUICE_TOPIC_REPLICATION_FACTOR');
  const minInsyncReplicas = wholeNumber(env, 'SLUICE_TOPIC_MIN_INSYNC_REPLICAS');
  return { ...(factor !== undefined ? { factor } : {}), ...(minInsyncReplicas !== undefined ? { minInsyncReplicas } : {}) };
}

/**
 * The replication factor and configs of a topic Sluice creates on a cluster
 * with `liveBrokers` brokers: min(3, liveBrokers) replicas, and
 * `min.insync.replicas=2` once there are 3 or more — with `acks=all` (what
 * Sluice's idempotent and transactional producers use) a write then survives
 * the loss of any one broker, and a partition keeps taking writes while one
 * of its replicas is down. The policy overrides either.
 *
 * @example
 * ```ts
 * topicReplication({}, 1); // { factor: 1, config: {} }
 * topicReplication({}, 5); // { factor: 3, config: { 'min.insync.replicas': '2' } }
 * ```
 */
export function topicReplication(policy: ReplicationPolicy, liveBrokers: number): { factor: number; config: Record<string, string> } {
  const factor = policy.factor ?? Math.max(1, Math.min(DEFAULT_MAX_REPLICATION_FACTOR, liveBrokers));
  const minInsync = policy.minInsyncReplicas ?? (factor >= 3 ? 2 : undefined);
  if (minInsync !== undefined && minInsync > factor) {
    throw new Error(
      `min.insync.replicas ${minInsync} is more than the replication factor ${factor}: no write with acks=all could succeed; ` +
        'lower SLUICE_TOPIC_MIN_INSYNC_REPLICAS or raise SLUICE_TOPIC_REPLICATION_FACTOR',
    );
  }
  return { factor, config: minInsync === undefined ? {} : { 'min.insync.replicas': String(minInsync) } };
}

function wholeNumber(env: NodeJS.ProcessEnv, key: string): number | undefined {
  const raw = env[key];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${key} must be a whole number of at least 1, got '${raw}'`);
  return n;
}
