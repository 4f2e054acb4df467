import type { EventTimeSpec } from '../plan/topology-spec.js';

/**
 * Reads a record's event time per its source's declaration. Returns `NaN`
 * when there is none usable (the task dead-letters it with reason `event-time`).
 *
 * @example
 * ```ts
 * const read = eventTimeReader({ kind: 'field', field: 'timestamp' });
 * read({ timestamp: 1700000000000 }, 0); // 1700000000000
 * ```
 */
export function eventTimeReader(spec: EventTimeSpec): (value: unknown, recordTimestamp: number) => number {
  switch (spec.kind) {
    case 'record-timestamp':
      return (_value, recordTimestamp) => recordTimestamp;
    case 'field': {
      const field = spec.field;
      return (value) => toNumber(value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[field] : undefined);
    }
    case 'function': {
      const extract = spec.extract;
      return (value) => toNumber(extract(value));
    }
    default: {
      const never: never = spec;
      throw new Error(`unknown event time ${JSON.stringify(never)}`);
    }
  }
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : Number.NaN;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime();
  return Number.NaN;
}
