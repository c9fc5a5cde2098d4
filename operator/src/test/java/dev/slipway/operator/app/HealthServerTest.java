package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthServerTest {
  private final AtomicReference<List<HealthServer.Check>> checks = new AtomicReference<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private HealthServer server;

  @BeforeEach
  void start() {
    server =
        new HealthServer(
            0, checks::get, () -> "# TYPE up gauge\nup 1\n", OperatorProcess.METRICS_CONTENT_TYPE);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void healthzAnswersWhileTheProcessLives() throws Exception {
    checks.set(List.of(new HealthServer.Check("vcenter", "down")));

    HttpResponse<String> r = send("GET", "/healthz");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).isEqualTo("ok\n");
  }

  @Test
  void readyzListsEveryCheckAndFailsOnAny() throws Exception {
    checks.set(
        List.of(
            new HealthServer.Check("operator", null),
            new HealthServer.Check("vcenter", "TRANSIENT: connection refused")));

    HttpResponse<String> r = send("GET", "/readyz");

    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.body())
        .isEqualTo("[+]operator ok\n[-]vcenter failed: TRANSIENT: connection refused\nnot ready\n");

    checks.set(List.of(new HealthServer.Check("operator", null)));
    HttpResponse<String> ok = send("GET", "/readyz");
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(ok.body()).isEqualTo("[+]operator ok\nready\n");
  }

  @Test
  void metricsArePrometheusText() throws Exception {
    HttpResponse<String> r = send("GET", "/metrics");

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type"))
        .contains("text/plain; version=0.0.4; charset=utf-8");
    assertThat(r.body()).isEqualTo("# TYPE up gauge\nup 1\n");
  }

  @Test
  void otherPathsAndMethodsAreRefused() throws Exception {
    assertThat(send("GET", "/").statusCode()).isEqualTo(404);
    assertThat(send("GET", "/healthz/extra").statusCode()).isEqualTo(404);
    assertThat(send("POST", "/readyz").statusCode()).isEqualTo(405);
    assertThat(send("HEAD", "/healthz").statusCode()).isEqualTo(200);
  }

  @Test
  void aFailingHandlerAnswers500AndTheServerGoesOn() throws Exception {
    checks.set(null);

    assertThat(send("GET", "/readyz").statusCode()).isEqualTo(500);
    assertThat(send("GET", "/healthz").statusCode()).isEqualTo(200);
  }
}
