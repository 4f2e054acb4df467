package sluice.bench.kstreams;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The running aggregate of one (key, window): {@code count}, {@code sum} and {@code max}; {@code avg} is
 * derived as sum/count when written (CONTRACT.md step 5). Immutable, so a cached instance is never changed
 * behind the store's back.
 *
 * <pre>{@code
 * WindowAggregate a = WindowAggregate.EMPTY.add(3.0).add(5.0);   // count 2, sum 8, max 5
 * }</pre>
 *
 * @param count number of valid records
 * @param sum   sum of their values
 * @param max   largest value; -Infinity while empty
 */
public record WindowAggregate(long count, double sum, double max) {
  /** The initial aggregate of a window. */
  public static final WindowAggregate EMPTY = new WindowAggregate(0L, 0.0, Double.NEGATIVE_INFINITY);

  private static final int SIZE = Long.BYTES + 2 * Double.BYTES;

  /**
   * The aggregate with one more value.
   *
   * <pre>{@code
   * agg = agg.add(event.value());
   * }</pre>
   */
  public WindowAggregate add(double value) {
    return new WindowAggregate(count + 1, sum + value, Math.max(max, value));
  }

  /**
   * sum/count.
   *
   * <pre>{@code
   * double avg = agg.avg();
   * }</pre>
   */
  public double avg() {
    return sum / count;
  }

  /**
   * Fixed 24-byte serde for the window store and its changelog: cheaper than Avro for state that never
   * leaves the application.
   *
   * <pre>{@code
   * Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as("aggregates")
   *     .withValueSerde(WindowAggregate.serde());
   * }</pre>
   */
  public static Serde<WindowAggregate> serde() {
    Serializer<WindowAggregate> serializer = (topic, a) -> a == null ? null
        : ByteBuffer.allocate(SIZE).putLong(a.count).putDouble(a.sum).putDouble(a.max).array();
    Deserializer<WindowAggregate> deserializer = (topic, bytes) -> {
      if (bytes == null) {
        return null;
      }
      ByteBuffer b = ByteBuffer.wrap(bytes);
      return new WindowAggregate(b.getLong(), b.getDouble(), b.getDouble());
    };
    return Serdes.serdeFrom(serializer, deserializer);
  }
}
