package dev.slipway.testenv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * govmomi's vCenter simulator (our {@code testenv/vcsim} main) on a free loopback port, with a
 * random password, its certificate in a file, and a control endpoint for faults and latency.
 */
public final class Vcsim implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static Vcsim shared;

  private final TestBed bed;
  private final List<String> inventoryFlags;
  private final String password;
  private ManagedProcess process;
  private URI sdkUrl;
  private String username;
  private Path certFile;
  private String thumbprint;
  private URI controlUrl;

  private Vcsim(TestBed bed, List<String> inventoryFlags) {
    this.bed = bed;
    this.inventoryFlags = List.copyOf(inventoryFlags);
    this.password = "pw-" + UUID.randomUUID();
    launch("127.0.0.1:0");
  }

  /**
   * Starts a simulator of its own with vcsim's inventory flags ({@code -dc}, {@code -cluster},
   * {@code -host}, {@code -vm}, {@code -ds}, {@code -pool}, {@code -folder}, {@code -pg}, {@code
   * -load DIR}, ...); the caller closes it.
   */
  public static Vcsim start(String... inventoryFlags) {
    return new Vcsim(TestBed.get(), List.of(inventoryFlags));
  }

  /** One simulator with the default inventory shared by every test in this JVM. */
  public static synchronized Vcsim shared() {
    if (shared == null) {
      shared = start();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "vcsim-stop"));
    }
    return shared;
  }

  private void launch(String listen) {
    Path log = bed.logDir().resolve("vcsim-" + System.nanoTime() + ".log");
    List<String> argv = new ArrayList<>();
    argv.add(bed.bin("vcsim").toString());
    argv.addAll(List.of("-l", listen, "-password", password, "-cert-dir", bed.logDir().toString()));
    argv.addAll(inventoryFlags);
    process = ManagedProcess.startPiped("vcsim", argv, log);
    JsonNode ready = readReadyLine(log);
    sdkUrl = URI.create(ready.get("url").asText());
    username = ready.get("username").asText();
    certFile = Path.of(ready.get("certFile").asText());
    thumbprint = ready.get("thumbprint").asText();
    controlUrl = URI.create(ready.get("controlUrl").asText());
  }

  private JsonNode readReadyLine(Path log) {
    BufferedReader out =
        new BufferedReader(
            new InputStreamReader(process.process().getInputStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return out.readLine();
              } catch (IOException e) {
                return null;
              }
            });
    try {
      String first = line.get(60, TimeUnit.SECONDS);
      if (first == null) {
        process.close();
        throw new TestBedException(
            "vcsim exited before it was ready: " + lastLines(log) + " (log: " + log + ")");
      }
      JsonNode node = JSON.readTree(first);
      if (!"ready".equals(node.path("event").asText())) {
        throw new TestBedException("vcsim printed an unexpected first line: " + first);
      }
      // Drain further stdout into nowhere so the simulator never blocks on a full pipe.
      Thread drain = new Thread(() -> out.lines().forEach(l -> {}), "vcsim-stdout");
      drain.setDaemon(true);
      drain.start();
      return node;
    } catch (TimeoutException e) {
      process.close();
      throw new TestBedException("vcsim was not ready within 60 s; see " + log, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted while starting vcsim", e);
    } catch (ExecutionException | IOException e) {
      process.close();
      throw new TestBedException("cannot read vcsim's readiness line: " + e.getMessage(), e);
    }
  }

  private static String lastLines(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    } catch (IOException e) {
      return "(log unreadable)";
    }
  }

  /** The SOAP endpoint, {@code https://127.0.0.1:PORT/sdk}. */
  public URI sdkUrl() {
    return sdkUrl;
  }

  /** {@code https://127.0.0.1:PORT}, the base of the REST endpoints. */
  public URI baseUrl() {
    return sdkUrl.resolve("/");
  }

  public String username() {
    return username;
  }

  public String password() {
    return password;
  }

  /** PEM file of the simulator's self-signed server certificate (the CA a client must trust). */
  public Path certFile() {
    return certFile;
  }

  /** A TLS context that trusts exactly the simulator's certificate. */
  public SSLContext sslContext() {
    try (InputStream in = Files.newInputStream(certFile)) {
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      trust.setCertificateEntry(
          "vcsim", CertificateFactory.getInstance("X.509").generateCertificate(in));
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new TestBedException("cannot load vcsim's certificate " + certFile + ": " + e, e);
    }
  }

  /** SHA-256 thumbprint of the server certificate, colon-separated upper-case hex. */
  public String thumbprint() {
    return thumbprint;
  }

  /**
   * Adds a fault rule: every call of {@code method} (a SOAP method name or {@code *}) fails with
   * {@code fault} (Generic, NotAuthenticated, NoPermission, InvalidArgument, ManagedObjectNotFound,
   * InvalidState, ResourceInUse, InsufficientResources, NetworkFailure, Timeout), at most {@code
   * maxCount} times (0 = no limit).
   */
  public void addFault(String method, String fault, String message, int maxCount) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("method", method);
    rule.put("fault", fault);
    rule.put("message", message);
    rule.put("maxCount", maxCount);
    control("POST", "/faults", rule, 201);
  }

  public void clearFaults() {
    control("DELETE", "/faults", null, 204);
  }

  /**
   * Delays SOAP methods ({@code CloneVM_Task}) or task completion ({@code CloneVm}, {@code
   * PowerOn}, ...) by milliseconds; an empty map removes all delays.
   */
  public void setDelays(Map<String, Integer> millisByMethod) {
    control("PUT", "/delays", millisByMethod, 204);
  }

  private void control(String method, String path, Object body, int expected) {
    try {
      HttpRequest.BodyPublisher pub =
          body == null
              ? HttpRequest.BodyPublishers.noBody()
              : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(controlUrl.resolve(path)).method(method, pub).build(),
                  HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != expected) {
        throw new TestBedException(
            "vcsim control " + method + " " + path + " -> " + r.statusCode() + ": " + r.body());
      }
    } catch (IOException e) {
      throw new TestBedException("vcsim control endpoint unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted", e);
    }
  }

  /** Stops the simulator. */
  public void stop() {
    process.close();
  }

  /**
   * Starts the simulator again on the same port: the inventory is rebuilt and every session is
   * lost, as when a vCenter restarts.
   */
  public void restart() {
    stop();
    TestBedException last = null;
    for (int i = 0; i < 20; i++) {
      try {
        launch(sdkUrl.getHost() + ":" + sdkUrl.getPort());
        return;
      } catch (TestBedException e) {
        last = e; // the old listener may linger for a moment
        ControlPlane.sleep(250);
      }
    }
    throw last;
  }

  @Override
  public void close() {
    stop();
  }
}
