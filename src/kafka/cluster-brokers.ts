import type { KafkaProperties } from './kafka-config.js';
import { toKafkaError } from './kafka-error.js';
import { Producer } from './rdkafka.js';

/** A broker the cluster's metadata lists. */
export interface ClusterBroker {
  readonly id: number;
  readonly host: string;
  readonly port: number;
}

/**
 * The brokers the cluster's metadata lists right now — under KRaft only the
 * live, unfenced ones — sorted by id. Asks with a short-lived client (the
 * binding's admin client has no cluster description).
 *
 * @example
 * ```ts
 * (await clusterBrokers({ 'bootstrap.servers': '127.0.0.1:9092' })).length; // 1
 * ```
 */
export async function clusterBrokers(properties: KafkaProperties, timeoutMs = 30_000): Promise<ClusterBroker[]> {
  const client = new Producer({ ...properties, 'socket.connection.setup.timeout.ms': Math.max(1_000, timeoutMs), log_level: 0, dr_cb: false });
  try {
    await new Promise<void>((resolvePromise, reject) => {
      client.connect({ timeout: timeoutMs, allTopics: false }, (error) => (error ? reject(toKafkaError(error, `connecting to ${String(properties['bootstrap.servers'])}`)) : resolvePromise()));
    });
    const metadata = await new Promise<{ brokers: ClusterBroker[] }>((resolvePromise, reject) => {
      client.getMetadata({ allTopics: false, timeout: timeoutMs }, (error, data) => (error ? reject(toKafkaError(error, 'reading the cluster metadata')) : resolvePromise(data)));
    });
    return metadata.brokers.map(({ id, host, port }) => ({ id, host, port })).sort((a, b) => a.id - b.id);
  } finally {
    await new Promise<void>((resolvePromise) => client.disconnect(() => resolvePromise()));
  }
}
