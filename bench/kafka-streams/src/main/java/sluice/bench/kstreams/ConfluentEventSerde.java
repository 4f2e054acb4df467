package sluice.bench.kstreams;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Serde of the input values in Confluent wire format (magic 0, big-endian schema id, Avro binary), decoded
 * with Apache Avro's {@link GenericDatumReader} and the writer schema fetched by id (cached per id).
 *
 * <p>The deserializer never throws: a record that does not decode becomes an {@link DecodedEvent#undecodable}
 * so the topology can route it to the dead-letter topic, instead of Kafka Streams' deserialization handler
 * failing or silently skipping it. Serializing gives back the original bytes, which is exactly the
 * dead-letter payload the contract asks for.
 *
 * <p>Kafka Streams deserializes before it calls the {@link EventTimeExtractor}, so every record is decoded
 * once and the extractor reads {@code ts} from the result.
 *
 * <pre>{@code
 * Serde<DecodedEvent> serde = new ConfluentEventSerde(new SchemaRegistry(url));
 * builder.stream("bench.events", Consumed.with(Serdes.String(), serde));
 * }</pre>
 */
public final class ConfluentEventSerde implements Serde<DecodedEvent> {
  private final SchemaRegistry registry;
  // One stream thread by contract; the per-id readers and the decoder are still kept per thread to stay safe.
  private final ThreadLocal<Map<Integer, WriterReader>> readers = ThreadLocal.withInitial(HashMap::new);
  private final ThreadLocal<BinaryDecoder> decoders = new ThreadLocal<>();

  /**
   * <pre>{@code
   * new ConfluentEventSerde(new SchemaRegistry(options.registry()));
   * }</pre>
   */
  public ConfluentEventSerde(SchemaRegistry registry) {
    this.registry = registry;
  }

  /** The reader for one writer schema, with the positions of the two fields the topology needs. */
  private record WriterReader(GenericDatumReader<GenericRecord> reader, int tsPos, int valuePos) {}

  @Override
  public Serializer<DecodedEvent> serializer() {
    return (topic, event) -> event == null ? null : event.raw();
  }

  @Override
  public Deserializer<DecodedEvent> deserializer() {
    return (topic, bytes) -> bytes == null ? null : decode(bytes);
  }

  /**
   * Decodes one wire-format value; never throws.
   *
   * <pre>{@code
   * DecodedEvent e = serde.decode(record.value());
   * }</pre>
   */
  public DecodedEvent decode(byte[] bytes) {
    if (bytes.length < 5) {
      return DecodedEvent.undecodable(bytes, "shorter than the 5-byte wire-format header");
    }
    if (bytes[0] != 0) {
      return DecodedEvent.undecodable(bytes, "magic byte " + bytes[0] + ", expected 0");
    }
    int id = ((bytes[1] & 0xff) << 24) | ((bytes[2] & 0xff) << 16) | ((bytes[3] & 0xff) << 8) | (bytes[4] & 0xff);
    WriterReader wr;
    try {
      wr = readers.get().computeIfAbsent(id, this::readerFor);
    } catch (RuntimeException e) {
      return DecodedEvent.undecodable(bytes, "schema id " + id + ": " + e.getMessage());
    }
    if (wr.tsPos < 0) {
      return DecodedEvent.undecodable(bytes, "schema id " + id + " has no long field ts");
    }
    try {
      BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, 5, bytes.length - 5, decoders.get());
      decoders.set(decoder);
      GenericRecord record = wr.reader.read(null, decoder);
      long ts = (Long) record.get(wr.tsPos);
      double value = wr.valuePos >= 0 ? (Double) record.get(wr.valuePos) : Double.NaN;
      return DecodedEvent.decoded(bytes, ts, value);
    } catch (IOException | RuntimeException e) {
      return DecodedEvent.undecodable(bytes, "Avro: " + e);
    }
  }

  private WriterReader readerFor(int id) {
    Schema writer = registry.schemaById(id);
    return new WriterReader(new GenericDatumReader<>(writer), position(writer, "ts", Schema.Type.LONG),
        position(writer, "value", Schema.Type.DOUBLE));
  }

  private static int position(Schema schema, String name, Schema.Type type) {
    if (schema.getType() != Schema.Type.RECORD) {
      return -1;
    }
    Schema.Field field = schema.getField(name);
    return field != null && field.schema().getType() == type ? field.pos() : -1;
  }
}
