/**
 * Bounds on what one record may make the decoder allocate. Hostile input (a
 * few bytes declaring millions of items or a gigantic string) is rejected as
 * `too-large` before anything is allocated.
 *
 * @example
 * ```ts
 * new AvroCodec({ registry, subject, readerSchema, limits: { maxRecordBytes: 1 << 20 } });
 * ```
 */
export interface DecodeLimits {
  /** Largest accepted payload, header included. Default 8 MiB. */
  readonly maxRecordBytes: number;
  /**
   * Most array/map items in one record, all collections together. Items of a
   * zero-byte type (`null`, an empty record) cost no input bytes, so only this
   * bounds them. Default 1,000,000.
   */
  readonly maxItems: number;
  /** Deepest nesting of records (only recursive schemas can nest deeply). Default 256. */
  readonly maxDepth: number;
}

/**
 * The defaults of {@link DecodeLimits}.
 *
 * @example
 * ```ts
 * DEFAULT_DECODE_LIMITS.maxRecordBytes; // 8388608
 * ```
 */
export const DEFAULT_DECODE_LIMITS: DecodeLimits = Object.freeze({
  maxRecordBytes: 8 * 1024 * 1024,
  maxItems: 1_000_000,
  maxDepth: 256,
});
