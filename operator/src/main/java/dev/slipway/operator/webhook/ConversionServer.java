package dev.slipway.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.operator.bootstrap.CertKey;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ConversionResponse;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ConversionReview;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.file.FileSystemOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.KeyCertOptions;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS endpoint {@value WebhookSettings#PATH}: a ConversionReview (apiextensions.k8s.io/v1)
 * in, the same review with the converted objects out. The serving certificate can be swapped while
 * it runs ({@link #use}); new connections get the new one.
 *
 * <p>Served by Vert.x (on the classpath already: fabric8's Vert.x HTTP client brings it), with
 * kept-alive connections and HTTP/2, which the API server's client prefers. The API server converts
 * every object of a non-stored version it reads from etcd one review at a time: a cluster's writes
 * (two reviews each, one per cache of v1alpha1 and v1alpha2) and its cache consistency checks (a
 * list of every cluster from etcd, per version, every 5 to 7.5 minutes). With a connection per
 * review each of those was a TLS handshake (docs/performance.md, 36).
 */
final class ConversionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConversionServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Conversion reviews are small (one object, or a list page): refuse anything huge. */
  static final int MAX_BODY = 32 * 1024 * 1024;

  /**
   * How long a connection may stay idle before this server closes it: longer than the API server
   * client's 90 s, so that the client, not this server, closes an idle connection (a close by the
   * server can cross a review the client has just sent on it, which fails that conversion).
   */
  static final Duration IDLE_TIMEOUT = Duration.ofMinutes(10);

  private final Vertx vertx;
  private final HttpServer server;
  private final SwappableKeyManager keys = new SwappableKeyManager();
  private final AtomicLong connections = new AtomicLong();

  ConversionServer(String host, int port, CertKey serving) throws IOException {
    keys.use(serving);
    vertx =
        Vertx.vertx(
            new VertxOptions()
                .setEventLoopPoolSize(1)
                .setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1)
                .setPreferNativeTransport(false)
                // No files are served: no cache directory, no class-path look-ups.
                .setFileSystemOptions(
                    new FileSystemOptions()
                        .setFileCachingEnabled(false)
                        .setClassPathResolvingEnabled(false)));
    HttpServerOptions options =
        new HttpServerOptions()
            .setSsl(true)
            .setKeyCertOptions(KeyCertOptions.wrap(keys))
            .setUseAlpn(true)
            .setAlpnVersions(List.of(HttpVersion.HTTP_2, HttpVersion.HTTP_1_1))
            .setTcpNoDelay(true)
            .setIdleTimeout((int) IDLE_TIMEOUT.toSeconds())
            .setIdleTimeoutUnit(TimeUnit.SECONDS)
            .setAcceptBacklog(64);
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(c -> connections.incrementAndGet())
            .requestHandler(this::handle);
    try {
      server.listen(port, host).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      close();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IOException(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      close();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting to listen", e);
    }
  }

  int port() {
    return server.actualPort();
  }

  /** The connections accepted so far (each a TLS handshake). */
  long connections() {
    return connections.get();
  }

  /** Serves {@code serving} from the next TLS handshake on. */
  void use(CertKey serving) {
    keys.use(serving);
  }

  private void handle(HttpServerRequest req) {
    HttpServerResponse res = req.response();
    if (!WebhookSettings.PATH.equals(req.path())) {
      send(req, 404, "not found");
      return;
    }
    if (req.method() != HttpMethod.POST) {
      res.putHeader("Allow", "POST");
      send(req, 405, "");
      return;
    }
    String length = req.getHeader("Content-Length");
    if (length != null && tooLong(length)) {
      send(req, 413, "");
      return;
    }
    Buffer body = Buffer.buffer();
    req.handler(
        chunk -> {
          if (res.ended()) {
            return;
          }
          if (body.length() + chunk.length() > MAX_BODY) {
            send(req, 413, "");
            return;
          }
          body.appendBuffer(chunk);
        });
    req.exceptionHandler(e -> LOG.debug("conversion review not read: {}", e.toString()));
    req.endHandler(
        v -> {
          if (!res.ended()) {
            answer(req, body.getBytes());
          }
        });
  }

  private static boolean tooLong(String length) {
    try {
      return Long.parseLong(length.trim()) > MAX_BODY;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static void answer(HttpServerRequest req, byte[] body) {
    ConversionReview review;
    try {
      review = JSON.readValue(body, ConversionReview.class);
    } catch (IOException e) {
      send(req, 400, "not a ConversionReview: " + e.getMessage());
      return;
    }
    if (review.getRequest() == null) {
      send(req, 400, "ConversionReview without request");
      return;
    }
    byte[] out;
    try {
      out = JSON.writeValueAsBytes(respond(review));
    } catch (IOException e) {
      send(req, 500, "cannot write the review: " + e.getMessage());
      return;
    }
    send(req, 200, out);
  }

  /** The review with its response: every object converted, or a Failure naming the problem. */
  static ConversionReview respond(ConversionReview review) {
    var req = review.getRequest();
    ConversionResponse resp = new ConversionResponse();
    resp.setUid(req.getUid());
    try {
      List<Object> out = new ArrayList<>();
      for (Object o : req.getObjects()) {
        ObjectNode in = JSON.valueToTree(o);
        out.add(TkcConversion.convert(in, req.getDesiredAPIVersion()));
      }
      resp.setConvertedObjects(out);
      resp.setResult(new StatusBuilder().withStatus("Success").build());
    } catch (RuntimeException e) {
      LOG.warn("conversion to {} failed: {}", req.getDesiredAPIVersion(), e.toString());
      resp.setConvertedObjects(List.of());
      resp.setResult(
          new StatusBuilder()
              .withStatus("Failure")
              .withMessage("slipway conversion webhook: " + e.getMessage())
              .build());
    }
    ConversionReview answer = new ConversionReview();
    answer.setApiVersion(review.getApiVersion());
    answer.setKind(review.getKind());
    answer.setResponse(resp);
    return answer;
  }

  /** Answers {@code req} with {@code text} (plain text: an error). */
  private static void send(HttpServerRequest req, int code, String text) {
    send(req, code, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Answers {@code req}. A refused request on an HTTP/1.1 connection closes it (its unread body
   * would otherwise be taken for the next request); HTTP/2 ends just the stream.
   */
  private static void send(HttpServerRequest req, int code, byte[] body) {
    HttpServerResponse res = req.response();
    res.setStatusCode(code)
        .putHeader("Content-Type", code == 200 ? "application/json" : "text/plain");
    boolean http1 = req.version() != HttpVersion.HTTP_2;
    if (code >= 400 && http1) {
      res.putHeader("Connection", "close");
      res.end(Buffer.buffer(body)).onComplete(done -> req.connection().close());
      return;
    }
    res.end(Buffer.buffer(body));
  }

  @Override
  public void close() {
    try {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      LOG.debug("conversion webhook server not closed cleanly: {}", e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One key and certificate, replaced atomically. */
  static final class SwappableKeyManager extends X509ExtendedKeyManager {
    private static final String ALIAS = "serving";

    private record Current(PrivateKey key, X509Certificate[] chain) {}

    private volatile Current current;

    void use(CertKey serving) {
      current = new Current(serving.key(), new X509Certificate[] {serving.cert()});
    }

    X509Certificate certificate() {
      return current.chain()[0];
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      return alias(keyType);
    }

    private String alias(String keyType) {
      return current.key().getAlgorithm().equals(keyType) ? ALIAS : null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return current.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return current.key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return new String[0];
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
