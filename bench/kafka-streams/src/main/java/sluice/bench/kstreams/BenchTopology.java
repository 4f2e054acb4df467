package sluice.bench.kstreams;

import java.time.Duration;
import java.util.Map;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.state.WindowStore;

/**
 * The benchmark topology of bench/CONTRACT.md in the Kafka Streams DSL: decode → validate (rejects to the
 * dead-letter topic with their original bytes) → groupByKey (no repartition: the input is partitioned by
 * key) → tumbling 60 s windows with 5 s grace → count/sum/max → {@code toStream()} into the table topic.
 *
 * <p>Output key: the UTF-8 string {@code <key>@<window_start>}; value: {@link AggregateEncoder}.
 * Late records are dropped by the window processor and counted in Kafka Streams' dropped-records metric.
 *
 * <pre>{@code
 * Topology t = BenchTopology.build("bench.events", "out", "dlq", new ConfluentEventSerde(registry), encoder);
 * }</pre>
 */
public final class BenchTopology {
  /** Tumbling window size (CONTRACT.md step 4). */
  public static final Duration WINDOW = Duration.ofSeconds(60);
  /** Grace after window end before a window closes. */
  public static final Duration GRACE = Duration.ofSeconds(5);
  /** Name of the window store (and of its changelog topic, {@code <application.id>-<name>-changelog}). */
  public static final String STORE = "bench-aggregates";

  private BenchTopology() {}

  /**
   * Builds the topology; pure — touches neither Kafka nor the registry.
   *
   * <pre>{@code
   * new KafkaStreams(BenchTopology.build(in, out, dlq, serde, encoder), props);
   * }</pre>
   */
  public static Topology build(String input, String output, String dlq, Serde<DecodedEvent> events,
      AggregateEncoder encoder) {
    StreamsBuilder builder = new StreamsBuilder();
    Map<String, KStream<String, DecodedEvent>> branches = builder
        .stream(input, Consumed.with(Serdes.String(), events).withName("decode"))
        .split(Named.as("validate-"))
        .branch((key, event) -> event.isValid(), Branched.as("valid"))
        .defaultBranch(Branched.as("rejected"));

    // The serde's serializer returns the bytes as read, so rejects land in the DLQ byte for byte.
    branches.get("validate-rejected")
        .to(dlq, Produced.with(Serdes.String(), events).withName("dead-letter"));

    branches.get("validate-valid")
        .groupByKey(Grouped.with(Serdes.String(), events))
        .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW, GRACE))
        .aggregate(
            () -> WindowAggregate.EMPTY,
            (key, event, agg) -> agg.add(event.value()),
            Named.as("aggregate"),
            Materialized.<String, WindowAggregate, WindowStore<Bytes, byte[]>>as(STORE)
                .withKeySerde(Serdes.String())
                .withValueSerde(WindowAggregate.serde()))
        .toStream(Named.as("changes"))
        .map((windowed, agg) -> {
          long start = windowed.window().start();
          return KeyValue.pair(windowed.key() + "@" + start,
              encoder.encode(windowed.key(), start, windowed.window().end(), agg));
        }, Named.as("encode"))
        .to(output, Produced.with(Serdes.String(), Serdes.ByteArray()).withName("table"));
    return builder.build();
  }
}
