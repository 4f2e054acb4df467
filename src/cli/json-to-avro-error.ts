/**
 * A JSON value that does not fit the schema; `path` is the avsc path of the
 * bad field (`items.2.sku`, empty for the value itself), `problem` what is wrong.
 *
 * @example
 * ```ts
 * try { toAvro({ speed_kmh: 'fast' }); }
 * catch (e) { if (e instanceof JsonToAvroError) e.message; } // 'speed_kmh: expected a double (a number), got "fast"'
 * ```
 */
export class JsonToAvroError extends Error {
  override readonly name = 'JsonToAvroError';
  constructor(
    readonly path: readonly string[],
    readonly problem: string,
  ) {
    super(`${path.length > 0 ? path.join('.') : '(value)'}: ${problem}`);
  }
}

/**
 * Throws the {@link JsonToAvroError} for a value that is not what was
 * expected, showing the value (cut at 60 characters).
 *
 * @example
 * ```ts
 * failJson(['items', '1', 'qty'], 'an int', 'many'); // throws 'items.1.qty: expected an int, got "many"'
 * ```
 */
export function failJson(path: readonly string[], expected: string, got: unknown): never {
  throw new JsonToAvroError([...path], `expected ${expected}, got ${shown(got)}`);
}

function shown(v: unknown): string {
  const text = v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
