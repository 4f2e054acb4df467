import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSchemaRegistry, RegistryRequestError, UnknownSchemaIdError } from '../../../src/serde/index.js';

// A URL that is not the registry's Confluent-compatible API base (Apicurio's server root, missing
// /apis/ccompat/v7) answers 404 to every path. That must be an error naming the fix, never read
// as "subject not registered" or "unknown schema id"; a registry's own 404s (40401, 40403) stay so.

type Answer = { status: number; body: string };
let answer: (path: string) => Answer = () => ({ status: 404, body: '' });
const seen: string[] = [];
let server: Server;
let origin: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const { status, body } = answer(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const apicurioRoot = (path: string): Answer => ({
  status: 404,
  body: JSON.stringify({ detail: `NotFoundException: RESTEASY003210: Could not find resource for full path: ${origin}${path}`, title: 'RESTEASY003210', status: 404 }),
});
const hint = (base: string): string => `is SCHEMA_REGISTRY_URL the registry's Confluent-compatible API base? Apicurio serves it at ${base}/apis/ccompat/v7`;

async function failure(work: Promise<unknown>): Promise<RegistryRequestError> {
  const error = await work.then(
    (value) => new Error(`expected a rejection, got ${JSON.stringify(value)}`),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RegistryRequestError);
  return error as RegistryRequestError;
}

describe('a 404 from an endpoint that is not there', () => {
  for (const [label, body] of [
    ['Apicurio root (JSON without error_code)', apicurioRoot],
    ['an empty body', (): Answer => ({ status: 404, body: '' })],
    ['an HTML page', (): Answer => ({ status: 404, body: '<html><body>Not Found</body></html>' })],
    ["Confluent's own 404 for a path it does not serve", (): Answer => ({ status: 404, body: '{"error_code":404,"message":"HTTP 404 Not Found"}' })],
  ] as const) {
    it(`${label}: every call fails naming the request without a doubled slash, and the fix`, async () => {
      answer = body;
      for (const url of [origin, `${origin}/`, `${origin}//`]) {
        const registry = new HttpSchemaRegistry({ url, timeoutMs: 2_000 });
        const config = await failure(registry.getCompatibility());
        expect(config.message).toMatch(new RegExp(`^schema registry answered 404: GET ${origin.replaceAll('.', '\\.')}/config: `));
        expect(config.message).not.toContain('//config');
        expect(config.message.endsWith(`; ${hint(origin)}`), config.message).toBe(true);
        expect(config.status).toBe(404);
        // Not "nothing registered" nor "unknown schema id": the API is not there at all.
        expect((await failure(registry.getLatest('orders-value'))).message).toContain(`GET ${origin}/subjects/orders-value/versions/latest: `);
        expect((await failure(registry.getSchemaById(7))).message).toContain(`GET ${origin}/schemas/ids/7: `);
        expect((await failure(registry.getCompatibility('orders-value'))).message).toContain(hint(origin));
        expect((await failure(registry.testCompatibility('orders-value', 'string'))).message).toContain(hint(origin));
        expect((await failure(registry.register('orders-value', 'string'))).message).toContain(`POST ${origin}/subjects/orders-value/versions: `);
      }
      expect(seen.some((r) => r.includes('//'))).toBe(false);
    });
  }

  it("points at Apicurio's ccompat API from another of its APIs, and only at the server root for a ccompat URL", async () => {
    answer = apicurioRoot;
    const native = await failure(new HttpSchemaRegistry({ url: `${origin}/apis/registry/v2` }).getCompatibility());
    expect(native.message).toContain(`GET ${origin}/apis/registry/v2/config: `);
    expect(native.message.endsWith(hint(origin))).toBe(true);
    const ccompat = await failure(new HttpSchemaRegistry({ url: `${origin}/apis/ccompat/v7/` }).getCompatibility());
    expect(ccompat.message).toContain(`GET ${origin}/apis/ccompat/v7/config: `);
    expect(ccompat.message).toContain("is SCHEMA_REGISTRY_URL the registry's Confluent-compatible API base? (for Confluent it is the server root)");
  });

  it('hides credentials in the URL', async () => {
    answer = apicurioRoot;
    const error = await failure(new HttpSchemaRegistry({ url: `http://user:s3cret@127.0.0.1:${new URL(origin).port}` }).getCompatibility());
    expect(error.message).not.toContain('s3cret');
    expect(error.message).toContain('***@127.0.0.1');
  });
});

describe("a registry's own 404s stay answers about the data", () => {
  it('an unknown subject is not registered, an unknown id is UnknownSchemaIdError, a subject without its own level falls back to the global one', async () => {
    answer = (path) => {
      if (path.startsWith('/schemas/ids/')) return { status: 404, body: '{"error_code":40403,"message":"Schema not found"}' };
      if (path.startsWith('/config/')) return { status: 404, body: '{"error_code":40408,"message":"Subject does not have subject-level compatibility configured"}' };
      if (path === '/config') return { status: 200, body: '{"compatibilityLevel":"BACKWARD"}' };
      return { status: 404, body: '{"error_code":40401,"message":"Subject not found"}' };
    };
    const registry = new HttpSchemaRegistry({ url: `${origin}/`, timeoutMs: 2_000 });
    expect(await registry.getLatest('orders-value')).toBeUndefined();
    await expect(registry.getSchemaById(7)).rejects.toBeInstanceOf(UnknownSchemaIdError);
    expect(await registry.getCompatibility('orders-value')).toBe('BACKWARD');
    expect(await registry.testCompatibility('orders-value', 'string')).toEqual({ compatible: true, messages: [] });
  });
});
