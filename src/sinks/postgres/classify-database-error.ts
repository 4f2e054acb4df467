/**
 * What a sink should do about a database error:
 * - `retry`: infrastructure fault (connection lost, server restarting,
 *   serialization/deadlock, overload, timeout). Pause, back off, retry the
 *   same batch; nothing goes to the DLQ.
 * - `reject`: the database refuses this data for good (constraint violation
 *   `23xxx`, data exception `22xxx`). The offending record goes to the DLQ.
 * - `fatal`: the sink itself is wrong (undefined table/column `42xxx`,
 *   permission, authentication). Stop and report; retrying cannot help.
 */
export type DatabaseFault = 'retry' | 'reject' | 'fatal';

const RETRY_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (starting up, recovery)
  '58000', // system_error (I/O)
  '58030', // io_error
]);

const RETRY_ERRNOS = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH',
  'ENETUNREACH', 'ENETDOWN', 'ENOTFOUND', 'EAI_AGAIN', 'ENOTCONN',
]);

// pg reports lost connections and pool timeouts as plain Errors without a code.
const RETRY_MESSAGES = [
  /connection terminated/i,
  /terminating connection/i,
  /timeout exceeded when trying to connect/i,
  /connection timeout/i,
  /query read timeout/i,
  /not queryable/i,
  /server closed the connection/i,
  /socket hang up/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

/**
 * Classifies an error thrown by `pg`, PGlite or Kysely into a {@link DatabaseFault}.
 * Unknown errors are `fatal`: stopping loses nothing (offsets live with the
 * rows), while retrying a programming error forever would hide it.
 *
 * @example
 * ```ts
 * classifyDatabaseError({ code: '23505', message: 'duplicate key value' }); // 'reject'
 * classifyDatabaseError({ code: '57P01' });                                // 'retry'
 * classifyDatabaseError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })); // 'retry'
 * classifyDatabaseError({ code: '42P01', message: 'relation "x" does not exist' }); // 'fatal'
 * ```
 */
export function classifyDatabaseError(error: unknown): DatabaseFault {
  return classify(error, 0);
}

function classify(error: unknown, depth: number): DatabaseFault {
  if (error === null || typeof error !== 'object' || depth > 4) return 'fatal';
  const { code, message, errors, cause } = error as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
    cause?: unknown;
  };
  if (typeof code === 'string') {
    if (RETRY_ERRNOS.has(code)) return 'retry';
    if (/^[0-9A-Z]{5}$/.test(code)) return classifySqlState(code);
  }
  // `localhost` resolving to ::1 and 127.0.0.1 gives an AggregateError of two ECONNREFUSED.
  if (Array.isArray(errors) && errors.length > 0) {
    const inner = errors.map((e) => classify(e, depth + 1));
    if (inner.every((f) => f === 'retry')) return 'retry';
  }
  if (cause !== undefined) {
    const inner = classify(cause, depth + 1);
    if (inner !== 'fatal') return inner;
  }
  if (typeof message === 'string' && RETRY_MESSAGES.some((re) => re.test(message))) return 'retry';
  return 'fatal';
}

/**
 * Classifies a five-character SQLSTATE.
 *
 * @example
 * ```ts
 * classifySqlState('22003'); // 'reject' (numeric_value_out_of_range)
 * classifySqlState('08006'); // 'retry'  (connection_failure)
 * ```
 */
export function classifySqlState(code: string): DatabaseFault {
  if (RETRY_SQLSTATES.has(code)) return 'retry';
  const cls = code.slice(0, 2);
  switch (cls) {
    case '08': // connection exception
    case '53': // insufficient resources: too many connections, disk full, out of memory
      return 'retry';
    case '22': // data exception: out of range, invalid text representation, …
    case '23': // integrity constraint violation
      return 'reject';
    default:
      return 'fatal';
  }
}
