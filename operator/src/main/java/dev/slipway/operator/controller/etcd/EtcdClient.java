package dev.slipway.operator.controller.etcd;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * A workload cluster's etcd through its v3 JSON gateway (the client port, 2379), authenticated with
 * a client certificate from the cluster's etcd CA. Slipway reaches the members at the addresses of
 * the control-plane nodes, as kubeadm advertises them, rather than through the workload API server:
 * the nodes are on the network Slipway already reaches for the VIP, and an etcd that lost quorum
 * still answers on its own port while the API server in front of it does not.
 *
 * <p>Every call is short and bounded by the timeout; nothing here waits for etcd to change.
 */
public final class EtcdClient {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final List<URI> endpoints;
  private final Duration timeout;
  private final Consumer<String> beforeChange;

  public EtcdClient(SSLContext tls, List<URI> endpoints, Duration timeout) {
    this(http(tls, timeout), endpoints, timeout);
  }

  /** With an HTTP client made by {@link #http} and kept by the caller (one per cluster). */
  public EtcdClient(HttpClient http, List<URI> endpoints, Duration timeout) {
    this(http, endpoints, timeout, change -> {});
  }

  private EtcdClient(
      HttpClient http, List<URI> endpoints, Duration timeout, Consumer<String> beforeChange) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no etcd endpoint");
    }
    this.http = http;
    this.endpoints = List.copyOf(endpoints);
    this.timeout = timeout;
    this.beforeChange = beforeChange;
  }

  /**
   * This client, with {@code beforeChange} asked before every membership or leadership change (it
   * refuses one by throwing); reads are not asked about.
   */
  public EtcdClient guardedBy(Consumer<String> beforeChange) {
    return new EtcdClient(http, endpoints, timeout, beforeChange);
  }

  /** An HTTP client that presents Slipway's etcd client certificate. */
  public static HttpClient http(SSLContext tls, Duration timeout) {
    return builder(tls, timeout).build();
  }

  /** As above, its work done on {@code executor} (shared by many clients) instead of its own. */
  public static HttpClient http(SSLContext tls, Duration timeout, Executor executor) {
    return builder(tls, timeout).executor(executor).build();
  }

  private static HttpClient.Builder builder(SSLContext tls, Duration timeout) {
    return HttpClient.newBuilder()
        .sslContext(tls)
        .connectTimeout(timeout)
        .version(HttpClient.Version.HTTP_1_1);
  }

  /** The members, from the first endpoint that answers (a consensus read). */
  public List<EtcdMember> members() {
    JsonNode r = anyEndpoint("/v3/cluster/member/list", Map.of("linearizable", true));
    List<EtcdMember> out = new ArrayList<>();
    for (JsonNode m : r.path("members")) {
      out.add(
          new EtcdMember(
              Long.parseUnsignedLong(m.path("ID").asText("0")),
              m.path("name").asText(""),
              strings(m.path("peerURLs")),
              strings(m.path("clientURLs")),
              m.path("isLearner").asBoolean(false)));
    }
    return out;
  }

  /** Who answers at {@code endpoint} and whom it follows. */
  public EtcdStatus status(URI endpoint) {
    JsonNode r = post(endpoint, "/v3/maintenance/status", Map.of());
    return new EtcdStatus(
        Long.parseUnsignedLong(r.path("header").path("member_id").asText("0")),
        Long.parseUnsignedLong(r.path("leader").asText("0")),
        r.path("version").asText(""),
        r.path("isLearner").asBoolean(false));
  }

  /** Whether the member at {@code endpoint} says it is healthy (it has a leader, no alarms). */
  public boolean healthy(URI endpoint) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(endpoint.resolve("/health")).timeout(timeout).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200
          && "true".equals(JSON.readTree(r.body()).path("health").asText());
    } catch (IOException | RuntimeException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Removes a member; one that is already gone is fine. For a few seconds after a leader change
   * etcd refuses this ("unhealthy cluster"): callers try again on a later pass.
   */
  public void remove(long memberId) {
    beforeChange.accept("etcd member remove " + Long.toHexString(memberId));
    try {
      anyEndpoint("/v3/cluster/member/remove", Map.of("ID", Long.toUnsignedString(memberId)));
    } catch (EtcdException e) {
      if (!e.getMessage().contains("member not found")) {
        throw e;
      }
    }
  }

  /**
   * If {@code leaving} leads, hands leadership to {@code target} (the request must reach the
   * leader). Returns whether leadership moved.
   */
  public boolean moveLeaderOff(long leaving, long target) {
    for (URI e : endpoints) {
      Optional<EtcdStatus> s = tryStatus(e);
      if (s.isPresent() && s.get().memberId() == s.get().leaderId()) {
        if (s.get().leaderId() != leaving) {
          return false;
        }
        beforeChange.accept("etcd leadership transfer to " + Long.toHexString(target));
        post(
            e,
            "/v3/maintenance/transfer-leadership",
            Map.of("targetID", Long.toUnsignedString(target)));
        return true;
      }
    }
    throw new EtcdException("no etcd endpoint answered as the leader: " + endpoints);
  }

  /**
   * Why removing {@code removing} would leave etcd without a healthy majority, if it would: no
   * member may still be joining (a learner), and the healthy voting members that remain must be
   * more than half of the voting members that remain.
   */
  public static Optional<String> removalUnsafe(
      List<EtcdMember> members, Set<Long> healthy, long removing) {
    Optional<EtcdMember> joining = members.stream().filter(EtcdMember::learner).findFirst();
    if (joining.isPresent()) {
      // A learner is not promoted yet: the voting set is about to change; wait for it.
      return Optional.of("etcd member " + joining.get().name() + " is still joining (learner)");
    }
    List<EtcdMember> voting =
        members.stream().filter(m -> !m.learner() && m.id() != removing).toList();
    long ok = voting.stream().filter(m -> healthy.contains(m.id())).count();
    if (voting.isEmpty()) {
      return Optional.of("it is the last etcd member");
    }
    if (ok < voting.size() / 2 + 1) {
      return Optional.of(
          "only "
              + ok
              + " of the "
              + voting.size()
              + " etcd members left would be healthy; a majority is "
              + (voting.size() / 2 + 1));
    }
    return Optional.empty();
  }

  /**
   * Members that started under a name no control-plane machine has: their machines are gone (a VM
   * deleted behind Slipway's back, a Machine whose finalizer was taken off) and they only weigh on
   * the quorum. Members that have not started yet have no name and are never strangers.
   */
  public static List<EtcdMember> strangers(
      List<EtcdMember> members, Predicate<String> isControlPlaneMachine) {
    return members.stream()
        .filter(m -> !m.name().isEmpty() && !isControlPlaneMachine.test(m.name()))
        .toList();
  }

  /**
   * The stranger to remove, if any: one that does not answer (a stranger that answers runs on a VM
   * that is still there, a Machine taken away by hand, and removing it would break that node's API
   * server, which may hold the VIP) and whose removal keeps a healthy majority. {@code answers} is
   * asked of the members only when there is a stranger: a cluster without one, every idle pass of
   * every control-plane machine, costs no probe.
   */
  public static Optional<EtcdMember> strangerToRemove(
      List<EtcdMember> members, Predicate<String> isControlPlaneMachine, Predicate<URI> answers) {
    List<EtcdMember> strangers = strangers(members, isControlPlaneMachine);
    if (strangers.isEmpty()) {
      return Optional.empty();
    }
    Set<Long> healthy =
        members.stream()
            .filter(x -> !x.clientUrls().isEmpty())
            .filter(x -> answers.test(URI.create(x.clientUrls().get(0))))
            .map(EtcdMember::id)
            .collect(Collectors.toSet());
    return strangers.stream()
        .filter(s -> !healthy.contains(s.id()))
        .filter(s -> removalUnsafe(members, healthy, s.id()).isEmpty())
        .findFirst();
  }

  private Optional<EtcdStatus> tryStatus(URI endpoint) {
    try {
      return Optional.of(status(endpoint));
    } catch (EtcdException e) {
      return Optional.empty();
    }
  }

  /**
   * The first answer of any endpoint. A member that does not answer, or answers with an error (a
   * member just removed, one without a leader), does not speak for the cluster: the next is asked.
   */
  private JsonNode anyEndpoint(String path, Map<String, Object> body) {
    EtcdException answered = null;
    EtcdException last = null;
    for (URI e : endpoints) {
      try {
        return post(e, path, body);
      } catch (EtcdException x) {
        last = x;
        if (answered == null && !x.unreachable()) {
          answered = x;
        }
      }
    }
    // What a member said (e.g. "member not found") tells more than one that did not answer.
    throw answered != null ? answered : last;
  }

  private JsonNode post(URI endpoint, String path, Map<String, Object> body) {
    try {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(endpoint.resolve(path))
                  .timeout(timeout)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      JsonNode json = r.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(r.body());
      if (r.statusCode() != 200) {
        String why = json.path("message").asText(json.path("error").asText(r.body()));
        throw new EtcdException(endpoint + path + ": " + r.statusCode() + " " + why);
      }
      return json;
    } catch (IOException e) {
      throw new EtcdException(endpoint + " unreachable: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new EtcdException(endpoint + path + ": interrupted", e);
    }
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }
}
