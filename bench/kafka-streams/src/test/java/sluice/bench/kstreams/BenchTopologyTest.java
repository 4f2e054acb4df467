package sluice.bench.kstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;

class BenchTopologyTest {
  // Aligned to a minute so window starts read as T0 + n·60 s.
  static final long T0 = 1_700_000_040_000L;

  @Test
  void aggregatesValidEventsPerKeyAndMinuteDropsLateOnesAndDeadLettersRejects() throws Exception {
    try (StubRegistry stub = new StubRegistry()) {
      stub.schemas.put(1, StubRegistry.EVENT.toString());
      AggregateEncoder encoder = new AggregateEncoder(AggregateEncoderTest.BUILT_IN, 5);
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, "bench-topology-test");
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
      props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
      props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
      try (TopologyTestDriver driver = new TopologyTestDriver(BenchTopology.build("in", "out", "dlq",
          new ConfluentEventSerde(new SchemaRegistry(stub.url())), encoder), props)) {
        TestInputTopic<String, byte[]> in = driver.createInputTopic("in", new StringSerializer(),
            new ByteArraySerializer());
        TestOutputTopic<String, byte[]> out = driver.createOutputTopic("out", new StringDeserializer(),
            new ByteArrayDeserializer());
        TestOutputTopic<String, byte[]> dlq = driver.createOutputTopic("dlq", new StringDeserializer(),
            new ByteArrayDeserializer());

        byte[] nan = Events.event(1, "A", T0 + 40_000, Double.NaN);
        byte[] garbage = {0, 0, 0, 0, 1, (byte) 0xff, (byte) 0xff};
        in.pipeInput("A", Events.event(1, "A", T0 + 10_000, 5.0));
        in.pipeInput("A", Events.event(1, "A", T0 + 30_000, 7.0));
        in.pipeInput("A", nan);
        in.pipeInput("B", Events.event(1, "B", T0 + 50_000, 2.0));
        in.pipeInput("A", garbage);
        in.pipeInput("B", Events.event(1, "B", T0 + 62_000, 3.0));
        // Stream time T0+62 s: [T0, T0+60 s) has ended but is within its 5 s grace, so this counts.
        in.pipeInput("A", Events.event(1, "A", T0 + 55_000, 6.0));
        // Stream time T0+70 s >= end + grace: [T0, T0+60 s) is closed and the next record for it is late.
        in.pipeInput("A", Events.event(1, "A", T0 + 70_000, 1.0));
        in.pipeInput("A", Events.event(1, "A", T0 + 59_000, 100.0));
        in.pipeInput("A", Events.event(1, "A", T0 + 119_000, 4.0));

        Map<String, String> last = new TreeMap<>();
        for (var kv : out.readKeyValuesToMap().entrySet()) {
          GenericRecord r = AggregateEncoderTest.decode(AggregateEncoderTest.BUILT_IN, kv.getValue());
          assertEquals(r.get("key") + "@" + r.get("window_start"), kv.getKey());
          last.put(kv.getKey(), r.get("count") + "/" + r.get("sum") + "/" + r.get("avg") + "/" + r.get("max"));
        }
        assertEquals(Map.of(
            "A@" + T0, "3/18.0/6.0/7.0",
            "A@" + (T0 + 60_000), "2/5.0/2.5/4.0",
            "B@" + T0, "1/2.0/2.0/2.0",
            "B@" + (T0 + 60_000), "1/3.0/3.0/3.0"), last);

        List<byte[]> rejected = dlq.readValuesToList();
        assertEquals(2, rejected.size());
        assertArrayEquals(nan, rejected.get(0));
        assertArrayEquals(garbage, rejected.get(1));
      }
    }
  }
}
