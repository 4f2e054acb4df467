import { clusterBrokers, probeKafka } from '../kafka/index.js';
import { probePostgres } from '../sinks/postgres/probe-postgres.js';
import type { ServiceProbes } from '../stack/index.js';

/** The concrete liveness checks: librdkafka for Kafka, pg for PostgreSQL. */
export const serviceProbes: ServiceProbes = {
  kafka: (bootstrapServers, timeoutMs) => probeKafka(bootstrapServers, timeoutMs),
  postgres: (databaseUrl, timeoutMs) => probePostgres(databaseUrl, timeoutMs),
  kafkaBrokers: async (bootstrapServers, timeoutMs) => (await clusterBrokers({ 'bootstrap.servers': bootstrapServers }, timeoutMs)).length,
};
