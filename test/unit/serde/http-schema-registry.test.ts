import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AvroCodec, HttpSchemaRegistry, IncompatibleSchemaError, RegistryRequestError, RegistryUnavailableError,
  UnknownSchemaIdError, redactUrl,
} from '../../../src/serde/index.js';
import { busTelemetryV1, busTelemetryV2, busTelemetryV3 } from './fixtures/bus-telemetry-schemas.js';
import { FakeRegistryServer } from './fixtures/fake-registry-server.js';

const subject = 'bus.telemetry-value';
const servers: FakeRegistryServer[] = [];

async function start(flavour: 'confluent' | 'apicurio', level?: 'BACKWARD') {
  const server = new FakeRegistryServer(flavour, level);
  servers.push(server);
  const url = await server.start();
  return { server, url, registry: new HttpSchemaRegistry({ url, timeoutMs: 500 }) };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe.each(['confluent', 'apicurio'] as const)('HttpSchemaRegistry against %s', (flavour) => {
  it('detects the dialect from the URL', async () => {
    const { registry } = await start(flavour);
    expect(registry.dialect.name).toBe(flavour);
  });

  it('registers idempotently and reads schemas back, fetching each id once', async () => {
    const { server, registry, url } = await start(flavour, 'BACKWARD');
    const id = await registry.register(subject, busTelemetryV1);
    expect(await registry.register(subject, busTelemetryV1)).toBe(id);
    expect(server.requests.filter((r) => r.startsWith('POST'))).toHaveLength(1);
    const fresh = new HttpSchemaRegistry({ url });
    expect(await fresh.getSchemaById(id)).toEqual(busTelemetryV1);
    await fresh.getSchemaById(id);
    expect(server.requests.filter((r) => r === `GET /schemas/ids/${id}`)).toHaveLength(1);
    expect(await fresh.getLatest(subject)).toEqual({ id, version: 1, schema: busTelemetryV1 });
    expect(await fresh.getLatest('nope-value')).toBeUndefined();
  });

  it('refuses an incompatible v3 with a local explanation naming the field', async () => {
    const { registry } = await start(flavour, 'BACKWARD');
    await registry.register(subject, busTelemetryV1);
    await registry.register(subject, busTelemetryV2);
    const error = await registry.register(subject, busTelemetryV3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompatibleSchemaError);
    expect((error as IncompatibleSchemaError).messages[0]).toMatch(/^field 'speed_kmh' changed type from double to string/);
    const test = await registry.testCompatibility(subject, busTelemetryV3);
    expect(test.compatible).toBe(false);
    expect(test.messages[0]).toMatch(/speed_kmh/);
    expect(await registry.testCompatibility('new-subject-value', busTelemetryV3)).toEqual({ compatible: true, messages: [] });
  });

  it('sets compatibility per subject, even before the subject exists', async () => {
    const { registry } = await start(flavour, 'BACKWARD');
    await registry.setCompatibility('FULL', subject);
    expect(await registry.getCompatibility(subject)).toBe('FULL');
    await registry.register(subject, busTelemetryV1);
    expect(await registry.getCompatibility(subject)).toBe('FULL');
    expect(await registry.getCompatibility('other-value')).toBe('BACKWARD');
    await registry.register('other-value', busTelemetryV1);
    expect(await registry.getCompatibility('other-value')).toBe('BACKWARD'); // not Apicurio's bare NONE
    await registry.setCompatibility('NONE');
    expect(await registry.getCompatibility()).toBe('NONE');
  });

  it('maps 40403 to UnknownSchemaIdError and 5xx to RegistryUnavailableError', async () => {
    const { server, registry } = await start(flavour);
    await expect(registry.getSchemaById(424242)).rejects.toBeInstanceOf(UnknownSchemaIdError);
    for (const status of [500, 502, 503, 429]) {
      server.failures.push(status);
      await expect(registry.getSchemaById(1)).rejects.toBeInstanceOf(RegistryUnavailableError);
    }
    server.failures.push(401);
    await expect(registry.getLatest(subject)).rejects.toBeInstanceOf(RegistryRequestError);
  });

  it('times out slow requests as RegistryUnavailableError', async () => {
    const { server, url } = await start(flavour);
    server.delayMs = 300;
    const registry = new HttpSchemaRegistry({ url, timeoutMs: 50 });
    const error = await registry.getSchemaById(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect((error as Error).message).toMatch(/no answer within 50 ms/);
  });

  it('feeds AvroCodec: v1 and v2 read as v2 through HTTP, retrying after a 503', async () => {
    const { registry, server } = await start(flavour, 'BACKWARD');
    const v1 = new AvroCodec({ registry, subject, readerSchema: busTelemetryV1 });
    await v1.registerWriter();
    const bytes = v1.encode({ bus_id: 'a', route_id: 'r', speed_kmh: 1, note: null, timestamp: 5 });
    const reader = new AvroCodec({ registry: new HttpSchemaRegistry({ url: registry.url }), subject, readerSchema: busTelemetryV2 });
    server.failures.push(503);
    await expect(reader.prepare([bytes])).rejects.toBeInstanceOf(RegistryUnavailableError);
    await reader.prepare([bytes]);
    expect(reader.decode(bytes)).toMatchObject({ ok: true, value: { passengers: 0, timestamp: 5 } });
  });
});

describe('HttpSchemaRegistry outages and secrets', () => {
  it('maps connection refused to RegistryUnavailableError', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const registry = new HttpSchemaRegistry({ url: `http://127.0.0.1:${port}`, timeoutMs: 1000 });
    const error = await registry.getSchemaById(1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it('sends basic auth from the URL but never prints it', async () => {
    const server = new FakeRegistryServer('confluent');
    servers.push(server);
    const url = (await server.start()).replace('http://', 'http://alice:s3cret@');
    const registry = new HttpSchemaRegistry({ url, timeoutMs: 500 });
    expect(registry.url).not.toContain('s3cret');
    server.failures.push(503);
    const error = (await registry.getSchemaById(1).catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(RegistryUnavailableError);
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('***@127.0.0.1');
    expect(redactUrl('https://u:p@h/x?token=abc&a=1')).toBe('https://***@h/x?token=***&a=1');
  });
});
