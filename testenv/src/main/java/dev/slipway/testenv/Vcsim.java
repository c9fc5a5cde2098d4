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
  private volatile String password;
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
    launch(listen, inventoryFlags);
  }

  private void launch(String listen, List<String> flags) {
    Path log = bed.logDir().resolve("vcsim-" + System.nanoTime() + ".log");
    List<String> argv = new ArrayList<>();
    argv.add(bed.bin("vcsim").toString());
    argv.addAll(List.of("-l", listen, "-password", password, "-cert-dir", bed.logDir().toString()));
    argv.addAll(flags);
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
    addFault(method, "*", fault, message, maxCount);
  }

  /** As {@link #addFault(String, String, String, int)}, for the object so named only. */
  public void addFault(
      String method, String objectName, String fault, String message, int maxCount) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("method", method);
    rule.put("objectName", objectName);
    rule.put("fault", fault);
    rule.put("message", message);
    rule.put("maxCount", maxCount);
    control("POST", "/faults", rule, 201);
  }

  public void clearFaults() {
    control("DELETE", "/faults", null, 204);
  }

  /**
   * Delays SOAP methods ({@code CloneVM_Task}: the call answers later) or task completion ({@code
   * CloneVm}, {@code PowerOn}, {@code ReconfigVm}, {@code Destroy}: the task runs that much longer)
   * by milliseconds; an empty map removes all delays. A delayed task's object stays readable
   * meanwhile ({@code LockHandoff} 0 unless the map sets it).
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

  /** What the fault rules did so far ({@code GET /faults}: rules, matches and injected faults). */
  public JsonNode faultStats() {
    try {
      HttpResponse<String> r =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(controlUrl.resolve("/faults")).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new TestBedException("vcsim control endpoint unreachable: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted", e);
    }
  }

  /**
   * Runs the test bed's govc against this simulator as its administrator and returns the output; a
   * non-zero exit is a {@link TestBedException} with that output.
   */
  public String govc(String... args) {
    List<String> argv = new ArrayList<>();
    argv.add(bed.bin("govc").toString());
    argv.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true);
    pb.environment().put("GOVC_URL", sdkUrl.toString());
    pb.environment().put("GOVC_USERNAME", username);
    pb.environment().put("GOVC_PASSWORD", password);
    pb.environment().put("GOVC_TLS_CA_CERTS", certFile.toString());
    pb.environment().put("GOVC_PERSIST_SESSION", "false");
    try {
      Process proc = pb.start();
      String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!proc.waitFor(120, TimeUnit.SECONDS) || proc.exitValue() != 0) {
        proc.destroyForcibly();
        throw new TestBedException("govc " + String.join(" ", args) + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new TestBedException("cannot run govc: " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TestBedException("interrupted", e);
    }
  }

  /**
   * Saves the whole vim25 inventory ({@code govc object.save}) into {@code dir}: what a restart
   * with {@link #startFrom} brings back. The REST side (content libraries, tags) is not in it. Nor
   * are tasks in flight: vcsim would load one as running and never end it, where a restarted
   * vCenter runs none of the tasks its predecessor had started (a client asking for one gets
   * ManagedObjectNotFound). Returns how many were left out.
   */
  public int saveInventory(Path dir) {
    govc("object.save", "-f", "-d", dir.toString());
    int left = 0;
    try (var files = Files.list(dir)) {
      for (Path f : files.filter(f -> f.getFileName().toString().contains("-Task-")).toList()) {
        String xml = Files.readString(f);
        if (xml.contains("<state>running</state>") || xml.contains("<state>queued</state>")) {
          Files.delete(f);
          left++;
        }
      }
    } catch (IOException e) {
      throw new TestBedException("cannot read the saved inventory in " + dir + ": " + e, e);
    }
    return left;
  }

  /**
   * Kills the simulator (SIGKILL, as a crash or a power cut): every session and every task in
   * flight is lost; its datastore directories stay on disk, as a real datastore would.
   */
  public void kill() {
    Process p = process.process();
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    process.close();
  }

  /**
   * Starts the simulator again on the same port from the inventory {@link #saveInventory} saved,
   * with {@code newPassword} (the administrator's password after a rotation) or the old one when
   * null.
   */
  public void startFrom(Path inventory, String newPassword) {
    if (newPassword != null) {
      password = newPassword;
    }
    TestBedException last = null;
    for (int i = 0; i < 20; i++) {
      try {
        launch(sdkUrl.getHost() + ":" + sdkUrl.getPort(), List.of("-load", inventory.toString()));
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
