import type { StreamContext } from './stream-context.js';
import { Stream } from './stream.js';
import { Topology } from './topology-builder.js';

export { Output, Topology, type SourceOptions } from './topology-builder.js';

/** Given to every topology, so `Topology` and `Branches` open streams without importing `Stream` (which imports them). */
function openStream<T>(ctx: StreamContext): Stream<T> {
  return new Stream<T>(ctx, []);
}

/**
 * Starts a topology. Its name is the Kafka application id (consumer group,
 * transactional id prefix) and the prefix of every internal topic.
 *
 * @example
 * ```ts
 * export default topology('bus-telemetry')
 *   .source<BusTelemetry>('bus.telemetry', { schema: 'bus-telemetry', eventTime: 'timestamp' })
 *   .validate('ranges', (e) => (e.speed_kmh >= 0 && e.speed_kmh <= 150) || 'speed_kmh out of range')
 *   .deadLetter('bus.telemetry.dlq')
 *   .groupBy('by-route', 'route_id')
 *   .window('per-minute', tumbling('1m'), { grace: '30s' })
 *   .aggregate('route-stats', { events: count(), max_speed: max((e) => e.speed_kmh) })
 *   .toTable('bus.route-stats.1m');
 * ```
 */
export function topology(name: string): Topology {
  return new Topology(name, [], openStream);
}
