import { redactUrl } from './redact-url.js';
import { RegistryUnavailableError } from './registry-unavailable-error.js';
import { errorText } from '../error-text.js';

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
  /** `safeUrl` without a trailing slash, to prefix request paths in messages (`…:8081/config`, not `…:8081//config`). */
  private readonly safeBase: string;
  private readonly baseUrl: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(url: string, options: RegistryHttpOptions = {}) {
    const parsed = new URL(url);
    this.safeUrl = redactUrl(parsed);
    this.safeBase = this.safeUrl.replace(/\/+$/, '');
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
   * network errors, timeouts, 5xx, 408 and 429; rejects with
   * {@link RegistryRequestError} for a 404 that is not a Confluent "not
   * found" (error code 404xx): the endpoint itself is missing, so the URL is
   * not the registry's API base, and an unknown subject or id must not be
   * concluded from it.
   */
  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<RegistryResponse> {
    const where = `${method} ${this.safeBase}${path}`;
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
    if (status === 404 && !isNotFoundCode(errorCode)) {
      const said = message ?? stringField(parsed, 'title') ?? stringField(parsed, 'detail');
      const detail = said === undefined ? 'no such endpoint' : `no such endpoint (${said.length > 120 ? `${said.slice(0, 120)}…` : said})`;
      throw new RegistryRequestError(`schema registry answered 404: ${where}: ${detail}; ${baseUrlHint(this.safeBase)}`, status, errorCode);
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
      `schema registry answered ${res.status}${res.errorCode ? ` (error ${res.errorCode})` : ''}: ${method} ${this.safeBase}${path}: ${detail}`,
      res.status,
      res.errorCode,
    );
  }
}

/**
 * Confluent's "not found" codes (40401 subject, 40402 version, 40403 schema,
 * 40408 no subject-level setting…): a 404 with one of these is an answer
 * about the data. Anything else with a 404 (no code, or Confluent's own
 * `404` for a path it does not serve) means the endpoint is not there.
 */
function isNotFoundCode(code: number | undefined): boolean {
  return code !== undefined && code >= 40400 && code <= 40499;
}

/** What to check when the endpoint is missing; for Apicurio, where its ccompat API would be (beside another `/apis/…` the URL names). */
function baseUrlHint(base: string): string {
  const hint = "is SCHEMA_REGISTRY_URL the registry's Confluent-compatible API base?";
  if (/\/apis\/ccompat\/v\d+$/.test(base)) return `${hint} (for Confluent it is the server root)`;
  const root = base.replace(/\/apis(\/.*)?$/, '');
  return `${hint} Apicurio serves it at ${root}/apis/ccompat/v7`;
}

function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `no answer within ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  // Node's fetch puts the useful part in `cause`; messages may echo the URL, so redact.
  const text = cause && typeof cause.message === 'string' ? cause.message : errorText(err);
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
