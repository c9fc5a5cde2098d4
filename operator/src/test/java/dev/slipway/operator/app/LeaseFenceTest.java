package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LeaseFenceTest {
  static final String LEASES = "/apis/coordination.k8s.io/v1/namespaces/slipway-system/leases";
  static final String LEASE = LEASES + "/slipway-operator";
  static final String MACHINES =
      "/apis/cluster.slipway.dev/v1alpha1/namespaces/team-a/machines/m-1";

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final AtomicInteger halts = new AtomicInteger();
  final CountDownLatch halted = new CountDownLatch(1);

  LeaseFence fence(boolean enabled) {
    return new LeaseFence(
        enabled,
        "slipway-system",
        "slipway-operator",
        Duration.ofSeconds(10),
        now::get,
        () -> {
          halts.incrementAndGet();
          halted.countDown();
        });
  }

  static HttpRequest request(String method, String path) {
    return new StandardHttpRequest.Builder()
        .uri("https://127.0.0.1:6443" + path)
        .method(method, "application/json", "{}")
        .build();
  }

  /** What the interceptor chain does around one request that got {@code code}. */
  static void send(LeaseFence f, String method, String path, int code) {
    HttpRequest r = request(method, path);
    f.before(null, r, null);
    f.after(r, response(r, code), null);
  }

  void advance(Duration d) {
    now.addAndGet(d.toNanos());
  }

  @Test
  void aLeaderThatRenewsActsAndOneThatMissedTheDeadlineIsRefusedEverythingButTheLease()
      throws InterruptedException {
    LeaseFence f = fence(true);
    send(f, "PUT", LEASE, 200); // the acquiring write
    f.startedLeading();
    advance(Duration.ofSeconds(8));
    assertThatCode(() -> f.before(null, request("PATCH", MACHINES), null))
        .doesNotThrowAnyException();
    send(f, "PUT", LEASE, 200); // renewed at 8 s: good until 18 s
    advance(Duration.ofSeconds(9));
    assertThatCode(() -> f.starting("CloneVM_Task")).doesNotThrowAnyException();
    assertThat(f.lapsed()).isFalse();

    advance(Duration.ofSeconds(2)); // 11 s after the last renewal was sent: paused, say
    assertThatThrownBy(() -> f.before(null, request("PATCH", MACHINES), null))
        .hasMessageContaining("refused PATCH " + MACHINES)
        .hasMessageContaining("fenced");
    assertThatThrownBy(() -> f.starting("PowerOnVM_Task"))
        .isInstanceOf(VSphereException.class)
        .hasMessageContaining("PowerOnVM_Task")
        // a refusal says nothing about the machine: retried, never a permanent failure
        .matches(e -> ((VSphereException) e).isRetryable(), "retryable");
    assertThatThrownBy(() -> f.before(null, request("DELETE", MACHINES), null))
        .isInstanceOf(IllegalStateException.class);
    // reads, and the elector's own attempts on the Lease, still go out
    assertThatCode(() -> f.before(null, request("GET", MACHINES), null)).doesNotThrowAnyException();
    assertThatCode(() -> f.before(null, request("PUT", LEASE), null)).doesNotThrowAnyException();
    assertThat(halted.await(5, TimeUnit.SECONDS)).as("the process halts").isTrue();

    // a renewal that somehow succeeds later does not undo the lapse
    send(f, "PUT", LEASE, 200);
    assertThat(f.lapsed()).isTrue();
    Thread.sleep(100);
    assertThat(halts).hasValue(1);
  }

  @Test
  void actionsOnWorkloadClustersAreRefusedOnceLapsed() {
    LeaseFence f = fence(true);
    var guard = f.workloadGuard();
    send(f, "PUT", LEASE, 200);
    f.startedLeading();
    assertThatCode(() -> guard.check("DELETE /api/v1/nodes/w-1")).doesNotThrowAnyException();
    advance(Duration.ofSeconds(11));
    assertThatThrownBy(() -> guard.check("etcd member remove 8e9e05c52164694d"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused etcd member remove 8e9e05c52164694d on a workload cluster")
        .hasMessageContaining("fenced");
    // without leader election the guard never refuses
    LeaseFence off = fence(false);
    off.startedLeading();
    assertThatCode(() -> off.workloadGuard().check("DELETE /api/v1/nodes/w-1"))
        .doesNotThrowAnyException();
  }

  @Test
  void theDeadlineCountsFromWhenTheRenewalWasSentNotAnswered() {
    LeaseFence f = fence(true);
    HttpRequest renew = request("PUT", LEASE);
    f.before(null, renew, null);
    advance(Duration.ofSeconds(6)); // a slow answer
    f.after(renew, response(renew, 200), null);
    f.startedLeading();
    advance(Duration.ofSeconds(5));
    assertThat(f.lapsed()).isTrue();
  }

  /** Seen in CrashAnywhereE2E: every restart under the same pod name halted itself at once. */
  @Test
  void aRestartTheLeaseStillNamesIsRefusedNotHaltedUntilItsOwnFirstRenewal()
      throws InterruptedException {
    LeaseFence f = fence(true);
    f.startedLeading(); // fabric8 read a Lease holding our identity; no write of ours yet
    advance(Duration.ofSeconds(1));
    assertThatThrownBy(() -> f.starting("CloneVM_Task"))
        .isInstanceOf(VSphereException.class)
        .matches(e -> ((VSphereException) e).isRetryable(), "retryable");
    assertThatThrownBy(() -> f.before(null, request("PATCH", MACHINES), null))
        .isInstanceOf(IllegalStateException.class);
    assertThat(f.lapsed()).isFalse();
    send(f, "PUT", LEASE, 200); // its first renewal
    assertThatCode(() -> f.starting("CloneVM_Task")).doesNotThrowAnyException();
    Thread.sleep(100);
    assertThat(halts).hasValue(0);
  }

  @Test
  void aFailedRenewalDoesNotExtendTheLease() {
    LeaseFence f = fence(true);
    send(f, "POST", LEASES, 201);
    f.startedLeading();
    advance(Duration.ofSeconds(8));
    send(f, "PUT", LEASE, 409);
    advance(Duration.ofSeconds(3));
    assertThat(f.lapsed()).isTrue();
  }

  @Test
  void aStandbyThatNeverLedAndAProcessWithoutElectionAreNeverRefused() {
    LeaseFence standby = fence(true);
    advance(Duration.ofMinutes(5));
    assertThatCode(() -> standby.before(null, request("PATCH", MACHINES), null))
        .doesNotThrowAnyException();
    assertThatCode(() -> standby.starting("RetrieveServiceContent")).doesNotThrowAnyException();

    LeaseFence off = fence(false);
    send(off, "PUT", LEASE, 200);
    off.startedLeading();
    advance(Duration.ofMinutes(5));
    assertThat(off.lapsed()).isFalse();
    assertThat(halts).hasValue(0);
  }

  @Test
  void duringAGracefulShutdownALapseRefusesButDoesNotHalt() throws InterruptedException {
    LeaseFence f = fence(true);
    send(f, "PUT", LEASE, 200);
    f.startedLeading();
    f.shuttingDown();
    advance(Duration.ofSeconds(11));
    assertThatThrownBy(() -> f.starting("Destroy_Task")).isInstanceOf(VSphereException.class);
    Thread.sleep(200);
    assertThat(halts).hasValue(0);
  }

  static HttpResponse<String> response(HttpRequest request, int code) {
    return new HttpResponse<>() {
      @Override
      public int code() {
        return code;
      }

      @Override
      public String body() {
        return "";
      }

      @Override
      public HttpRequest request() {
        return request;
      }

      @Override
      public Optional<HttpResponse<?>> previousResponse() {
        return Optional.empty();
      }

      @Override
      public List<String> headers(String key) {
        return List.of();
      }

      @Override
      public Map<String, List<String>> headers() {
        return Map.of();
      }
    };
  }
}
