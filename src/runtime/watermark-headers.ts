import type { InputRecord, OutputRecord, RecordHeaders } from './records.js';

/**
 * Headers that carry event-time progress through a repartition topic.
 *
 * Every repartition record names the upstream task it came from (`origin`:
 * `<sub-topology>.<partition>`) and that task's watermark for the
 * repartition step after it (`watermark`: the highest event time the task
 * had sent through that step, this record included). Upstream tasks also
 * write *watermark markers* — records without key or value, one to every
 * partition of the topic — so that a downstream task hears from every
 * upstream task, including those whose keys never hash to it.
 *
 * @example
 * ```ts
 * WATERMARK_HEADERS.origin; // 'sluice.origin'
 * ```
 */
export const WATERMARK_HEADERS = {
  origin: 'sluice.origin',
  watermark: 'sluice.watermark',
  /** Present on markers only: `active`, or `idle` when the upstream task has read its input to the end. */
  marker: 'sluice.watermark-marker',
} as const;

/**
 * What a downstream task learns from one repartition record's headers;
 * `undefined` when the record carries none (written before these headers existed).
 *
 * @example
 * ```ts
 * readWatermarkHeaders(record); // { origin: '0.2', watermark: 1700000059000, marker: undefined }
 * ```
 */
export interface WatermarkHeaderValues {
  readonly origin: string;
  readonly watermark: number;
  readonly marker: 'active' | 'idle' | undefined;
}

/**
 * Reads the watermark headers of a repartition record (see {@link WATERMARK_HEADERS}).
 *
 * @example
 * ```ts
 * readWatermarkHeaders({ ...record, headers: { 'sluice.origin': Buffer.from('0.1'), 'sluice.watermark': Buffer.from('60000') } });
 * // { origin: '0.1', watermark: 60000, marker: undefined }
 * ```
 */
export function readWatermarkHeaders(record: InputRecord): WatermarkHeaderValues | undefined {
  const h = record.headers;
  const origin = h[WATERMARK_HEADERS.origin];
  const watermark = h[WATERMARK_HEADERS.watermark];
  if (origin === undefined || watermark === undefined) return undefined;
  const marker = h[WATERMARK_HEADERS.marker];
  const time = Number(watermark.toString());
  return {
    origin: origin.toString(),
    watermark: Number.isFinite(time) ? time : Number.NEGATIVE_INFINITY,
    marker: marker === undefined ? undefined : marker.toString() === 'idle' ? 'idle' : 'active',
  };
}

/**
 * One watermark marker per partition of `topic`.
 *
 * @example
 * ```ts
 * watermarkMarkers('t.by-key-repartition', 3, '0.1', 60_000, false, Date.now()).length; // 3
 * ```
 */
export function watermarkMarkers(topic: string, partitions: number, origin: Buffer, watermark: number, idle: boolean, nowMs: number): OutputRecord[] {
  const headers: RecordHeaders = {
    [WATERMARK_HEADERS.origin]: origin,
    [WATERMARK_HEADERS.watermark]: Buffer.from(String(watermark)),
    [WATERMARK_HEADERS.marker]: Buffer.from(idle ? 'idle' : 'active'),
  };
  const markers: OutputRecord[] = [];
  // Stamped with wall time, like dead letters: retention must not take a marker before it is read.
  for (let partition = 0; partition < partitions; partition++) markers.push({ topic, partition, key: null, value: null, timestamp: nowMs, headers });
  return markers;
}
