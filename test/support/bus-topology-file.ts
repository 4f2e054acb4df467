import { busEventSchema } from './bus-workload.js';

/**
 * DESIGN.md's bus topology as the text of a user's `topologies/<name>.ts`, for
 * tests that run `sluice run` as a child process. Grace covers the generator's
 * jitter, so the oracle needs no lateness model.
 */
export function busTopologyFile(name: string, source: string): string {
  return `import { avg, count, max, sum, topology, tumbling } from 'sluice';
const schema = ${JSON.stringify(busEventSchema)};
interface BusEvent { bus_id: string; route_id: string; speed_kmh: number; passengers: number; timestamp: number }
export default topology('${name}')
  .source<BusEvent>('${source}', { schema, eventTime: 'timestamp' })
  .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
  .deadLetter('${source}.dlq')
  .groupBy('by-route', 'route_id')
  .window('per-minute', tumbling('1m'), { grace: '10m' })
  .aggregate('route-stats', { events: count(), avg_speed: avg((e) => e.speed_kmh), max_speed: max((e) => e.speed_kmh), passengers: sum((e) => e.passengers) })
  .toTable('${source}.stats');
`;
}

/** The environment a `sluice` child process needs to reach the test stack. */
export function stackEnv(stack: { kafkaBootstrapServers: string; schemaRegistryUrl: string; databaseUrl: string }): NodeJS.ProcessEnv {
  return { ...process.env, KAFKA_BOOTSTRAP_SERVERS: stack.kafkaBootstrapServers, SCHEMA_REGISTRY_URL: stack.schemaRegistryUrl, DATABASE_URL: stack.databaseUrl };
}
