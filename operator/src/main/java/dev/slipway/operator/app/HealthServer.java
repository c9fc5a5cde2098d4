package dev.slipway.operator.app;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /healthz}, {@code /readyz} and {@code /metrics} on one port (the JDK's HTTP server: no
 * framework for three paths).
 *
 * <ul>
 *   <li>{@code /healthz}: 200 while the process can answer at all (liveness; a restart fixes
 *       nothing else);
 *   <li>{@code /readyz}: 200 when every readiness check passes, else 503; the body lists each
 *       check, {@code [+]name ok} or {@code [-]name failed: why};
 *   <li>{@code /metrics}: Prometheus text format.
 * </ul>
 */
final class HealthServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthServer.class);

  /** One readiness check; {@code problem} is null when it passes. */
  record Check(String name, String problem) {
    boolean ok() {
      return problem == null;
    }
  }

  private final HttpServer server;
  private final ExecutorService executor;

  HealthServer(
      int port, Supplier<List<Check>> readiness, Supplier<String> metrics, String metricsType) {
    try {
      server = HttpServer.create(new InetSocketAddress(port), 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on port " + port + ": " + e.getMessage(), e);
    }
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "health-http");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/healthz", ex -> serve(ex, "/healthz", () -> text(200, "ok\n")));
    server.createContext("/readyz", ex -> serve(ex, "/readyz", () -> ready(readiness.get())));
    server.createContext(
        "/metrics", ex -> serve(ex, "/metrics", () -> new Reply(200, metricsType, metrics.get())));
    server.createContext("/", ex -> serve(ex, null, () -> text(404, "not found\n")));
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private record Reply(int status, String contentType, String body) {}

  private static Reply text(int status, String body) {
    return new Reply(status, "text/plain; charset=utf-8", body);
  }

  static Reply ready(List<Check> checks) {
    StringBuilder b = new StringBuilder();
    boolean ok = true;
    for (Check c : checks) {
      ok &= c.ok();
      b.append(c.ok() ? "[+]" + c.name() + " ok" : "[-]" + c.name() + " failed: " + c.problem())
          .append('\n');
    }
    b.append(ok ? "ready\n" : "not ready\n");
    return text(ok ? 200 : 503, b.toString());
  }

  private static void serve(HttpExchange ex, String path, Supplier<Reply> handler)
      throws IOException {
    try (ex) {
      Reply reply;
      String method = ex.getRequestMethod();
      if (path != null && !ex.getRequestURI().getPath().equals(path)) {
        reply = text(404, "not found\n");
      } else if (!method.equals("GET") && !method.equals("HEAD")) {
        reply = text(405, "GET only\n");
      } else {
        try {
          reply = handler.get();
        } catch (RuntimeException e) {
          LOG.warn("{} failed", path, e);
          reply = text(500, "error: " + e + "\n");
        }
      }
      byte[] body = reply.body().getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", reply.contentType());
      if (method.equals("HEAD")) {
        ex.sendResponseHeaders(reply.status(), -1);
        return;
      }
      ex.sendResponseHeaders(reply.status(), body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Stops at once: by now the process is going away and no probe needs an answer. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
