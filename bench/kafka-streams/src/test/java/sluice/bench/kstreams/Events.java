package sluice.bench.kstreams;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;

/** Wire-format bench events for the tests. */
final class Events {
  private Events() {}

  static byte[] event(int schemaId, String key, long ts, double value) {
    Schema schema = StubRegistry.EVENT;
    GenericRecord e = new GenericData.Record(schema);
    e.put("key", key);
    e.put("ts", ts);
    e.put("value", value);
    e.put("seq", 1L);
    e.put("site", "s");
    e.put("unit", "u");
    e.put("quality", 1);
    e.put("lat", 0.0);
    e.put("lon", 0.0);
    e.put("note", "n");
    return wire(schemaId, schema, e);
  }

  static byte[] wire(int schemaId, Schema schema, GenericRecord record) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.write(new byte[] {0, (byte) (schemaId >>> 24), (byte) (schemaId >>> 16), (byte) (schemaId >>> 8),
          (byte) schemaId});
      BinaryEncoder enc = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(schema).write(record, enc);
      enc.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
