/** Severity of a runtime log line. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where the runtime reports what it does; the CLI decides the format (text or JSON lines).
 *
 * @example
 * ```ts
 * const log: RuntimeLog = (level, message, fields) => console.error(level, message, fields ?? {});
 * log('info', 'restored partition', { topic: 'bus.route-stats.1m', partition: 2, records: 120 });
 * ```
 */
export type RuntimeLog = (level: LogLevel, message: string, fields?: Readonly<Record<string, unknown>>) => void;
