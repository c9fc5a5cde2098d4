package dev.slipway.vsphere.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereConfig;
import dev.slipway.vsphere.VSphereConfig.RestFlavor;
import dev.slipway.vsphere.VSphereException;
import dev.slipway.vsphere.internal.CallCounter;
import dev.slipway.vsphere.internal.Faults;
import dev.slipway.vsphere.internal.LoginGate;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vSphere Automation (vAPI) REST client: one session (created lazily, re-created once on 401),
 * JSON in and out, vAPI errors as typed exceptions. Operation paths are the {@code /rest} ones
 * (relative paths like {@code com/vmware/content/library}); the session is taken from {@code
 * /api/session} when the endpoint has it, else from {@code /rest/com/vmware/cis/session}.
 */
public final class RestClient {

  private static final Logger LOG = LoggerFactory.getLogger(RestClient.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern ID_SEGMENT = Pattern.compile("/id:[^/?]+");
  private static final String SESSION_HEADER = "vmware-api-session-id";

  private final HttpClient http;
  private final VSphereConfig config;
  private final CallCounter counter;
  private final LoginGate gate;
  private final Object loginLock = new Object();
  private volatile String sessionId;
  private volatile String sessionFlavor;

  public RestClient(HttpClient http, VSphereConfig config, CallCounter counter, LoginGate gate) {
    this.http = http;
    this.config = config;
    this.counter = counter;
    this.gate = gate;
  }

  public static ObjectMapper json() {
    return JSON;
  }

  /** Which session endpoint was used: {@code api} or {@code rest} (null before the first call). */
  public String sessionFlavor() {
    return sessionFlavor;
  }

  /** Performs {@code method} on {@code /rest/<path>} and returns {@code value} (or NullNode). */
  public JsonNode call(String method, String path, Object body) {
    return call(method, path, body, config.requestTimeout());
  }

  public JsonNode call(String method, String path, Object body, Duration timeout) {
    String before = ensureSession();
    HttpResponse<String> r = send(method, path, body, timeout, before);
    if (r.statusCode() == 401) {
      synchronized (loginLock) {
        if (Objects.equals(before, sessionId)) {
          LOG.info("REST session lost (HTTP 401); logging in again");
          sessionId = null;
        }
      }
      r = send(method, path, body, timeout, ensureSession());
    }
    return result(method + " " + path, r);
  }

  /** The same call without blocking the caller; re-login on 401 happens on the async chain. */
  public CompletableFuture<JsonNode> callAsync(
      String method, String path, Object body, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> ensureSession(), Runnable::run)
        .thenCompose(
            sid ->
                sendAsync(method, path, body, timeout, sid)
                    .thenCompose(
                        r -> {
                          if (r.statusCode() != 401) {
                            return CompletableFuture.completedFuture(r);
                          }
                          synchronized (loginLock) {
                            if (Objects.equals(sid, sessionId)) {
                              sessionId = null;
                            }
                          }
                          return sendAsync(method, path, body, timeout, ensureSession());
                        }))
        .thenApply(r -> result(method + " " + path, r));
  }

