/** librdkafka properties as strings, numbers or booleans, e.g. `{ 'bootstrap.servers': '127.0.0.1:9092' }`. */
export type KafkaProperties = Readonly<Record<string, string | number | boolean>>;

const SECRET_KEY = /(password|secret|token|sasl\.jaas|ssl\.key\.pem|ssl\.keystore|private)/i;

const PROPERTY_PREFIX = 'SLUICE_KAFKA_';

/**
 * Sluice's producers' `message.max.bytes` unless the properties set it
 * (librdkafka's default is 1,000,000): 32 MiB, so a dead letter or
 * repartition record as large as its source allows is sent whole, within
 * what Sluice's consumers receive (librdkafka's `receive.message.max.bytes`,
 * 100 MB). A topic's own `max.message.bytes` still bounds what it takes.
 *
 * @example
 * ```ts
 * new Producer({ 'message.max.bytes': PRODUCER_MESSAGE_MAX_BYTES, ...properties });
 * ```
 */
export const PRODUCER_MESSAGE_MAX_BYTES = 32 * 1024 * 1024;

/**
 * The largest record Sluice's producers send with these properties: their
 * `message.max.bytes`, else {@link PRODUCER_MESSAGE_MAX_BYTES}.
 *
 * @example
 * ```ts
 * producerMessageMaxBytes({ 'message.max.bytes': 2_000_000 }); // 2000000
 * producerMessageMaxBytes({});                                  // 33554432
 * ```
 */
export function producerMessageMaxBytes(properties: KafkaProperties): number {
  const set = Number(properties['message.max.bytes']);
  return Number.isFinite(set) && set > 0 ? set : PRODUCER_MESSAGE_MAX_BYTES;
}

/**
 * Reads librdkafka properties from the environment: `KAFKA_BOOTSTRAP_SERVERS`
 * and any `SLUICE_KAFKA_<PROPERTY>` with dots written as underscores
 * (`SLUICE_KAFKA_SASL_PASSWORD` → `sasl.password`). The prefix keeps Kafka's
 * own shell variables (`KAFKA_HEAP_OPTS`…) out of the client configuration.
 *
 * @example
 * ```ts
 * kafkaPropertiesFromEnv({ KAFKA_BOOTSTRAP_SERVERS: 'b:9092', SLUICE_KAFKA_SASL_MECHANISMS: 'PLAIN' });
 * // { 'bootstrap.servers': 'b:9092', 'sasl.mechanisms': 'PLAIN' }
 * ```
 */
export function kafkaPropertiesFromEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const properties: Record<string, string> = {};
  if (env.KAFKA_BOOTSTRAP_SERVERS) properties['bootstrap.servers'] = env.KAFKA_BOOTSTRAP_SERVERS;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(PROPERTY_PREFIX) || value === undefined || value === '') continue;
    properties[name.slice(PROPERTY_PREFIX.length).toLowerCase().replaceAll('_', '.')] = value;
  }
  return properties;
}

/**
 * A copy of the properties safe to print: secret values become `***`.
 *
 * @example
 * ```ts
 * redactKafkaProperties({ 'sasl.password': 'hunter2', 'bootstrap.servers': 'b:9092' });
 * // { 'sasl.password': '***', 'bootstrap.servers': 'b:9092' }
 * ```
 */
export function redactKafkaProperties(properties: KafkaProperties): Record<string, string | number | boolean> {
  const redacted: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(properties)) redacted[key] = SECRET_KEY.test(key) ? '***' : value;
  return redacted;
}
