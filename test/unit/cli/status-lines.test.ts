import { describe, expect, it, vi } from 'vitest';
import { formatStatus, startStatusLines, statusFromScrape } from '../../../src/cli/status-lines.js';

const scrape = `# HELP sluice_records_in_total Records consumed
# TYPE sluice_records_in_total counter
sluice_records_in_total{topology="bus",topic="bus.telemetry",partition="0"} 100
sluice_records_in_total{topology="bus",topic="bus.telemetry",partition="1"} 50
sluice_records_in_total{topology="bus",topic="bus.by-route-repartition",partition="0"} 140
sluice_dead_letter_records_total{topology="bus",reason="invalid"} 7
sluice_dead_letter_records_total{topology="bus",reason="late"} 3
sluice_consumer_lag_records{topology="bus",topic="bus.telemetry",partition="0"} 12
sluice_sink_rows_written_total{topology="bus",sink="route-stats-pg"} 40
sluice_ready{topology="bus"} 1
sluice_ready{topology="orders"} 0
`;

describe('status lines', () => {
  it('sums per topology, counting source records once (not again after the repartition)', () => {
    expect(statusFromScrape(scrape)).toEqual([
      { topology: 'bus', recordsIn: 150, deadLetters: 10, lag: 12, rowsWritten: 40, ready: true, stalled: 0 },
      { topology: 'orders', recordsIn: 0, deadLetters: 0, lag: 0, rowsWritten: 0, ready: false, stalled: 0 },
    ]);
  });

  it('formats a line per topology with the rate since the last sample', () => {
    const now = statusFromScrape(scrape);
    const before = [{ ...now[0]!, recordsIn: 100 }];
    expect(formatStatus(now, before, 5)[0]).toBe('bus       ready    in 150 (+10/s)  dlq 10  lag 12  rows 40');
  });

  it('says stalled when sluice_stalled counts a partition with lag and no progress', () => {
    const [bus] = statusFromScrape(`${scrape}sluice_stalled{topology="bus"} 1\n`);
    expect(bus!.stalled).toBe(1);
    expect(formatStatus([bus!], [], 5)[0]).toMatch(/^bus +stalled +in 150 .* lag 12 /);
  });
});

describe('startStatusLines', () => {
  it('prints a block per interval from the scrape, with rates, and stops when asked', async () => {
    vi.useFakeTimers();
    try {
      const printed: string[] = [];
      let recordsIn = 100;
      const stop = startStatusLines(async () => `sluice_records_in_total{topology="bus",topic="t",partition="0"} ${recordsIn}\nsluice_ready{topology="bus"} 1\n`, (t) => printed.push(t), 1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      recordsIn = 600;
      await vi.advanceTimersByTimeAsync(1_000);
      stop();
      await vi.advanceTimersByTimeAsync(5_000);
      expect(printed).toHaveLength(2);
      expect(printed[0]).toMatch(/bus +ready +in 100 /);
      expect(printed[1]).toContain('in 600 (+500/s)');
    } finally {
      vi.useRealTimers();
    }
  });

  it('says it is waiting while nothing answers', async () => {
    vi.useFakeTimers();
    try {
      const printed: string[] = [];
      const stop = startStatusLines(() => Promise.reject(new Error('refused')), (t) => printed.push(t), 1_000);
      await vi.advanceTimersByTimeAsync(1_000);
      stop();
      expect(printed).toEqual(['(waiting for the topologies to start…)']);
    } finally {
      vi.useRealTimers();
    }
  });
});