  /** PUTs raw bytes to an upload URI the server handed out (it carries its own authorization). */
  public void upload(URI uri, byte[] bytes) {
    counter.increment("PUT " + operationName(uri.getPath()));
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .timeout(config.requestTimeout())
            .header(SESSION_HEADER, ensureSession())
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw error("PUT " + uri.getPath(), r);
      }
    } catch (IOException e) {
      throw Faults.transport("PUT " + uri.getPath(), e);
    } catch (InterruptedException e) {
      throw Faults.interrupted("PUT " + uri.getPath(), e);
    }
  }

  /** Deletes the session; best effort. */
  public void logout() {
    String sid = sessionId;
    if (sid == null) {
      return;
    }
    String path = "api".equals(sessionFlavor) ? "/api/session" : "/rest/com/vmware/cis/session";
    counter.increment("DELETE " + path);
    try {
      http.send(
          HttpRequest.newBuilder(config.baseUrl().resolve(path))
              .timeout(config.requestTimeout())
              .header(SESSION_HEADER, sid)
              .DELETE()
              .build(),
          HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      LOG.debug("REST logout failed: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      sessionId = null;
    }
  }

  private String ensureSession() {
    String sid = sessionId;
    if (sid != null) {
      return sid;
    }
    synchronized (loginLock) {
      if (sessionId == null) {
        sessionId = login();
      }
      return sessionId;
    }
  }

  private String login() {
    gate.admit();
    try {
      String id = createSession();
      gate.succeeded();
      return id;
    } catch (VSphereException e) {
      if (e.kind() == FaultKind.NOT_AUTHENTICATED) {
        gate.rejected(e);
      }
      throw e;
    }
  }

  private String createSession() {
    char[] pw = gate.password();
    String basic;
    byte[] both = null;
    try {
      byte[] user = (gate.username() + ":").getBytes(StandardCharsets.UTF_8);
      ByteBuffer pass = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pw));
      both = new byte[user.length + pass.remaining()];
      System.arraycopy(user, 0, both, 0, user.length);
      pass.get(both, user.length, pass.remaining());
      basic = Base64.getEncoder().encodeToString(both);
    } finally {
      Arrays.fill(pw, '\0');
      if (both != null) {
        Arrays.fill(both, (byte) 0);
      }
    }
    RestFlavor flavor = config.restFlavor();
    if (flavor != RestFlavor.REST) {
      HttpResponse<String> r = postSession("/api/session", basic);
      if (r.statusCode() == 200 || r.statusCode() == 201) {
        sessionFlavor = "api";
        return parseSessionId(r.body());
      }
      if (r.statusCode() != 404 || flavor == RestFlavor.API) {
        throw error("POST /api/session", r);
      }
      LOG.debug("POST /api/session -> 404; falling back to /rest/com/vmware/cis/session");
    }
    HttpResponse<String> r = postSession("/rest/com/vmware/cis/session", basic);
    if (r.statusCode() != 200 && r.statusCode() != 201) {
      throw error("POST /rest/com/vmware/cis/session", r);
    }
    sessionFlavor = "rest";
    return parseSessionId(r.body());
  }

  private static String parseSessionId(String body) {
    try {
      JsonNode n = JSON.readTree(body);
      JsonNode v = n.has("value") ? n.get("value") : n;
      if (!v.isTextual() || v.asText().isEmpty()) {
        throw new VSphereException(FaultKind.OTHER, "", "REST session: no session id in response");
      }
      return v.asText();
    } catch (IOException e) {
      throw new VSphereException(FaultKind.OTHER, "", "REST session: unparsable response", e);
    }
  }

  private HttpResponse<String> postSession(String path, String basic) {
    counter.increment("POST " + path);
    long start = System.nanoTime();
    boolean failed = true;
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(config.baseUrl().resolve(path))
                  .timeout(config.requestTimeout())
                  .header("Authorization", "Basic " + basic)
                  .header("vmware-use-header-authn", "true")
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // 404 from /api/session is a vCenter without that API: the /rest session follows.
      failed = r.statusCode() / 100 != 2 && r.statusCode() != 404;
      return r;
    } catch (IOException e) {
      throw Faults.transport("POST " + path, e);
    } catch (InterruptedException e) {
      throw Faults.interrupted("POST " + path, e);
    } finally {
      counter.completed("POST " + path, start, failed);
    }
  }

  private HttpRequest request(
      String method, String path, Object body, Duration timeout, String sid) {
    URI uri = config.baseUrl().resolve("/rest/" + path);
    counter.increment(method + " " + operationName("/rest/" + path));
    HttpRequest.BodyPublisher pub;
    if (body == null) {
      pub = HttpRequest.BodyPublishers.noBody();
    } else {
      try {
        pub = HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot serialise request body", e);
      }
    }
    return HttpRequest.newBuilder(uri)
        .timeout(timeout)
        .header(SESSION_HEADER, sid)
        .header("Content-Type", "application/json")
        .header("Accept", "application/json")
        .method(method, pub)
        .build();
  }

  private HttpResponse<String> send(
      String method, String path, Object body, Duration timeout, String sid) {
    HttpRequest req = request(method, path, body, timeout, sid);
    long start = System.nanoTime();
    boolean failed = true;
    try {
      HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
      failed = r.statusCode() / 100 != 2;
      return r;
    } catch (IOException e) {
      throw Faults.transport(method + " " + path, e);
    } catch (InterruptedException e) {
      throw Faults.interrupted(method + " " + path, e);
    } finally {
      counter.completed(method + " " + operationName("/rest/" + path), start, failed);
    }
  }

  private CompletableFuture<HttpResponse<String>> sendAsync(
      String method, String path, Object body, Duration timeout, String sid) {
    HttpRequest req = request(method, path, body, timeout, sid);
    long start = System.nanoTime();
    String name = method + " " + operationName("/rest/" + path);
    return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
        .whenComplete(
            (r, t) -> counter.completed(name, start, t != null || r.statusCode() / 100 != 2))
        .exceptionally(
            t -> {
              Throwable c =
                  t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
              if (c instanceof IOException io) {
                throw Faults.transport(method + " " + path, io);
              }
              throw t instanceof RuntimeException re ? re : new CompletionException(t);
            });
  }

  /** {@code /rest/com/vmware/content/library/item/id:abc?~action=x} to a counter name. */
  public static String operationName(String path) {
    String p = path.startsWith("/rest/") ? path.substring(5) : path;
    p = ID_SEGMENT.matcher(p).replaceAll("/{id}");
    if (p.startsWith("/com/vmware/cis/data/")) {
      return "/com/vmware/cis/data/{file}";
    }
    return p;
  }

  private static JsonNode result(String what, HttpResponse<String> r) {
    if (r.statusCode() / 100 != 2) {
      throw error(what, r);
    }
    String b = r.body();
    if (b == null || b.isBlank()) {
      return NullNode.getInstance();
    }
    try {
      JsonNode n = JSON.readTree(b);
      return n.has("value") ? n.get("value") : n;
    } catch (IOException e) {
      throw new VSphereException(FaultKind.OTHER, "", what + ": response is not JSON", e);
    }
  }

  /** A vAPI error response as a typed exception. */
  public static VSphereException error(String what, HttpResponse<String> r) {
    return error(what, r.statusCode(), r.body());
  }

  public static VSphereException error(String what, int status, String body) {
    String type = "";
    String message = "";
    try {
      JsonNode n = body == null || body.isBlank() ? NullNode.getInstance() : JSON.readTree(body);
      if (n.has("type")) { // /rest: {"type":"com.vmware.vapi.std.errors.not_found","value":{...}}
        type = n.get("type").asText();
        message = messages(n.path("value").path("messages"));
      } else if (n.has("error_type")) { // /api: {"error_type":"NOT_FOUND","messages":[...]}
        type = n.get("error_type").asText();
        message = messages(n.path("messages"));
      }
    } catch (IOException e) {
      // not JSON (e.g. a proxy's HTML page): status only
    }
    FaultKind kind = type.isEmpty() ? Faults.ofHttpStatus(status) : Faults.ofVapiType(type);
    if (kind == FaultKind.OTHER) {
      kind = Faults.ofHttpStatus(status);
    }
    String msg = what + ": HTTP " + status + (message.isEmpty() ? "" : ": " + message);
    return new VSphereException(kind, type.isEmpty() ? "HTTP " + status : type, msg);
  }

  public static String messages(JsonNode messages) {
    StringBuilder sb = new StringBuilder();
    for (Iterator<JsonNode> it = messages.elements(); it.hasNext(); ) {
      JsonNode m = it.next();
      String s = m.isTextual() ? m.asText() : m.path("default_message").asText("");
      if (!s.isEmpty()) {
        if (sb.length() > 0) {
          sb.append("; ");
        }
        sb.append(s);
      }
    }
    return sb.toString();
  }
}
