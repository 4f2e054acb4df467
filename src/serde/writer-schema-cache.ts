import type avro from 'avsc';
import { AvroPayloadGuard } from './avro-payload-guard.js';
import { InvalidSchemaError } from './invalid-schema-error.js';
import { parseAvroSchema } from './parse-avro-schema.js';
import type { SchemaRegistry } from './schema-registry.js';
import { UnknownSchemaIdError } from './unknown-schema-id-error.js';
import { errorText } from '../error-text.js';

/**
 * How a writer schema id turned out: parsed (with its payload guard), unknown
 * to the registry (40403, remembered for a while), or not usable Avro.
 *
 * @example
 * ```ts
 * const entry = WriterSchemaCache.for(registry).peek(42);
 * if (entry?.kind === 'ok') entry.type.name;
 * ```
 */
export type WriterSchemaEntry =
  | { readonly kind: 'ok'; readonly id: number; readonly type: avro.Type; readonly guard: AvroPayloadGuard }
  | { readonly kind: 'unknown'; readonly id: number; readonly message: string; readonly until: number }
  | { readonly kind: 'invalid'; readonly id: number; readonly message: string };

/**
 * An unknown id is asked for again after this long, in case it was registered
 * meanwhile (a producer racing a registry replica); within it, a flood of
 * records carrying a garbage id costs one registry call.
 *
 * @example
 * ```ts
 * UNKNOWN_ID_RETRY_MS; // 60000
 * ```
 */
export const UNKNOWN_ID_RETRY_MS = 60_000;

/**
 * Most unknown ids remembered; past it they are forgotten (and asked about
 * again), so random ids in hostile input cannot grow memory without bound.
 *
 * @example
 * ```ts
 * MAX_UNKNOWN_IDS; // 10000
 * ```
 */
export const MAX_UNKNOWN_IDS = 10_000;

/** Registry requests in flight per cache: a batch of garbage ids must not flood the registry. */
const MAX_CONCURRENT_FETCHES = 8;

const caches = new WeakMap<SchemaRegistry, WriterSchemaCache>();

/**
 * Writer schemas by id, shared by every codec of one registry instance, so a
 * schema is fetched once per process however many codecs and records use it.
 * Ids are immutable in a registry, so entries never expire (except unknown ids).
 *
 * @example
 * ```ts
 * const cache = WriterSchemaCache.for(registry);
 * await cache.load([1, 2]);   // at most one getSchemaById per id, ever
 * cache.peek(1)?.kind;        // 'ok'
 * ```
 */
export class WriterSchemaCache {
  private readonly entries = new Map<number, WriterSchemaEntry>();
  private readonly inFlight = new Map<number, Promise<void>>();
  private unknownCount = 0;

  private constructor(private readonly registry: SchemaRegistry) {}

  /** The cache of a registry instance (created on first use). */
  static for(registry: SchemaRegistry): WriterSchemaCache {
    let cache = caches.get(registry);
    if (!cache) {
      cache = new WriterSchemaCache(registry);
      caches.set(registry, cache);
    }
    return cache;
  }

  /** The entry for an id, if loaded (an expired unknown id reads as not loaded). */
  peek(id: number, now = Date.now()): WriterSchemaEntry | undefined {
    const entry = this.entries.get(id);
    return entry?.kind === 'unknown' && entry.until <= now ? undefined : entry;
  }

  /**
   * Loads the ids not yet known, at most 8 requests at a time, each id once
   * even if codecs ask at the same time. Rejects with the registry's error for an outage
   * ({@link RegistryUnavailableError}) so the caller retries; nothing is
   * remembered for an id whose fetch failed that way.
   */
  async load(ids: Iterable<number>): Promise<void> {
    const queue = [...ids].filter((id) => this.peek(id) === undefined);
    let failure: { error: unknown } | undefined;
    const worker = async (): Promise<void> => {
      // Stop taking ids after an outage: the batch will be retried anyway.
      for (let id = queue.shift(); id !== undefined && !failure; id = queue.shift()) {
        try {
          await this.fetchOnce(id);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(MAX_CONCURRENT_FETCHES, queue.length) }, worker));
    if (failure) throw failure.error;
  }

  private fetchOnce(id: number): Promise<void> {
    if (this.peek(id) !== undefined) return Promise.resolve();
    let flight = this.inFlight.get(id);
    if (!flight) {
      flight = this.fetch(id).finally(() => this.inFlight.delete(id));
      this.inFlight.set(id, flight);
    }
    return flight;
  }

  private async fetch(id: number): Promise<void> {
    if (id < 0) {
      // Registries hand out positive ids; asking about a negative one is a wasted call.
      this.remember({ kind: 'unknown', id, message: `schema id ${id} is not a valid id`, until: Infinity });
      return;
    }
    try {
      const schema = await this.registry.getSchemaById(id);
      let type: avro.Type;
      try {
        type = parseAvroSchema(schema);
      } catch (err) {
        this.entries.set(id, { kind: 'invalid', id, message: `writer schema ${id} is not valid Avro: ${errorText(err)}` });
        return;
      }
      this.entries.set(id, { kind: 'ok', id, type, guard: AvroPayloadGuard.for(type) });
    } catch (err) {
      if (err instanceof UnknownSchemaIdError) {
        this.remember({ kind: 'unknown', id, message: err.message, until: Date.now() + UNKNOWN_ID_RETRY_MS });
      } else if (err instanceof InvalidSchemaError) {
        this.entries.set(id, { kind: 'invalid', id, message: err.message });
      } else {
        throw err;
      }
    }
  }

  private remember(entry: WriterSchemaEntry & { kind: 'unknown' }): void {
    this.unknownCount++;
    if (this.unknownCount > MAX_UNKNOWN_IDS) {
      for (const [id, e] of this.entries) if (e.kind === 'unknown') this.entries.delete(id);
      this.unknownCount = 1;
    }
    this.entries.set(entry.id, entry);
  }
}
