package sluice.bench.kstreams;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import sun.misc.Signal;

/**
 * Entry point of the Kafka Streams contender: resolves the output schema, makes sure the output and
 * dead-letter topics exist, runs {@link BenchTopology} with exactly-once v2 until SIGTERM/SIGINT, prints
 * {@code READY} on stdout once RUNNING, and exits 0 after a clean {@code close()}.
 *
 * <p>Exit codes: 0 clean stop; 1 the streams client failed; 2 bad command line or set-up; 3 close timed out.
 *
 * <pre>{@code
 * java -Xmx512m -XX:+UseParallelGC -jar target/sluice-bench-kafka-streams.jar \
 *     --input bench.events --application-id bench-ks-1 --output-schema-id 12
 * }</pre>
 */
public final class BenchKafkaStreams {
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private BenchKafkaStreams() {}

  /**
   * Runs the contender; see {@link Options#USAGE}.
   *
   * <pre>{@code
   * BenchKafkaStreams.main(new String[] {"--input", "bench.events"});
   * }</pre>
   */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    Path stateDir = Files.createTempDirectory("sluice-bench-kstreams-");
    int code;
    try {
      code = run(options, stateDir);
    } catch (RuntimeException | ExecutionException e) {
      System.err.println("kafka-streams contender: " + e.getMessage());
      code = 2;
    } finally {
      deleteRecursively(stateDir);
    }
    System.exit(code);
  }

  private static int run(Options options, Path stateDir) throws ExecutionException, InterruptedException {
    SchemaRegistry registry = new SchemaRegistry(options.registry());
    int schemaId;
    Schema outputSchema;
    if (options.outputSchemaId().isPresent()) {
      schemaId = options.outputSchemaId().getAsInt();
      outputSchema = registry.schemaById(schemaId);
    } else {
      outputSchema = new Schema.Parser().parse(resource("/bench-aggregate.avsc"));
      schemaId = registry.register(options.outputSubject(), outputSchema);
    }
    AggregateEncoder encoder = new AggregateEncoder(outputSchema, schemaId);
    ensureTopics(options);

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, options.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTimeExtractor.class);
    // Everything else (record cache 10 MB, max.poll.records, linger, RocksDB) stays at Kafka Streams' defaults.

    KafkaStreams streams = new KafkaStreams(
        BenchTopology.build(options.input(), options.output(), options.dlq(),
            new ConfluentEventSerde(registry), encoder),
        props);
    CountDownLatch stop = new CountDownLatch(1);
    AtomicBoolean failed = new AtomicBoolean(false);
    AtomicBoolean ready = new AtomicBoolean(false);
    streams.setStateListener((now, before) -> {
      if (now == KafkaStreams.State.RUNNING && ready.compareAndSet(false, true)) {
        System.out.println("READY");
        System.out.flush();
      } else if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.PENDING_ERROR) {
        failed.set(true);
        stop.countDown();
      }
    });
    streams.setUncaughtExceptionHandler(e -> {
      System.err.println("kafka-streams contender: stream thread failed: " + e);
      failed.set(true);
      stop.countDown();
      return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    // Handling the signals ourselves (rather than a shutdown hook) lets the JVM exit 0 after a clean close.
    Signal.handle(new Signal("TERM"), signal -> stop.countDown());
    Signal.handle(new Signal("INT"), signal -> stop.countDown());

    // No cleanUp(): the state dir is a fresh temp dir, deleted again on exit.
    streams.start();
    stop.await();
    boolean closed = streams.close(CLOSE_TIMEOUT);
    if (failed.get()) {
      return 1;
    }
    if (!closed) {
      System.err.println("kafka-streams contender: close() did not finish within " + CLOSE_TIMEOUT);
      return 3;
    }
    return 0;
  }

  /** Output (compacted) and dead-letter (unlimited retention) topics with the input's partition count, when missing. */
  private static void ensureTopics(Options options) throws ExecutionException, InterruptedException {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrap()))) {
      int partitions = admin.describeTopics(List.of(options.input())).allTopicNames().get()
          .get(options.input()).partitions().size();
      NewTopic table = new NewTopic(options.output(), partitions, (short) -1)
          .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
      // Records keep their event time as timestamp; no time-based retention, or a workload whose event
      // times lie further back than the broker's retention.ms would lose rejects before validation.
      NewTopic dlq = new NewTopic(options.dlq(), partitions, (short) -1)
          .configs(Map.of(TopicConfig.RETENTION_MS_CONFIG, "-1"));
      for (var result : admin.createTopics(List.of(table, dlq)).values().values()) {
        try {
          result.get();
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw e;
          }
        }
      }
    }
  }

  private static String resource(String name) {
    try (InputStream in = BenchKafkaStreams.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("resource " + name + " missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("kafka-streams contender: could not delete state dir " + dir + ": " + e);
    }
  }
}
