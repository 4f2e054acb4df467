import type { AvroRecordSchema } from '../../src/serde/avro-schema.js';

/** A minimal event for window cases: a key, a number and an event time. */
export interface Reading {
  sensor: string;
  value: number;
  at: number;
}

export const readingSchema: AvroRecordSchema = {
  type: 'record',
  name: 'Reading',
  namespace: 'sluice.test',
  fields: [
    { name: 'sensor', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'at', type: 'long' },
  ],
};

export const readingSchemas = { reading: readingSchema };

/** A reading for sensor `sensor` at event time `at` (ms). */
export const r = (sensor: string, at: number, value = 1): { value: Reading; key: string } => ({ value: { sensor, value, at }, key: sensor });
