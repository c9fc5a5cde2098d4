package dev.slipway.operator.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.operator.bootstrap.CertKey;
import dev.slipway.operator.bootstrap.ServingCertificates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The webhook's HTTPS server on loopback, with the JDK's client: reviews over HTTP/2 and HTTP/1.1
 * on one kept-alive connection each, and what it refuses.
 */
class ConversionServerTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static ConversionServer server;
  static SSLContext trusting;
  static CertKey servingCertificate;

  @BeforeAll
  static void start() throws Exception {
    Instant now = Instant.now();
    CertKey ca = ServingCertificates.newCa("conversion-server-test-ca", now);
    CertKey serving =
        ServingCertificates.issueServer(
            ServingCertificates.newKey(ServingCertificates.Key.P256),
            ca,
            "127.0.0.1",
            List.of("localhost"),
            List.of("127.0.0.1"),
            now,
            Duration.ofHours(1));
    servingCertificate = serving;
    server = new ConversionServer("127.0.0.1", 0, serving);
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    trust.setCertificateEntry("ca", ca.cert());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
    tmf.init(trust);
    trusting = SSLContext.getInstance("TLS");
    trusting.init(null, tmf.getTrustManagers(), null);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static HttpClient client(HttpClient.Version version) {
    return HttpClient.newBuilder().version(version).sslContext(trusting).build();
  }

  URI uri(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  static String review(String uid) {
    return """
        {"apiVersion":"apiextensions.k8s.io/v1","kind":"ConversionReview",
         "request":{"uid":"%s","desiredAPIVersion":"run.tanzu.vmware.com/v1alpha3","objects":[
          {"apiVersion":"run.tanzu.vmware.com/v1alpha3","kind":"TanzuKubernetesCluster",
           "metadata":{"name":"c1","namespace":"ns"},"spec":{}}]}}
        """
        .formatted(uid);
  }

  HttpResponse<String> post(HttpClient c, String path, String body) throws Exception {
    return c.send(
        HttpRequest.newBuilder(uri(path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersManyReviewsOverHttp2OnOneConnection() throws Exception {
    assertManyReviewsOnOneConnection(HttpClient.Version.HTTP_2);
  }

  @Test
  void answersManyReviewsOverHttp11OnOneKeptAliveConnection() throws Exception {
    assertManyReviewsOnOneConnection(HttpClient.Version.HTTP_1_1);
  }

  void assertManyReviewsOnOneConnection(HttpClient.Version version) throws Exception {
    HttpClient c = client(version);
    long before = server.connections();
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> r = post(c, WebhookSettings.PATH, review("uid-" + i));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.version()).isEqualTo(version);
      assertThat(r.headers().firstValue("connection")).isNotEqualTo(java.util.Optional.of("close"));
      JsonNode answer = JSON.readTree(r.body());
      assertThat(answer.at("/response/uid").asText()).isEqualTo("uid-" + i);
      assertThat(answer.at("/response/result/status").asText()).isEqualTo("Success");
      assertThat(answer.at("/response/convertedObjects/0/metadata/name").asText()).isEqualTo("c1");
    }
    assertThat(server.connections() - before).isEqualTo(1);
  }

  @Test
  void aPortInUseIsAnIoErrorSayingSo() {
    assertThatThrownBy(
            () -> new ConversionServer("127.0.0.1", server.port(), servingCertificate).close())
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("in use");
  }

  @Test
  void refusesWhatIsNotAReview() throws Exception {
    HttpClient c = client(HttpClient.Version.HTTP_1_1);
    HttpResponse<String> get =
        c.send(
            HttpRequest.newBuilder(uri(WebhookSettings.PATH)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("allow")).contains("POST");
    assertThat(post(c, "/elsewhere", review("x")).statusCode()).isEqualTo(404);
    HttpResponse<String> garbage = post(c, WebhookSettings.PATH, "{not json");
    assertThat(garbage.statusCode()).isEqualTo(400);
    assertThat(garbage.body()).startsWith("not a ConversionReview");
    HttpResponse<String> empty = post(c, WebhookSettings.PATH, "{\"kind\":\"ConversionReview\"}");
    assertThat(empty.statusCode()).isEqualTo(400);
    assertThat(empty.body()).isEqualTo("ConversionReview without request");
  }

  @Test
  void refusesABodyOverTheLimitOnEitherProtocol() throws Exception {
    String huge = "x".repeat(ConversionServer.MAX_BODY + 1);
    for (HttpClient.Version v : HttpClient.Version.values()) {
      HttpResponse<String> r;
      try {
        r = post(client(v), WebhookSettings.PATH, huge);
      } catch (java.io.IOException e) {
        // The server may answer and close before the whole body is sent; the client then sees
        // the connection go. Either way nothing was converted; a fresh connection still works.
        assertThat(post(client(v), WebhookSettings.PATH, review("after")).statusCode())
            .isEqualTo(200);
        continue;
      }
      assertThat(r.statusCode()).as("%s", v).isEqualTo(413);
    }
  }
}
