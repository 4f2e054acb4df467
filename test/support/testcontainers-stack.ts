import { createServer } from 'node:net';
import type { StackEndpoints } from '../../src/stack/index.js';
import { dockerEngineAnswers } from '../../src/stack/docker-stack.js';

/**
 * Starts Kafka (KRaft), Confluent Schema Registry and PostgreSQL with
 * testcontainers — only where a Docker engine answers; returns undefined
 * otherwise so the caller falls back to the native stack. testcontainers is
 * imported dynamically: machines without Docker never load it.
 */
export async function startTestcontainersStack(
  log: (line: string) => void,
): Promise<{ endpoints: StackEndpoints; stop: () => Promise<void> } | undefined> {
  if (!(await dockerEngineAnswers())) return undefined;
  const { GenericContainer, Network, Wait } = await import('testcontainers');
  log('a Docker engine answers: starting Kafka, Schema Registry and PostgreSQL with testcontainers');
  const network = await new Network().start();
  // Kafka must advertise the host port it is reachable on, so that port is chosen before start.
  const kafkaPort = await freePort();
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withNetwork(network)
    .withNetworkAliases('kafka')
    .withExposedPorts({ container: 9092, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:19092,CONTROLLER://0.0.0.0:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort},BROKER://kafka:19092`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@kafka:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const registry = await new GenericContainer('confluentinc/cp-schema-registry:7.7.1')
    .withNetwork(network)
    .withExposedPorts(8081)
    .withEnvironment({
      SCHEMA_REGISTRY_HOST_NAME: 'schema-registry',
      SCHEMA_REGISTRY_LISTENERS: 'http://0.0.0.0:8081',
      SCHEMA_REGISTRY_KAFKASTORE_BOOTSTRAP_SERVERS: 'PLAINTEXT://kafka:19092',
    })
    .withWaitStrategy(Wait.forHttp('/subjects', 8081))
    .start();
  const postgres = await new GenericContainer('postgres:16-alpine')
    .withExposedPorts(5432)
    .withEnvironment({ POSTGRES_PASSWORD: 'sluice', POSTGRES_DB: 'sluice' })
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  const endpoints: StackEndpoints = {
    mode: 'docker',
    kafkaBootstrapServers: `127.0.0.1:${kafkaPort}`,
    schemaRegistryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8081)}`,
    databaseUrl: `postgres://postgres:sluice@${postgres.getHost()}:${postgres.getMappedPort(5432)}/sluice`,
    sources: { kafka: 'docker', registry: 'docker', postgres: 'docker' },
  };
  return {
    endpoints,
    stop: async () => {
      await Promise.all([registry.stop(), postgres.stop()]);
      await kafka.stop();
      await network.stop();
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}
