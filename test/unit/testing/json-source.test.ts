import { count, topology, tumbling } from 'sluice';
import { TopologyTestDriver } from 'sluice/testing';
import { describe, expect, test } from 'vitest';
import { SeededRandom } from '../../../src/cli/generators/seeded-random.js';

interface Order {
  readonly order_id: string;
  readonly amount: number;
  readonly at: number;
}

const orderSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  properties: { order_id: { type: 'string', minLength: 1 }, amount: { type: 'number', minimum: 0 }, at: { type: 'integer' } },
  required: ['order_id', 'amount', 'at'],
} as const;

const orders = topology('json-orders')
  .source<Order>('orders.json', { schema: 'order', eventTime: 'at' })
  .deadLetter('orders.dlq')
  .to('orders.out', { schema: { type: 'record', name: 'Order', fields: [{ name: 'order_id', type: 'string' }, { name: 'amount', type: 'double' }, { name: 'at', type: 'long' }] } });

const driverOf = (): TopologyTestDriver => new TopologyTestDriver(orders, { schemas: { order: { format: 'json', schema: orderSchema } } });

describe('a source reading JSON Schema events on the TopologyTestDriver', () => {
  test('seeded: values the schema accepts flow on, values it refuses are dead-lettered invalid naming the path', async () => {
    const random = new SeededRandom(19);
    const driver = driverOf();
    const sent: { value: Record<string, unknown>; ok: boolean; path: string | undefined }[] = [];
    for (let i = 0; i < 60; i++) {
      const value: Record<string, unknown> = { order_id: `o-${i}`, amount: Math.round(random.next() * 10_000) / 100, at: 1_000 + i };
      // The oracle: which rule a value breaks is decided here, not by the codec.
      const breakage = random.int(0, 3);
      let path: string | undefined;
      if (breakage === 1) {
        value['amount'] = -1 - random.int(0, 50);
        path = 'amount';
      } else if (breakage === 2) {
        value['order_id'] = random.int(0, 9);
        path = 'order_id';
      }
      sent.push({ value, ok: path === undefined, path });
    }
    // JSON Schema validation would refuse these in send() (encode checks the schema): write them as a foreign producer would.
    const input = driver.input<Order>('orders.json');
    const frame = await framer(driver);
    for (const s of sent) {
      if (s.ok) await input.send(s.value as unknown as Order, { key: String(s.value['order_id']) });
      else await input.sendRaw(frame(s.value), { key: String(s.value['order_id']) });
    }
    expect(await driver.output('orders.out').values()).toEqual(sent.filter((s) => s.ok).map((s) => s.value));
    const letters = await driver.deadLetters('orders.dlq').records();
    const bad = sent.filter((s) => !s.ok);
    expect(letters.map((l) => l.reason)).toEqual(bad.map(() => 'invalid'));
    letters.forEach((l, i) => expect(l.message).toContain(bad[i]!.path));
  });

  test('framed bytes that are not JSON are dead-lettered corrupt, unframed ones bad-magic', async () => {
    const driver = driverOf();
    const good = (await framer(driver))({ order_id: 'x', amount: 1, at: 5 });
    const notJson = Buffer.concat([good.subarray(0, 5), Buffer.from('{"order_id": "x", ')]);
    await driver.input('orders.json').sendRaw(notJson);
    await driver.input('orders.json').sendRaw(Buffer.from('plain text'));
    const letters = await driver.deadLetters('orders.dlq').records();
    expect(letters.map((l) => l.reason)).toEqual(['corrupt', 'bad-magic']);
    expect(await driver.output('orders.out').values()).toEqual([]);
  });

  test('a JSON Schema where Sluice writes Avro (a groupBy repartition) fails naming the fix', async () => {
    const t = topology('json-group')
      .source<Order>('orders.json', { schema: 'order', eventTime: 'at' })
      .groupBy('by-order', 'order_id')
      .window('w', tumbling('1m'), { late: 'drop' })
      .aggregate('n', { n: count() })
      .toTable('t');
    const driver = new TopologyTestDriver(t, { schemas: { order: { format: 'json', schema: orderSchema } } });
    await expect(driver.input<Order>('orders.json').send({ order_id: 'a', amount: 1, at: 1 })).rejects.toThrow(/'order' is a JSON Schema.*Pass an Avro schema/s);
  });
});

/** Frames values as a foreign producer would: the topic's registered schema id, then the JSON, whatever the schema says of it. */
async function framer(driver: TopologyTestDriver): Promise<(value: unknown) => Buffer> {
  const id = await (await driver.codec('orders.json', 'value')).registerWriter();
  return (value) => {
    const body = Buffer.from(JSON.stringify(value));
    const out = Buffer.alloc(5 + body.length);
    out.writeInt32BE(id, 1); // byte 0 stays 0: the magic byte
    body.copy(out, 5);
    return out;
  };
}
