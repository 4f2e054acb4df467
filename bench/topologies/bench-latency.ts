/**
 * The latency benchmark's topology: the benchmark's windowed aggregate twice
 * over the same validated stream — `updates` emits on every batch (with the
 * latest event time it holds, to time event → table topic), `final` emits
 * each window once when it closes and sinks it into PostgreSQL (to time
 * window close → row). 10 s windows, 1 s grace, so a two-minute run closes
 * a dozen windows.
 */
import { avg, count, max, postgres, sum, topology, tumbling } from 'sluice';

/** bench/schemas/bench-event.avsc (only the fields used). */
interface BenchEvent {
  key: string;
  ts: number;
  value: number;
}

const env = process.env;

export default topology('bench-latency')
  .source<BenchEvent>(env.BENCH_INPUT_TOPIC ?? 'bench.latency.events', { schema: 'bench-event', eventTime: 'ts' })
  .validate('range', (e) => (Number.isFinite(e.value) && e.value >= 0 && e.value <= 1000) || `value ${e.value} outside 0..1000`)
  .deadLetter(env.BENCH_DLQ_TOPIC ?? 'bench.latency.dlq')
  .split('emit-modes', {
    updates: (s) =>
      s
        .groupByKey('updates-by-key', { as: 'key' })
        .window('updates-window', tumbling('10s'), { grace: '1s' })
        .aggregate('updates-stats', { count: count(), last_ts: max((e) => e.ts) })
        .toTable(env.BENCH_UPDATES_TOPIC ?? 'bench.latency.updates'),
    final: (s) =>
      s
        .groupByKey('final-by-key', { as: 'key' })
        .window('final-window', tumbling('10s'), { grace: '1s', emit: 'final' })
        .aggregate('final-stats', { count: count(), sum: sum((e) => e.value), avg: avg((e) => e.value), max: max((e) => e.value) })
        .toTable(env.BENCH_TABLE_TOPIC ?? 'bench.latency.final')
        .sink('latency-pg', postgres({ table: env.BENCH_SINK_TABLE ?? 'bench_latency', key: ['key', 'window_start'] })),
  });
