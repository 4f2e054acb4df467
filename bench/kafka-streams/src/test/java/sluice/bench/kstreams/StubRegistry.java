package sluice.bench.kstreams;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.Schema;

/** A Confluent-API registry on a loopback port, enough for {@link SchemaRegistry}: GET by id, POST a version. */
final class StubRegistry implements AutoCloseable {
  static final Schema EVENT = parse(Path.of("../schemas/bench-event.avsc"));

  final Map<Integer, String> schemas = new ConcurrentHashMap<>();
  final AtomicInteger fetches = new AtomicInteger();
  private final HttpServer server;
  private final AtomicInteger nextId = new AtomicInteger(100);

  StubRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    ObjectMapper json = new ObjectMapper();
    server.createContext("/schemas/ids/", exchange -> {
      fetches.incrementAndGet();
      int id = Integer.parseInt(exchange.getRequestURI().getPath().replaceAll(".*/", ""));
      String schema = schemas.get(id);
      byte[] body = schema == null ? "{\"error_code\":40403}".getBytes(StandardCharsets.UTF_8)
          : json.writeValueAsBytes(Map.of("schema", schema));
      exchange.sendResponseHeaders(schema == null ? 404 : 200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.createContext("/subjects/", exchange -> {
      String schema = json.readTree(exchange.getRequestBody()).get("schema").asText();
      int id = nextId.getAndIncrement();
      schemas.put(id, schema);
      byte[] body = json.writeValueAsBytes(Map.of("id", id));
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
  }

  static Schema parse(Path file) {
    try {
      return new Schema.Parser().parse(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
