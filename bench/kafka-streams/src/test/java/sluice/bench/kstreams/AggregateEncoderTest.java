package sluice.bench.kstreams;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.junit.jupiter.api.Test;

class AggregateEncoderTest {
  static final Schema BUILT_IN = StubRegistry.parse(Path.of("src/main/resources/bench-aggregate.avsc"));

  static GenericRecord decode(Schema schema, byte[] wire) throws Exception {
    return new GenericDatumReader<GenericRecord>(schema)
        .read(null, DecoderFactory.get().binaryDecoder(wire, 5, wire.length - 5, null));
  }

  @Test
  void writesTheWireFormatWithAvgAsSumOverCount() throws Exception {
    byte[] wire = new AggregateEncoder(BUILT_IN, 258).encode("k-00007", 60_000L, 120_000L,
        WindowAggregate.EMPTY.add(3.0).add(4.5));
    assertEquals(0, wire[0]);
    assertEquals(258, ((wire[1] & 0xff) << 24) | ((wire[2] & 0xff) << 16) | ((wire[3] & 0xff) << 8) | (wire[4] & 0xff));
    GenericRecord r = decode(BUILT_IN, wire);
    assertEquals("k-00007", r.get("key").toString());
    assertEquals(60_000L, r.get("window_start"));
    assertEquals(120_000L, r.get("window_end"));
    assertEquals(2L, r.get("count"));
    assertEquals(7.5, r.get("sum"));
    assertEquals(3.75, r.get("avg"));
    assertEquals(4.5, r.get("max"));
  }

  @Test
  void fillsExtraFieldsWithTheirDefaults() throws Exception {
    Schema extended = SchemaBuilder.record("Agg").fields()
        .requiredString("key").requiredLong("window_start").requiredLong("window_end").requiredLong("count")
        .requiredDouble("sum").requiredDouble("avg").requiredDouble("max")
        .name("producer").type().stringType().stringDefault("kafka-streams")
        .endRecord();
    GenericRecord r = decode(extended, new AggregateEncoder(extended, 1).encode("k", 0L, 60_000L,
        WindowAggregate.EMPTY.add(1.0)));
    assertEquals("kafka-streams", r.get("producer").toString());
  }

  @Test
  void refusesSchemasThatCannotCarryTheContract() {
    Schema missingMax = SchemaBuilder.record("Agg").fields()
        .requiredString("key").requiredLong("window_start").requiredLong("window_end").requiredLong("count")
        .requiredDouble("sum").requiredDouble("avg").endRecord();
    Schema extraWithoutDefault = SchemaBuilder.record("Agg").fields()
        .requiredString("key").requiredLong("window_start").requiredLong("window_end").requiredLong("count")
        .requiredDouble("sum").requiredDouble("avg").requiredDouble("max").requiredInt("shard").endRecord();
    assertThrows(IllegalArgumentException.class, () -> new AggregateEncoder(missingMax, 1));
    assertThrows(IllegalArgumentException.class, () -> new AggregateEncoder(extraWithoutDefault, 1));
  }
}
