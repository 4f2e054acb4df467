import { count, sum, topology, tumbling } from 'sluice';
import type { AvroRecordSchema } from '../../src/serde/avro-schema.js';
import { expect } from 'vitest';
import { defineCase, type CaseRecord, type ConformanceCase } from './conformance-case.js';

// Issue 19, item 4: one topology, one set of orders, read as Avro and as JSON Schema through the
// registry (Confluent wire format). Good orders give the same table either way; what the format
// refuses is dead-lettered with the same kind of reason, step and coordinates.

interface Order {
  customer: string;
  amount: number;
  at: number;
}

const orderAvro: AvroRecordSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'sluice.test',
  fields: [
    { name: 'customer', type: 'string' },
    { name: 'amount', type: 'double' },
    { name: 'at', type: 'long' },
  ],
};

const orderJson = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'Order',
  type: 'object',
  properties: { customer: { type: 'string', minLength: 1 }, amount: { type: 'number', minimum: 0 }, at: { type: 'integer' } },
  required: ['customer', 'amount', 'at'],
};

/** The repartition topic after the source is Avro whatever the source's format. */
const byCustomer = (name: string) =>
  topology(name)
    .source<Order>('orders', { schema: 'order', eventTime: 'at' })
    .deadLetter('orders.dlq')
    .groupBy('by-customer', 'customer', { schema: orderAvro })
    .window('per-second', tumbling(1000), { grace: 10_000 })
    .aggregate('spend', { orders: count(), amount: sum((o) => o.amount) })
    .toTable('orders.spend');

const o = (customer: string, at: number, amount: number): CaseRecord => ({ value: { customer, amount, at }, key: customer });
const goodOrders = [o('ann', 100, 2.5), o('bob', 200, 4), o('ann', 900, 1), o('ann', 1_200, 7)];
const expectedSpend = [
  { customer: 'ann', window_start: 0, orders: 2, amount: 3.5 },
  { customer: 'ann', window_start: 1000, orders: 1, amount: 7 },
  { customer: 'bob', window_start: 0, orders: 1, amount: 4 },
];
const badMagic = Buffer.from('{"customer":"eve","amount":1,"at":5}');

export const formatCases: readonly ConformanceCase[] = [
  defineCase({
    name: 'formats: an Avro source: good orders aggregate, unframed bytes are dead-lettered bad-magic',
    topology: byCustomer('format-avro'),
    schemas: { order: orderAvro },
    steps: [{ send: 'orders', records: goodOrders }, { sendRaw: 'orders', value: badMagic, key: 'eve' }],
    expect: {
      tables: { 'orders.spend': expectedSpend },
      deadLetters: { 'orders.dlq': [{ reason: 'bad-magic', step: 'orders', source: { topic: 'orders', partition: 0, offset: 4n } }] },
    },
  }),
  defineCase({
    name: 'formats: a JSON Schema source: good orders aggregate; what the schema refuses is invalid naming the path, non-JSON corrupt, unframed bad-magic',
    topology: byCustomer('format-json'),
    schemas: { order: { format: 'json', schema: orderJson } },
    steps: [
      { send: 'orders', records: goodOrders },
      {
        sendFramed: 'orders',
        bodies: [
          { body: { customer: 'eve', amount: -3, at: 300 }, key: 'eve' },
          { body: { customer: 'eve', amount: 3 }, key: 'eve' },
          { body: '{"customer":"eve","amount":', key: 'eve' },
        ],
      },
      { sendRaw: 'orders', value: badMagic, key: 'eve' },
    ],
    expect: {
      tables: { 'orders.spend': expectedSpend },
      deadLetters: {
        'orders.dlq': [
          { reason: 'invalid', step: 'orders', message: expect.stringContaining('amount: must be >= 0'), source: { topic: 'orders', partition: 0, offset: 4n } },
          { reason: 'invalid', step: 'orders', message: expect.stringContaining("must have required property 'at'"), source: { topic: 'orders', offset: 5n } },
          { reason: 'corrupt', step: 'orders', message: expect.stringContaining('is not UTF-8 JSON'), source: { topic: 'orders', offset: 6n } },
          { reason: 'bad-magic', step: 'orders', source: { topic: 'orders', offset: 7n } },
        ],
      },
    },
  }),
];
