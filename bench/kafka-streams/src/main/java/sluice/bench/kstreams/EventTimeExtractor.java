package sluice.bench.kstreams;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Event time from the Avro field {@code ts}, read from the value the source already decoded (Kafka Streams
 * runs the value deserializer before the extractor), so nothing is decoded twice.
 *
 * <p>An undecodable record has no event time; it gets its broker timestamp (or the partition time) so Kafka
 * Streams does not drop it for a negative timestamp before the topology routes it to the dead-letter topic.
 *
 * <pre>{@code
 * props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
 * }</pre>
 */
public final class EventTimeExtractor implements TimestampExtractor {
  @Override
  public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
    if (record.value() instanceof DecodedEvent event && event.isDecoded()) {
      return event.ts();
    }
    return record.timestamp() >= 0 ? record.timestamp() : Math.max(partitionTime, 0L);
  }
}
