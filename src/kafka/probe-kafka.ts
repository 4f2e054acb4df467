import { AdminClient } from './rdkafka.js';
import { toKafkaError } from './kafka-error.js';
import type { KafkaProperties } from './kafka-config.js';

/**
 * Resolves once the cluster answers a metadata request (list topics), rejects
 * after `timeoutMs` with the reason. Never hangs.
 *
 * @example
 * ```ts
 * await probeKafka('127.0.0.1:9092', 5_000);
 * ```
 */
export function probeKafka(bootstrapServers: string, timeoutMs: number, properties: KafkaProperties = {}): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const admin = AdminClient.create({
      ...properties,
      'bootstrap.servers': bootstrapServers,
      'socket.connection.setup.timeout.ms': Math.max(1_000, timeoutMs),
      log_level: 0,
    });
    admin.listTopics({ timeout: timeoutMs }, (error) => {
      admin.disconnect();
      if (error) reject(toKafkaError(error, `metadata request to ${bootstrapServers}`));
      else resolvePromise();
    });
  });
}
