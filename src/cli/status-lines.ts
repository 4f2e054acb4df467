/** One topology's line in the demo's status display. */
export interface TopologyStatus {
  readonly topology: string;
  readonly recordsIn: number;
  readonly deadLetters: number;
  readonly lag: number;
  readonly rowsWritten: number;
  readonly ready: boolean;
  /** Input partitions with lag that processed nothing for a while (`sluice_stalled`). */
  readonly stalled: number;
}

/**
 * Reads per-topology totals out of a Prometheus text scrape of `sluice run`.
 *
 * @example
 * ```ts
 * statusFromScrape('sluice_records_in_total{topology="bus",topic="t",partition="0"} 12\n');
 * // [{ topology: 'bus', recordsIn: 12, deadLetters: 0, lag: 0, rowsWritten: 0, ready: false, stalled: 0 }]
 * ```
 */
export function statusFromScrape(scrape: string): TopologyStatus[] {
  const byTopology = new Map<string, { recordsIn: number; deadLetters: number; lag: number; rowsWritten: number; ready: boolean; stalled: number }>();
  for (const line of scrape.split('\n')) {
    if (!line.startsWith('sluice_')) continue;
    const match = /^(sluice_[a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const [, metric, labels, raw] = match as unknown as [string, string, string, string];
    const topology = /topology="([^"]*)"/.exec(labels)?.[1];
    if (topology === undefined) continue;
    const value = Number(raw);
    const entry = byTopology.get(topology) ?? { recordsIn: 0, deadLetters: 0, lag: 0, rowsWritten: 0, ready: false, stalled: 0 };
    if (metric === 'sluice_records_in_total' && !labels.includes('-repartition"')) entry.recordsIn += value;
    else if (metric === 'sluice_dead_letter_records_total') entry.deadLetters += value;
    else if (metric === 'sluice_consumer_lag_records') entry.lag += value;
    else if (metric === 'sluice_sink_rows_written_total') entry.rowsWritten += value;
    else if (metric === 'sluice_ready') entry.ready = value === 1;
    else if (metric === 'sluice_stalled') entry.stalled = value;
    byTopology.set(topology, entry);
  }
  return [...byTopology.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([topology, s]) => ({ topology, ...s }));
}

/**
 * The status as aligned text lines, with rates from the previous sample.
 *
 * @example
 * ```ts
 * formatStatus(now, previous, 5);
 * // bus-telemetry   ready   in 12,345 (+210/s)   dlq 40   lag 0   rows 1,024
 * ```
 */
export function formatStatus(now: readonly TopologyStatus[], previous: readonly TopologyStatus[], seconds: number): string[] {
  const width = Math.max(8, ...now.map((s) => s.topology.length));
  const n = (x: number): string => Math.round(x).toLocaleString('en-US');
  return now.map((s) => {
    const before = previous.find((p) => p.topology === s.topology);
    const rate = before && seconds > 0 ? `(+${n((s.recordsIn - before.recordsIn) / seconds)}/s)` : '';
    return `${s.topology.padEnd(width)}  ${s.stalled > 0 ? 'stalled' : s.ready ? 'ready  ' : 'warming'}  in ${n(s.recordsIn)} ${rate}  dlq ${n(s.deadLetters)}  lag ${n(s.lag)}  rows ${n(s.rowsWritten)}`;
  });
}

/**
 * Prints a status block every `everyMs` from a Prometheus scrape, until the
 * returned function is called. A failed scrape prints a waiting line.
 *
 * @example
 * ```ts
 * const stop = startStatusLines(() => metrics.registry.metrics(), console.log, 5_000);
 * // — 12:00:05
 * // bus-telemetry  ready    in 12,345 (+210/s)  dlq 40  lag 0  rows 1,024
 * stop();
 * ```
 */
export function startStatusLines(scrape: () => Promise<string>, print: (text: string) => void, everyMs: number): () => void {
  let previous: TopologyStatus[] = [];
  const timer = setInterval(() => {
    void scrape()
      .catch(() => '')
      .then((text) => {
        const now = statusFromScrape(text);
        print(now.length > 0 ? `— ${new Date().toISOString().slice(11, 19)}\n${formatStatus(now, previous, everyMs / 1000).join('\n')}` : '(waiting for the topologies to start…)');
        previous = now;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
