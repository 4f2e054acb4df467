import type { LogLevel, RuntimeLog } from '../runtime/runtime-log.js';

/** `text` for people, `json` (one object per line) for log pipelines. */
export type LogFormat = 'text' | 'json';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * A {@link RuntimeLog} writing to stderr in the chosen format, dropping lines below `level`.
 *
 * @example
 * ```ts
 * const log = cliLog('json', 'info');
 * log('info', 'partitions assigned', { partitions: ['bus.telemetry[0]'] });
 * // {"time":"2026-11-22T02:50:00.000Z","level":"info","msg":"partitions assigned","partitions":["bus.telemetry[0]"]}
 * ```
 */
export function cliLog(format: LogFormat, level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): RuntimeLog {
  return (lineLevel, message, fields) => {
    if (ORDER[lineLevel] < ORDER[level]) return;
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level: lineLevel, msg: message, ...fields }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
      return;
    }
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))}` : '';
    write(`${new Date().toISOString().slice(11, 23)} ${lineLevel.toUpperCase().padEnd(5)} ${message}${extra}`);
  };
}

/** Parses `--log-level`. */
export function parseLogLevel(raw: string): LogLevel {
  if (raw === 'debug' || raw === 'info' || raw === 'warn' || raw === 'error') return raw;
  throw new Error(`--log-level must be debug, info, warn or error, got '${raw}'`);
}

/** Parses `--log-format`. */
export function parseLogFormat(raw: string): LogFormat {
  if (raw === 'text' || raw === 'json') return raw;
  throw new Error(`--log-format must be text or json, got '${raw}'`);
}
