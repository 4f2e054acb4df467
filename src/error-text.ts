/**
 * The message of whatever was thrown: an `Error`'s `message`, anything else
 * as `String(value)` (a thrown string, number or plain object). For log lines,
 * dead-letter reasons and messages that quote a cause.
 *
 * @example
 * ```ts
 * errorText(new Error('boom')); // 'boom'
 * errorText('no broker');       // 'no broker'
 * errorText(42);                // '42'
 * ```
 */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
