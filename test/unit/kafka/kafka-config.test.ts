import { describe, expect, it } from 'vitest';
import { kafkaPropertiesFromEnv, redactKafkaProperties } from '../../../src/kafka/kafka-config.js';

describe('kafkaPropertiesFromEnv', () => {
  it('maps KAFKA_BOOTSTRAP_SERVERS and SLUICE_KAFKA_<PROPERTY> to librdkafka properties', () => {
    expect(
      kafkaPropertiesFromEnv({
        KAFKA_BOOTSTRAP_SERVERS: 'b1:9092,b2:9092',
        SLUICE_KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
        SLUICE_KAFKA_SASL_MECHANISMS: 'PLAIN',
        SLUICE_KAFKA_SASL_PASSWORD: 'secret',
      }),
    ).toEqual({ 'bootstrap.servers': 'b1:9092,b2:9092', 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'PLAIN', 'sasl.password': 'secret' });
  });

  it('leaves the stack’s and Kafka’s own shell variables out of the client configuration', () => {
    expect(kafkaPropertiesFromEnv({ SLUICE_STACK_KAFKA_PORT: '39092', KAFKA_HEAP_OPTS: '-Xmx1g', SLUICE_STACK: 'native' })).toEqual({});
  });
});

describe('redactKafkaProperties', () => {
  it('hides passwords, secrets, tokens and private keys, keeps the rest', () => {
    expect(
      redactKafkaProperties({
        'bootstrap.servers': 'b:9092',
        'sasl.password': 'p',
        'sasl.oauthbearer.client.secret': 's',
        'ssl.key.pem': 'k',
        'sasl.username': 'app',
      }),
    ).toEqual({ 'bootstrap.servers': 'b:9092', 'sasl.password': '***', 'sasl.oauthbearer.client.secret': '***', 'ssl.key.pem': '***', 'sasl.username': 'app' });
  });
});
