import { describe, expect, it } from 'vitest';
import { checkSchemaFiles } from '../../../src/cli/project-schemas.js';
import { checkDatabaseUrl, databaseConnectionError } from '../../../src/cli/start-up-checks.js';
import { plan, topology } from '../../../src/index.js';

describe('checkDatabaseUrl', () => {
  it('accepts PostgreSQL URLs', () => {
    for (const url of ['postgres://postgres@127.0.0.1:5432/postgres', 'postgresql://u:p%40ss@db/app?sslmode=require', 'postgres:///app?host=/var/run/postgresql']) {
      expect(() => checkDatabaseUrl(url, 'DATABASE_URL'), url).not.toThrow();
    }
  });

  it('refuses anything else, naming the variable and the expected shape, with credentials hidden', () => {
    expect(() => checkDatabaseUrl('not-a-url', 'DATABASE_URL')).toThrow("DATABASE_URL ('not-a-url') is not a PostgreSQL URL: expected postgres://user:password@host:5432/database");
    expect(() => checkDatabaseUrl('mysql://root:secret@db/app', 'DATABASE_URL')).toThrow('is not a PostgreSQL URL');
    expect(() => checkDatabaseUrl('mysql://root:secret@db/app', 'DATABASE_URL')).not.toThrow('secret');
  });

  it('a connection failure names the variable, the redacted URL, the cause and the fix', () => {
    const error = databaseConnectionError('DATABASE_URL', 'postgres://u:***@db:1/x', Object.assign(new AggregateError([], ''), { code: 'ECONNREFUSED' }));
    expect(error.message).toBe('could not connect to PostgreSQL at DATABASE_URL postgres://u:***@db:1/x (ECONNREFUSED); check DATABASE_URL (host, port, user, password, database) and that the server is running (`sluice stack status`)');
  });
});

describe('checkSchemaFiles', () => {
  const orders = plan(topology('orders').source<{ at: number }>('orders', { schema: 'order', eventTime: 'at' }).to('orders-copy', { schema: 'order-copy' }));

  it('names the file, each use of a missing schema file, the known files and the fix', () => {
    expect(() => checkSchemaFiles(orders, 'topologies/orders.ts', { dir: 'schemas', names: ['ping'] })).toThrow(
      "topologies/orders.ts: source 'orders' uses schema 'order', but schemas/order.avsc does not exist; " +
        "output 'orders-copy' (step 'orders-copy') uses schema 'order-copy', but schemas/order-copy.avsc does not exist (known: ping). " +
        'Add schemas/order.avsc, schemas/order-copy.avsc (an Avro schema)',
    );
  });

  it('passes when every named schema has its file', () => {
    expect(() => checkSchemaFiles(orders, 'topologies/orders.ts', { dir: 'schemas', names: ['order', 'order-copy'] })).not.toThrow();
  });
});
