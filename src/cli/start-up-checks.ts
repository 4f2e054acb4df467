import { setTimeout as sleep } from 'node:timers/promises';
import { checkSchemaFields } from '../plan/check-schema-fields.js';
import { probeKafka, type KafkaProperties } from '../kafka/index.js';
import type { TopologyPlan } from '../plan/topology-plan.js';
import type { SchemaResolver } from '../runtime/codec-set.js';
import { schemaLookups } from '../runtime/schema-resolver.js';
import { HttpSchemaRegistry, redactUrl, RegistryUnavailableError } from '../serde/index.js';
import { errorText } from '../error-text.js';

/** How long `sluice run` waits at start-up for a service that does not answer (the broker's too). */
export const START_UP_DEADLINE_MS = 30_000;

/**
 * How long `sluice produce`, `consume` and `topics` wait for the broker's
 * first answer: someone is waiting at a terminal, and a broker that answers
 * at all answers a metadata request in well under a second.
 */
export const COMMAND_KAFKA_DEADLINE_MS = 10_000;

/**
 * Resolves once Kafka at `bootstrapServers` answers a metadata request;
 * after `timeoutMs` fails naming the address, `KAFKA_BOOTSTRAP_SERVERS` and
 * the fix (without it a request to an unreachable broker fails after
 * librdkafka's own timeout with a bare `Local: Timed out`).
 *
 * @example
 * ```ts
 * await awaitKafka('127.0.0.1:1', {}, 10_000);
 * // Error: Kafka at 127.0.0.1:1 did not answer a metadata request within 10 s (metadata request to 127.0.0.1:1:
 * //   Local: Broker transport failure); check KAFKA_BOOTSTRAP_SERVERS and the SLUICE_KAFKA_* security settings, …
 * ```
 */
export async function awaitKafka(bootstrapServers: string, properties: KafkaProperties, timeoutMs: number = START_UP_DEADLINE_MS): Promise<void> {
  await probeKafka(bootstrapServers, timeoutMs, properties).catch((error: unknown) => {
    throw new Error(
      `Kafka at ${bootstrapServers} did not answer a metadata request within ${Math.round(timeoutMs / 1000)} s (${errorText(error)}); ` +
        'check KAFKA_BOOTSTRAP_SERVERS and the SLUICE_KAFKA_* security settings, or start a local stack with `sluice stack up`',
      { cause: error },
    );
  });
}

/**
 * Waits until the schema registry at `url` answers (`GET /config`), retrying
 * an outage until `timeoutMs`, then fails naming `SCHEMA_REGISTRY_URL` and
 * the fix. Only start-up is bounded: once running, an outage pauses and
 * retries as long as it lasts. An answer that shows the URL is not a
 * registry's API (404) fails at once.
 *
 * @example
 * ```ts
 * await awaitRegistry('http://127.0.0.1:8081/apis/ccompat/v7');
 * // rejects after 30 s: schema registry at http://127.0.0.1:1/... did not answer within 30 s (...); check SCHEMA_REGISTRY_URL, ...
 * ```
 */
export async function awaitRegistry(url: string, timeoutMs: number = START_UP_DEADLINE_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const registry = new HttpSchemaRegistry({ url, timeoutMs: Math.min(5_000, timeoutMs) });
  for (let attempt = 0; ; attempt++) {
    try {
      await registry.getCompatibility();
      return;
    } catch (error) {
      const text = errorText(error);
      if (!(error instanceof RegistryUnavailableError)) {
        if ((error as { status?: unknown }).status === 404) {
          // The client's own message already says where the API is (registry-http.ts); say only which variable.
          throw new Error(`SCHEMA_REGISTRY_URL ${registry.url} is not a schema registry's Confluent-compatible API: ${text}`);
        }
        return; // It answered: authorisation and the like are reported by the request that needs them.
      }
      if (Date.now() >= deadline) {
        throw new Error(
          `schema registry at ${registry.url} did not answer within ${Math.round(timeoutMs / 1000)} s (${text}); ` +
            'check SCHEMA_REGISTRY_URL, or start a local stack with `sluice stack up`',
        );
      }
      await sleep(Math.min(1_000, 100 * 2 ** attempt, Math.max(0, deadline - Date.now())));
    }
  }
}

/**
 * Refuses a database URL that is not a PostgreSQL URL before anything
 * connects (node-postgres would read `not-a-url` as a host name and fail
 * with `getaddrinfo ENOTFOUND`). `variable` names where it came from.
 *
 * @example
 * ```ts
 * checkDatabaseUrl('not-a-url', 'DATABASE_URL');
 * // Error: DATABASE_URL ('not-a-url') is not a PostgreSQL URL: expected postgres://user:password@host:5432/database ...
 * ```
 */
export function checkDatabaseUrl(url: string, variable: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  const ok = parsed !== undefined && ['postgres:', 'postgresql:', 'socket:'].includes(parsed.protocol) && (parsed.protocol === 'socket:' || parsed.hostname !== '' || parsed.searchParams.has('host'));
  if (ok) return;
  throw new Error(
    `${variable} ('${redactUrl(url)}') is not a PostgreSQL URL: expected postgres://user:password@host:5432/database ` +
      '(percent-encode special characters in the password); fix or unset it',
  );
}

/**
 * The message for a database that did not accept a connection at start-up:
 * where the URL came from, the URL with its password redacted, the cause and the fix.
 *
 * @example
 * ```ts
 * databaseConnectionError('DATABASE_URL', 'postgres://postgres:***@127.0.0.1:1/x', new Error('connect ECONNREFUSED 127.0.0.1:1')).message;
 * // could not connect to PostgreSQL at DATABASE_URL postgres://postgres:***@127.0.0.1:1/x (connect ECONNREFUSED 127.0.0.1:1); check DATABASE_URL ...
 * ```
 */
export function databaseConnectionError(variable: string, redactedUrl: string, cause: unknown): Error {
  const text = cause instanceof Error ? cause.message || (cause as { code?: string }).code || String(cause) : String(cause);
  return new Error(
    `could not connect to PostgreSQL at ${variable} ${redactedUrl} (${text}); ` +
      `check ${variable} (host, port, user, password, database) and that the server is running (\`sluice stack status\`)`,
    { cause },
  );
}

/**
 * Checks the field names a topology reads (`eventTime`, `groupBy` fields,
 * `groupByKey`'s `as`, sink keys and column paths) against the schemas it
 * names in `schemas/` (a JSON Schema source's `properties` too), once they are resolved and before anything connects:
 * `plan()` could only check inline schemas. A name `resolve` does not know
 * is left to `checkSchemaFiles`, which reports missing files.
 *
 * @example
 * ```ts
 * checkTopologySchemas(plan, (await loadProjectSchemas(dir)).resolve);
 * // TopologyDefinitionError: topology "lots": step "by-lot": groupBy field "lot_idd" is not a field of schema 'lot-event'
 * //   (its fields: lot_id, machine, at); did you mean "lot_id"?.
 * //   Fix: group by a field the records have: .groupBy('by-lot', 'lot_id'); …
 * ```
 */
export function checkTopologySchemas(plan: TopologyPlan, resolve: SchemaResolver): void {
  const lookups = schemaLookups(resolve);
  checkSchemaFields(plan, lookups.avro, lookups.json);
}
