package sluice.bench.kstreams;

/**
 * One input record after decoding: its event time and value when it decoded, and always its original bytes
 * so a rejected record reaches the dead-letter topic unchanged (CONTRACT.md steps 1–2).
 *
 * <pre>{@code
 * DecodedEvent e = DecodedEvent.decoded(bytes, 1_700_000_000_000L, 42.0);
 * boolean keep = e.isValid();   // true: decoded and 0 <= value <= 1000
 * }</pre>
 *
 * @param raw    the record value exactly as read from the input topic
 * @param ts     event time in epoch ms (field {@code ts}); -1 when undecodable
 * @param value  field {@code value}; NaN when undecodable or absent
 * @param reason null when decoded, else why decoding failed
 */
public record DecodedEvent(byte[] raw, long ts, double value, String reason) {

  /**
   * A record that decoded; its value is validated later by {@link #isValid()}.
   *
   * <pre>{@code
   * DecodedEvent.decoded(bytes, ts, value);
   * }</pre>
   */
  public static DecodedEvent decoded(byte[] raw, long ts, double value) {
    return new DecodedEvent(raw, ts, value, null);
  }

  /**
   * A record that did not decode (bad framing, unknown schema id, corrupt Avro, no {@code ts}).
   *
   * <pre>{@code
   * DecodedEvent.undecodable(bytes, "magic byte 7, expected 0");
   * }</pre>
   */
  public static DecodedEvent undecodable(byte[] raw, String reason) {
    return new DecodedEvent(raw, -1L, Double.NaN, reason);
  }

  /**
   * Whether it decoded at all.
   *
   * <pre>{@code
   * if (!e.isDecoded()) log(e.reason());
   * }</pre>
   */
  public boolean isDecoded() {
    return reason == null;
  }

  /**
   * Decoded, and {@code value} finite within {@code [0, 1000]} — the contract's validation rule.
   * The comparisons are false for NaN, so NaN is rejected without a separate test.
   *
   * <pre>{@code
   * stream.split().branch((k, e) -> e.isValid(), ...)
   * }</pre>
   */
  public boolean isValid() {
    return reason == null && value >= 0.0 && value <= 1000.0;
  }
}
