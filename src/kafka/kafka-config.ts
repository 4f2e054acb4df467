/** librdkafka properties as strings, numbers or booleans, e.g. `{ 'bootstrap.servers': '127.0.0.1:9092' }`. */
export type KafkaProperties = Readonly<Record<string, string | number | boolean>>;

const SECRET_KEY = /(password|secret|token|sasl\.jaas|ssl\.key\.pem|ssl\.keystore|private)/i;

const PROPERTY_PREFIX = 'SLUICE_KAFKA_';

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
