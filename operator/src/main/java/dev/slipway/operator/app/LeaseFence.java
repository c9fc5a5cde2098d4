package dev.slipway.operator.app;

import dev.slipway.operator.LeaderElectionTimings;
import dev.slipway.operator.controller.WorkloadGuard;
import dev.slipway.vsphere.CallObserver;
import dev.slipway.vsphere.FaultKind;
import dev.slipway.vsphere.VSphereException;
import io.fabric8.kubernetes.client.http.AsyncBody;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fencing for leader election: once this process led and its last successful Lease renewal is older
 * than {@link LeaderElectionTimings#renewDeadline()} (10 s, less than the 15 s after which a
 * standby may take the Lease), it has <em>lapsed</em> for good: every vCenter call and every write
 * to the management API except to the Lease itself is refused before it is sent, and the process
 * halts (exit code 1; Kubernetes restarts it as a standby).
 *
 * <p>Why: fabric8's LeaderElector notices a missed deadline only when its renew loop next runs, and
 * JOSDK 5.2.3 keeps reconciling after {@code onStopLeading} unless it exits. A process that was
 * paused (SIGSTOP, a long GC pause, a frozen VM) past its Lease resumes every thread at once, so
 * its reconciles would act before the loop told anyone. The renewals are seen here, as an
 * interceptor of the operator's Kubernetes client, timed from when the renewing request was sent;
 * the clock is {@link System#nanoTime()}, which keeps running while the process is stopped.
 *
 * <p>What it cannot do: a request is checked when it is handed to the HTTP client, so one handed
 * over just before the pause is sent when the process resumes, before any check runs again. For the
 * management API, deploy/'s admission policy {@code slipway-leader-fence} refuses it (a write by a
 * replica the Lease does not name); for vCenter and the workload clusters, the steps' being safe to
 * repeat is what keeps such a late call harmless (docs/operator.md, "Fencing").
 */
final class LeaseFence implements Interceptor, CallObserver {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseFence.class);
  static final String NAME = "slipway-lease-fence";

  private final boolean enabled;
  private final String leasePath;
  private final String leasesPath;
  private final long deadlineNanos;
  private final LongSupplier nanoTime;
  private final Runnable halt;
  private final AtomicBoolean lapsed = new AtomicBoolean();
  private volatile boolean led;
  private volatile boolean shuttingDown;
  private volatile long renewSentAt;
  private volatile long validUntil;
  private volatile boolean renewed;

  /**
   * @param enabled false without leader election: nothing is ever refused
   * @param halt what ends the process once the Lease lapsed
   */
  LeaseFence(
      boolean enabled,
      String namespace,
      String leaseName,
      Duration renewDeadline,
      LongSupplier nanoTime,
      Runnable halt) {
    this.enabled = enabled;
    this.leasesPath = "/apis/coordination.k8s.io/v1/namespaces/" + namespace + "/leases";
    this.leasePath = leasesPath + "/" + leaseName;
    this.deadlineNanos = renewDeadline.toNanos();
    this.nanoTime = nanoTime;
    this.halt = halt;
  }

  /** The process's fence for {@code config}: halts the JVM with exit code 1 when it lapses. */
  static LeaseFence of(OperatorConfig config) {
    return new LeaseFence(
        config.leaderElection(),
        config.namespace(),
        config.leaseName(),
        LeaderElectionTimings.SLIPWAY.renewDeadline(),
        System::nanoTime,
        () -> Runtime.getRuntime().halt(1));
  }

  /** The leader callbacks said we lead (after the acquiring write was seen). */
  void startedLeading() {
    led = true;
  }

  /**
   * A graceful shutdown began (SIGTERM, or the elector gave up the Lease): a lapse still refuses
   * every action, but the shutdown is left to finish instead of halting.
   */
  void shuttingDown() {
    shuttingDown = true;
  }

  /**
   * True once this process led and did not renew within the deadline; never false again. The first
   * caller to see it lapse halts the process (unless it is shutting down).
   */
  boolean lapsed() {
    if (lapsed.get()) {
      return true;
    }
    if (!enabled || !led || !renewed || nanoTime.getAsLong() - validUntil < 0) {
      return false;
    }
    if (lapsed.compareAndSet(false, true)) {
      LOG.error(
          "the leader Lease was not renewed within {} s: refusing every further action{}",
          Duration.ofNanos(deadlineNanos).toSeconds(),
          shuttingDown ? "" : " and exiting");
      if (!shuttingDown) {
        Thread t = new Thread(halt, "lease-lapsed");
        t.setDaemon(true);
        t.start();
      }
    }
    return true;
  }

  /**
   * Whether an action is refused now: after a lapse, and also while this process was told it leads
   * but has not written the Lease itself yet. fabric8 calls a process the leader as soon as it
   * reads a Lease naming its identity, before renewing it (a container restarted under the same pod
   * name does that); its first renewal follows at once, and until then it may not act.
   */
  boolean refuses() {
    return lapsed() || (enabled && led && !renewed);
  }

  private boolean isLeaseWrite(HttpRequest request) {
    String path = request.uri().getPath();
    String method = request.method();
    return (path.equals(leasePath) && (method.equals("PUT") || method.equals("PATCH")))
        || (path.equals(leasesPath) && method.equals("POST"));
  }

  private static boolean isWrite(String method) {
    return !method.equals("GET") && !method.equals("HEAD") && !method.equals("OPTIONS");
  }

  @Override
  public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
    if (!enabled) {
      return;
    }
    if (isLeaseWrite(request)) {
      renewSentAt = nanoTime.getAsLong();
      return;
    }
    if (isWrite(request.method()) && refuses()) {
      throw new IllegalStateException(
          "refused "
              + request.method()
              + " "
              + request.uri().getPath()
              + ": the leader Lease is not (or no longer) renewed by this process (fenced)");
    }
  }

  @Override
  public void after(
      HttpRequest request,
      HttpResponse<?> response,
      AsyncBody.Consumer<List<ByteBuffer>> consumer) {
    if (enabled && response.code() / 100 == 2 && isLeaseWrite(request)) {
      // Timed from when it was sent: the Lease's renewTime is no later than that.
      validUntil = renewSentAt + deadlineNanos;
      renewed = true;
    }
  }

  /**
   * For actions on workload clusters (writes to their API servers, etcd membership changes):
   * refused when {@link #refuses()}, as for the management API, since drains, Node and etcd-member
   * removals and addons are actions too.
   */
  WorkloadGuard workloadGuard() {
    return action -> {
      if (enabled && refuses()) {
        throw new IllegalStateException(
            "refused "
                + action
                + " on a workload cluster: the leader Lease is not (or no longer) renewed by this"
                + " process (fenced)");
      }
    };
  }

  /**
   * vCenter calls: refused once lapsed, and before a restart's first renewal. The refusal is {@link
   * FaultKind#TRANSIENT}: it says nothing about the machine or the object the call was for (as
   * OTHER it made a Machine Failed for good when a restart's first reconciles came before its first
   * renewal).
   */
  @Override
  public void starting(String method) {
    if (refuses()) {
      throw new VSphereException(
          FaultKind.TRANSIENT,
          "LeaseLapsed",
          "refused vCenter call "
              + method
              + ": the leader Lease is not (or no longer) renewed by this process (fenced)");
    }
  }

  @Override
  public void observe(String method, Duration duration, boolean failed) {}
}
