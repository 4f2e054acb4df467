import { redactUrl } from './redact-url.js';
import { RegistryUnavailableError } from './registry-unavailable-error.js';

/**
 * The registry answered with an error that is neither an outage nor one the
 * client maps to a specific error (e.g. 401/403, a wrong base path).
 * Configuration problems: failing loudly beats retrying forever.
 *
 * @example
 * ```ts
 * catch (err) { if (err instanceof RegistryRequestError) console.error(err.status, err.errorCode); }
 * ```
 */
export class RegistryRequestError extends Error {
  override readonly name = 'RegistryRequestError';

  constructor(message: string, readonly status: number, readonly errorCode: number | undefined) {
    super(message);
  }
}

/**
 * An HTTP answer from the registry: status, parsed JSON body, and the
 * Confluent `error_code`/`message` when the body carries them.
 *
 * @example
 * ```ts
 * const res: RegistryResponse = { status: 404, body: { error_code: 40403 }, errorCode: 40403, message: 'Schema not found' };
 * ```
 */
export interface RegistryResponse {
  readonly status: number;
  readonly body: unknown;
  readonly errorCode: number | undefined;
  readonly message: string | undefined;
}

/**
 * Options of {@link RegistryHttp}.
 *
 * @example
 * ```ts
 * const options: RegistryHttpOptions = { timeoutMs: 5000, auth: { username: 'u', password: 'p' } };
 * ```
 */
export interface RegistryHttpOptions {
  /** Per-request timeout; default 10 s. */
  readonly timeoutMs?: number;
  /** Basic auth; credentials in the URL (`http://user:pass@host`) work too. */
  readonly auth?: { readonly username: string; readonly password: string };
  readonly headers?: Readonly<Record<string, string>>;
  /** Injected for tests; global `fetch` by default. */
  readonly fetch?: typeof fetch;
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/**
 * The transport under {@link HttpSchemaRegistry}: one JSON request with a
 * timeout, outages turned into {@link RegistryUnavailableError}, credentials
 * kept out of every message.
 *
 * @example
 * ```ts
 * const http = new RegistryHttp('http://127.0.0.1:8081/apis/ccompat/v7');
 * const res = await http.request('GET', '/config');
 * ```
 */
export class RegistryHttp {
  /** The base URL, redacted: safe for logs and error messages. */
  readonly safeUrl: string;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(url: string, options: RegistryHttpOptions = {}) {
    const parsed = new URL(url);
    this.safeUrl = redactUrl(parsed);
    // fetch refuses URLs with credentials: move them into the header.
    const username = options.auth?.username ?? decodeURIComponent(parsed.username);
    const password = options.auth?.password ?? decodeURIComponent(parsed.password);
    parsed.username = '';
    parsed.password = '';
    this.baseUrl = parsed.toString().replace(/\/+$/, '');
    this.headers = { accept: `${CONTENT_TYPE}, application/json`, ...options.headers };
    if (username !== '' || password !== '') {
      this.headers.authorization = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    }
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetchImpl = options.fetch ?? fetch;
  }

  /**
   * Sends one request. Resolves for 2xx and for 4xx other than 408/429 (the
   * caller maps those); rejects with {@link RegistryUnavailableError} for
   * network errors, timeouts, 5xx, 408 and 429.
   */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<RegistryResponse> {
    const where = `${method} ${this.safeUrl}${path}`;
    let status: number;
    let text: string;
    try {
      const res = await this.fetchImpl(this.baseUrl + path, {
        method,
        headers: body === undefined ? this.headers : { ...this.headers, 'content-type': CONTENT_TYPE },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      throw new RegistryUnavailableError(`schema registry unreachable: ${where}: ${describeFailure(err, this.timeoutMs)}`, {
        cause: err,
      });
    }
    const parsed = parseJson(text);
    const errorCode = numberField(parsed, 'error_code');
    const message = stringField(parsed, 'message');
    if (status >= 500 || status === 408 || status === 429) {
      throw new RegistryUnavailableError(
        `schema registry answered ${status}: ${where}${message ? `: ${message}` : ''}`,
        { status },
      );
    }
    if (status >= 200 && status < 300 && parsed === undefined && text.trim() !== '') {
      throw new RegistryRequestError(`${where}: answer is not JSON; is this a schema registry URL?`, status, undefined);
    }
    return { status, body: parsed, errorCode, message };
  }

  /** An error for an answer the caller did not expect. */
  unexpected(method: string, path: string, res: RegistryResponse): RegistryRequestError {
    const detail = res.message ?? (res.body === undefined ? 'no JSON body' : JSON.stringify(res.body).slice(0, 200));
    return new RegistryRequestError(
      `schema registry answered ${res.status}${res.errorCode ? ` (error ${res.errorCode})` : ''}: ${method} ${this.safeUrl}${path}: ${detail}`,
      res.status,
      res.errorCode,
    );
  }
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  // Node's fetch puts the useful part in `cause`; messages may echo the URL, so redact.
  const text = cause && typeof cause.message === 'string' ? cause.message : err instanceof Error ? err.message : String(err);
  return redactUrl(text);
}

function parseJson(text: string): unknown {
  try {
    return text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    return undefined;
  }
}

function numberField(body: unknown, key: string): number | undefined {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof v === 'number' ? v : undefined;
}

function stringField(body: unknown, key: string): string | undefined {
  const v = body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}
