package sluice.bench.kstreams;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConfluentEventSerdeTest {
  private StubRegistry stub;
  private ConfluentEventSerde serde;

  @BeforeEach
  void start() throws Exception {
    stub = new StubRegistry();
    stub.schemas.put(1, StubRegistry.EVENT.toString());
    serde = new ConfluentEventSerde(new SchemaRegistry(stub.url()));
  }

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void decodesTsAndValueWithTheWriterSchemaFetchedOncePerId() {
    DecodedEvent a = serde.deserializer().deserialize("t", Events.event(1, "k-00001", 1_700_000_000_123L, 12.5));
    DecodedEvent b = serde.deserializer().deserialize("t", Events.event(1, "k-00002", 1_700_000_000_456L, 7.0));
    assertTrue(a.isDecoded());
    assertEquals(1_700_000_000_123L, a.ts());
    assertEquals(12.5, a.value());
    assertEquals(7.0, b.value());
    assertEquals(1, stub.fetches.get());
  }

  @Test
  void rejectsBadFramingUnknownIdsAndCorruptAvroWithoutThrowing() {
    byte[] good = Events.event(1, "k-00001", 1L, 1.0);
    byte[] badMagic = good.clone();
    badMagic[0] = 9;
    byte[] unknownId = Events.event(2, "k-00001", 1L, 1.0);
    byte[] truncated = Arrays.copyOf(good, 12);
    for (byte[] bytes : new byte[][] {new byte[] {0, 0, 0}, badMagic, unknownId, truncated}) {
      DecodedEvent e = serde.decode(bytes);
      assertFalse(e.isDecoded(), () -> "decoded " + Arrays.toString(bytes));
      assertFalse(e.isValid());
      assertArrayEquals(bytes, serde.serializer().serialize("dlq", e), "dead-letter payload = original bytes");
    }
  }

  @Test
  void validatesZeroToThousandFinite() {
    for (double ok : new double[] {0.0, 1000.0, 999.999}) {
      assertTrue(serde.decode(Events.event(1, "k", 1L, ok)).isValid(), "valid " + ok);
    }
    for (double bad : new double[] {-0.001, 1000.001, Double.NaN, Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY}) {
      DecodedEvent e = serde.decode(Events.event(1, "k", 1L, bad));
      assertTrue(e.isDecoded());
      assertFalse(e.isValid(), "invalid " + bad);
    }
  }
}
