package dev.slipway.operator.webhook;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.slipway.operator.bootstrap.CertKey;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ConversionResponse;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ConversionReview;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS endpoint {@value WebhookSettings#PATH}: a ConversionReview (apiextensions.k8s.io/v1)
 * in, the same review with the converted objects out. The serving certificate can be swapped while
 * it runs ({@link #use}); new connections get the new one.
 */
final class ConversionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ConversionServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Conversion reviews are small (one object, or a list page): refuse anything huge. */
  static final int MAX_BODY = 32 * 1024 * 1024;

  private final HttpsServer server;
  private final ExecutorService executor;
  private final SwappableKeyManager keys = new SwappableKeyManager();

  ConversionServer(String host, int port, CertKey serving) throws IOException {
    keys.use(serving);
    server = HttpsServer.create(new InetSocketAddress(host, port), 64);
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keys}, null, null);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
    } catch (GeneralSecurityException e) {
      server.stop(0);
      throw new IllegalStateException("this JVM cannot serve TLS", e);
    }
    server.createContext(WebhookSettings.PATH, this::handle);
    executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "conversion-webhook");
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  /** Serves {@code serving} from the next TLS handshake on. */
  void use(CertKey serving) {
    keys.use(serving);
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      if (!"POST".equals(ex.getRequestMethod())) {
        ex.getResponseHeaders().set("Allow", "POST");
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readNBytes(MAX_BODY + 1);
      }
      if (body.length > MAX_BODY) {
        ex.sendResponseHeaders(413, -1);
        return;
      }
      ConversionReview review;
      try {
        review = JSON.readValue(body, ConversionReview.class);
      } catch (IOException e) {
        send(ex, 400, ("not a ConversionReview: " + e.getMessage()).getBytes());
        return;
      }
      if (review.getRequest() == null) {
        send(ex, 400, "ConversionReview without request".getBytes());
        return;
      }
      send(ex, 200, JSON.writeValueAsBytes(respond(review)));
    }
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

  private static void send(HttpExchange ex, int code, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", code == 200 ? "application/json" : "text/plain");
    // No kept-alive connections: this server closes idle ones after 30 s, the API server's client
    // keeps them longer and may send the next review on one being closed, which fails that
    // conversion (a 500 for a write the API server has already stored). A handshake per review
    // costs less than that. Kept alive with TCP_NODELAY and a 120 s idle interval, the API server's
    // conversions still failed in bursts (docs/performance.md, 35).
    ex.getResponseHeaders().set("Connection", "close");
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
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
