package sluice.bench.kstreams;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.avro.Schema;

/**
 * Minimal client of the Confluent registry API (Apicurio's ccompat): schemas by id, cached per id, and
 * registration. Stands in for Confluent's client, which is not on Maven Central.
 *
 * <pre>{@code
 * SchemaRegistry registry = new SchemaRegistry("http://127.0.0.1:8081/apis/ccompat/v7");
 * Schema writer = registry.schemaById(1);
 * }</pre>
 */
public final class SchemaRegistry {
  private static final String CONTENT_TYPE = "application/vnd.schemaregistry.v1+json";
  private final String baseUrl;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final ConcurrentHashMap<Integer, Schema> byId = new ConcurrentHashMap<>();

  /**
   * @param baseUrl the API root, e.g. {@code http://127.0.0.1:8081/apis/ccompat/v7}, without a trailing slash
   *
   * <pre>{@code
   * new SchemaRegistry(options.registry());
   * }</pre>
   */
  public SchemaRegistry(String baseUrl) {
    this.baseUrl = baseUrl;
  }

  /**
   * The schema registered under {@code id}; fetched once, then served from the cache.
   *
   * <pre>{@code
   * Schema writer = registry.schemaById(id);
   * }</pre>
   */
  public Schema schemaById(int id) {
    return byId.computeIfAbsent(id, this::fetch);
  }

  /**
   * Registers {@code schema} under {@code subject} (idempotent on the registry side) and returns its id.
   *
   * <pre>{@code
   * int id = registry.register("bench.kafka-streams.aggregates-value", schema);
   * }</pre>
   */
  public int register(String subject, Schema schema) {
    try {
      String body = json.writeValueAsString(json.createObjectNode().put("schema", schema.toString()));
      HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/subjects/" + subject + "/versions"))
          .timeout(Duration.ofSeconds(10))
          .header("Content-Type", CONTENT_TYPE)
          .POST(HttpRequest.BodyPublishers.ofString(body))
          .build();
      int id = send(request).path("id").asInt(-1);
      if (id < 0) {
        throw new IllegalStateException("registry gave no id registering subject " + subject);
      }
      byId.putIfAbsent(id, schema);
      return id;
    } catch (IOException e) {
      throw new IllegalStateException("cannot register subject " + subject + " at " + baseUrl + ": " + e, e);
    }
  }

  private Schema fetch(int id) {
    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/schemas/ids/" + id))
        .timeout(Duration.ofSeconds(10))
        .header("Accept", CONTENT_TYPE)
        .GET()
        .build();
    JsonNode schema = send(request).get("schema");
    if (schema == null || !schema.isTextual()) {
      throw new IllegalStateException("registry reply for schema id " + id + " has no schema text");
    }
    return new Schema.Parser().parse(schema.asText());
  }

  private JsonNode send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() / 100 != 2) {
        throw new IllegalStateException(request.method() + " " + request.uri() + " -> HTTP "
            + response.statusCode() + ": " + response.body());
      }
      return json.readTree(response.body());
    } catch (IOException e) {
      throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted calling the registry", e);
    }
  }
}
