package sluice.bench.kstreams;

import java.util.Map;
import java.util.OptionalInt;

/**
 * Command line of the contender; every option has a default so the orchestrator passes only what differs.
 *
 * <p>Endpoints default from {@code KAFKA_BOOTSTRAP_SERVERS} and {@code SCHEMA_REGISTRY_URL} like every
 * other contender (bench/CONTRACT.md).
 *
 * <pre>{@code
 * Options o = Options.parse(new String[] {"--input", "bench.events", "--output-schema-id", "7"}, System.getenv());
 * }</pre>
 */
public record Options(
    String bootstrap,
    String registry,
    String input,
    String output,
    String dlq,
    String applicationId,
    OptionalInt outputSchemaId,
    String outputSubject) {

  static final String USAGE = String.join("\n",
      "usage: java -jar sluice-bench-kafka-streams.jar [options]",
      "  --bootstrap <hosts>        Kafka bootstrap servers (env KAFKA_BOOTSTRAP_SERVERS, default 127.0.0.1:9092)",
      "  --registry <url>           Confluent-compatible registry (env SCHEMA_REGISTRY_URL,",
      "                             default http://127.0.0.1:8081/apis/ccompat/v7)",
      "  --input <topic>            input topic (default bench.events)",
      "  --output <topic>           aggregate table topic (default bench.kafka-streams.aggregates)",
      "  --dlq <topic>              dead-letter topic (default bench.kafka-streams.dlq)",
      "  --application-id <id>      Kafka Streams application.id = consumer group (default bench-kafka-streams)",
      "  --output-schema-id <id>    registry id of the output value schema (already registered)",
      "  --output-subject <name>    without an id: register the built-in schema under this subject",
      "                             (default <output>-value)");

  /**
   * Parses {@code args}; throws {@link IllegalArgumentException} with the usage text on a bad option.
   *
   * <pre>{@code
   * Options o = Options.parse(args, System.getenv());
   * }</pre>
   */
  public static Options parse(String[] args, Map<String, String> env) {
    String bootstrap = env.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092");
    String registry = env.getOrDefault("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7");
    String input = "bench.events";
    String output = "bench.kafka-streams.aggregates";
    String dlq = "bench.kafka-streams.dlq";
    String applicationId = "bench-kafka-streams";
    OptionalInt schemaId = OptionalInt.empty();
    String subject = null;
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (name.equals("--help") || name.equals("-h")) {
        throw new IllegalArgumentException(USAGE);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException("missing value for " + name + "\n" + USAGE);
      }
      String value = args[++i];
      switch (name) {
        case "--bootstrap" -> bootstrap = value;
        case "--registry" -> registry = value;
        case "--input" -> input = value;
        case "--output" -> output = value;
        case "--dlq" -> dlq = value;
        case "--application-id" -> applicationId = value;
        case "--output-schema-id" -> {
          try {
            schemaId = OptionalInt.of(Integer.parseInt(value));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--output-schema-id must be an integer, got " + value);
          }
        }
        case "--output-subject" -> subject = value;
        default -> throw new IllegalArgumentException("unknown option " + name + "\n" + USAGE);
      }
    }
    String registryBase = registry.endsWith("/") ? registry.substring(0, registry.length() - 1) : registry;
    return new Options(bootstrap, registryBase, input, output, dlq, applicationId, schemaId,
        subject != null ? subject : output + "-value");
  }
}
