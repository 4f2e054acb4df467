/**
 * The schema registry could not answer: connection refused, DNS failure,
 * timeout, 5xx or 429. An outage is never a bad record: the caller pauses,
 * retries with backoff and resumes; nothing goes to the DLQ.
 *
 * Messages never contain credentials (URLs are redacted).
 *
 * @example
 * ```ts
 * try { await codec.prepare(batch); }
 * catch (err) { if (err instanceof RegistryUnavailableError) await backoff(); else throw err; }
 * ```
 */
export class RegistryUnavailableError extends Error {
  override readonly name = 'RegistryUnavailableError';

  constructor(message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.status = options?.status;
  }

  /** HTTP status when the registry answered with one (5xx, 429, 408). */
  readonly status: number | undefined;
}
