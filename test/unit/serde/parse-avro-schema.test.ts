import { describe, expect, it } from 'vitest';
import { parseAvroSchema } from '../../../src/serde/parse-avro-schema.js';

const stats = {
  type: 'record',
  name: 'Stats',
  fields: [
    { name: 'key', type: 'string' },
    { name: 'window', type: { type: 'record', name: 'Window', fields: [{ name: 'start', type: { type: 'long', logicalType: 'timestamp-millis' } }] } },
    { name: 'samples', type: { type: 'array', items: { type: 'record', name: 'Sample', fields: [{ name: 'v', type: 'double' }] } } },
    { name: 'where', type: ['null', { type: 'record', name: 'Place', fields: [{ name: 'site', type: 'string' }] }] },
  ],
} as const;

const classOf = (v: unknown): { readonly type?: unknown } => Object.getPrototypeOf(v).constructor;

describe('parseAvroSchema', () => {
  it('decodes records without avsc methods, each class still naming its type (the sink reads layouts from it)', () => {
    const type = parseAvroSchema(stats);
    const value = type.fromBuffer(type.toBuffer({ key: 'k', window: { start: 60_000 }, samples: [{ v: 1.5 }], where: { site: 'depot' } }));
    expect(value).toEqual({ key: 'k', window: { start: 60_000 }, samples: [{ v: 1.5 }], where: { site: 'depot' } });
    expect(Object.keys(value)).toEqual(['key', 'window', 'samples', 'where']);
    expect('toBuffer' in value).toBe(false);
    const [window, sample, place] = [value.window, value.samples[0], value.where];
    expect(classOf(value).type).toBe(type);
    expect(classOf(window).type).toMatchObject({ name: 'Window' });
    expect(classOf(sample).type).toMatchObject({ name: 'Sample' });
    expect(classOf(place).type).toMatchObject({ name: 'Place' });
  });
});
