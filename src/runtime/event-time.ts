import type { InputRecord } from './records.js';
import type { EventTimePlan } from '../plan/plan-node.js';

/**
 * Reads a record's event time per its source's declaration. Returns `NaN`
 * when there is none usable (the task dead-letters it with reason `event-time`).
 *
 * @example
 * ```ts
 * const read = eventTimeReader({ kind: 'field', field: 'timestamp' }, undefined);
 * read({ timestamp: 1700000000000 }, 0); // 1700000000000
 * ```
 */
export function eventTimeReader(spec: EventTimePlan, extractor: (() => (value: unknown) => number) | undefined): EventTimeOf {
  switch (spec.kind) {
    case 'record-timestamp':
      return (_value, record) => record.timestamp;
    case 'field': {
      const field = spec.field;
      return (value) => toNumber(value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined);
    }
    case 'function': {
      if (extractor === undefined) throw new Error('an event time read with a function needs the function (StepCode.eventTime)');
      const extract = extractor();
      return (value) => toNumber(extract(value));
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown event time ${JSON.stringify(never)}`);
    }
  }
}

/** Reads a record's event time from its decoded value and its Kafka coordinates. */
export type EventTimeOf = (value: unknown, record: InputRecord) => number;

/**
 * The header repartition records carry their event time in. The Kafka
 * timestamp is not enough: librdkafka replaces 0 (and the broker may refuse
 * negative times) with "now", which would move a downstream watermark.
 */
export const EVENT_TIME_HEADER = 'sluice.event-time';

/**
 * Event time of a repartition record: its header, else its timestamp (records written before the header existed).
 *
 * @example
 * ```ts
 * repartitionEventTime(undefined, { ...record, headers: { 'sluice.event-time': Buffer.from('0') } }); // 0
 * ```
 */
export const repartitionEventTime: EventTimeOf = (_value, record) => {
  const header = record.headers[EVENT_TIME_HEADER];
  if (header === undefined) return record.timestamp;
  const time = Number(header.toString());
  return Number.isFinite(time) ? time : record.timestamp;
};

function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}
