/**
 * The benchmark topology (bench/CONTRACT.md): validate → group by the record
 * key → tumbling 1-minute windows, 5 s grace → count/sum/avg/max → compacted
 * table topic, exactly-once. Topic names come from the environment so every
 * round gets fresh ones; `BENCH_SINK_TABLE` adds the PostgreSQL sink (the sink
 * benchmark runs it with `sluice run --only sinks`).
 */
import { avg, count, max, postgres, sum, topology, tumbling } from 'sluice';

/** bench/schemas/bench-event.avsc */
interface BenchEvent {
  key: string;
  ts: number;
  value: number;
  seq: number;
  site: string;
  unit: string;
  quality: number;
  lat: number;
  lon: number;
  note: string;
}

const env = process.env;

const table = topology('bench-windowed')
  .source<BenchEvent>(env.BENCH_INPUT_TOPIC ?? 'bench.events', { schema: 'bench-event', eventTime: 'ts' })
  .validate('range', (e) => (Number.isFinite(e.value) && e.value >= 0 && e.value <= 1000) || `value ${e.value} outside 0..1000`)
  .deadLetter(env.BENCH_DLQ_TOPIC ?? 'bench.sluice.dlq')
  .groupByKey('by-key', { as: 'key' })
  .window('per-minute', tumbling('1m'), { grace: '5s' })
  .aggregate('stats', { count: count(), sum: sum((e) => e.value), avg: avg((e) => e.value), max: max((e) => e.value) })
  .toTable(env.BENCH_TABLE_TOPIC ?? 'bench.sluice.table');

export default env.BENCH_SINK_TABLE
  ? table.sink('bench-pg', postgres({ table: env.BENCH_SINK_TABLE, key: ['key', 'window_start'] }))
  : table;
