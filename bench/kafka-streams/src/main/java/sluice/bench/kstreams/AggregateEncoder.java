package sluice.bench.kstreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.util.Utf8;

/**
 * Writes one aggregate as a Confluent wire-format Avro record (magic 0, schema id, Avro binary) with the
 * output schema the orchestrator registered: the contract's fields {@code key}, {@code window_start},
 * {@code window_end}, {@code count}, {@code sum}, {@code avg}, {@code max}; any extra field takes its
 * schema default. The schema is checked once at start-up so a mismatch fails before any record.
 *
 * <pre>{@code
 * AggregateEncoder enc = new AggregateEncoder(registry.schemaById(id), id);
 * byte[] value = enc.encode("k-00042", 1_700_000_040_000L, 1_700_000_100_000L, agg);
 * }</pre>
 */
public final class AggregateEncoder {
  private final int schemaId;
  private final Schema schema;
  private final GenericDatumWriter<GenericRecord> writer;
  private final int[] pos = new int[7];
  private final List<Schema.Field> defaulted = new ArrayList<>();
  private final ByteArrayOutputStream out = new ByteArrayOutputStream(96);
  private BinaryEncoder encoder;

  /**
   * @throws IllegalArgumentException when the schema lacks a contract field, types it differently, or has
   *     an extra field without a default
   *
   * <pre>{@code
   * new AggregateEncoder(schema, 12);
   * }</pre>
   */
  public AggregateEncoder(Schema schema, int schemaId) {
    this.schema = schema;
    this.schemaId = schemaId;
    this.writer = new GenericDatumWriter<>(schema);
    if (schema.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("output schema " + schemaId + " is not a record");
    }
    String[] names = {"key", "window_start", "window_end", "count", "sum", "avg", "max"};
    Schema.Type[] types = {Schema.Type.STRING, Schema.Type.LONG, Schema.Type.LONG, Schema.Type.LONG,
        Schema.Type.DOUBLE, Schema.Type.DOUBLE, Schema.Type.DOUBLE};
    for (int i = 0; i < names.length; i++) {
      Schema.Field f = schema.getField(names[i]);
      if (f == null || f.schema().getType() != types[i]) {
        throw new IllegalArgumentException("output schema " + schemaId + " needs field " + names[i]
            + " of type " + types[i].getName());
      }
      pos[i] = f.pos();
    }
    for (Schema.Field f : schema.getFields()) {
      if (!List.of(names).contains(f.name())) {
        if (!f.hasDefaultValue()) {
          throw new IllegalArgumentException("output schema " + schemaId + ": extra field " + f.name()
              + " has no default");
        }
        defaulted.add(f);
      }
    }
  }

  /**
   * Encodes one aggregate; called on the stream thread only (the buffer and encoder are reused).
   *
   * <pre>{@code
   * byte[] value = enc.encode(key, start, end, agg);
   * }</pre>
   */
  public byte[] encode(String key, long windowStart, long windowEnd, WindowAggregate agg) {
    GenericData.Record r = new GenericData.Record(schema);
    r.put(pos[0], new Utf8(key));
    r.put(pos[1], windowStart);
    r.put(pos[2], windowEnd);
    r.put(pos[3], agg.count());
    r.put(pos[4], agg.sum());
    r.put(pos[5], agg.avg());
    r.put(pos[6], agg.max());
    for (Schema.Field f : defaulted) {
      r.put(f.pos(), GenericData.get().getDefaultValue(f));
    }
    out.reset();
    out.write(0);
    out.write(schemaId >>> 24);
    out.write(schemaId >>> 16);
    out.write(schemaId >>> 8);
    out.write(schemaId);
    try {
      encoder = EncoderFactory.get().binaryEncoder(out, encoder);
      writer.write(r, encoder);
      encoder.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}
