import type { TopologyPlan } from '../plan/topology-plan.js';
import { ERROR_HEADERS } from './error-headers.js';
import type { OutputRecord } from './records.js';
import { WATERMARK_HEADERS } from './watermark-headers.js';
import type { RuntimeObserver } from './runtime-observer.js';

/**
 * Turns one committed checkpoint's outputs into metrics: records per topic,
 * dead letters per reason, and the latency from each result's event time to
 * its commit. One pass over the outputs, a few map updates, no per-record
 * observer calls except the latency histogram.
 *
 * @example
 * ```ts
 * const metrics = new OutputMetrics(plan, observer);
 * metrics.report(outputs); // after the transaction committed
 * ```
 */
export class OutputMetrics {
  readonly #topology: string;
  readonly #observer: RuntimeObserver;
  readonly #deadLetterTopics: ReadonlySet<string>;
  /** Topics whose records count for end-to-end latency: tables and stream outputs, not repartition or DLQ topics. */
  readonly #resultTopics: ReadonlySet<string>;

  constructor(plan: TopologyPlan, observer: RuntimeObserver) {
    this.#topology = plan.topology;
    this.#observer = observer;
    this.#deadLetterTopics = new Set(plan.topics.filter((t) => t.role === 'dead-letter').map((t) => t.name));
    this.#resultTopics = new Set(plan.topics.filter((t) => t.role === 'table' || t.role === 'output').map((t) => t.name));
  }

  report(outputs: readonly OutputRecord[]): void {
    if (outputs.length === 0) return;
    const committedAt = Date.now();
    const perTopic = new Map<string, number>();
    const perReason = new Map<string, number>();
    for (const output of outputs) {
      // Watermark markers are Sluice's bookkeeping, not records a user would count.
      if (output.value === null && output.headers[WATERMARK_HEADERS.marker] !== undefined) continue;
      perTopic.set(output.topic, (perTopic.get(output.topic) ?? 0) + 1);
      const reason = output.headers[ERROR_HEADERS.reason];
      if (reason !== undefined && this.#deadLetterTopics.has(output.topic)) {
        const text = reason.toString();
        perReason.set(text, (perReason.get(text) ?? 0) + 1);
      } else if (output.value !== null && this.#resultTopics.has(output.topic)) {
        this.#observer.endToEndLatency(this.#topology, Math.max(0, committedAt - output.timestamp) / 1000);
      }
    }
    for (const [topic, count] of perTopic) this.#observer.recordsProduced(this.#topology, topic, count);
    for (const [reason, count] of perReason) this.#observer.deadLettered(this.#topology, reason, count);
  }
}
