package dev.slipway.operator.controller;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * When Slipway looks again, in one place: named intervals for the waits every loop knows, and the
 * exponential back-off with jitter for vCenter faults.
 */
public final class Requeue {
  /** A vCenter task in flight: looked at about once a second. */
  public static final Duration TASK_POLL = Duration.ofSeconds(1);

  /** A template deploy another machine (or an earlier pass) started. */
  public static final Duration TEMPLATE_POLL = Duration.ofSeconds(2);

  /** Waiting for an object Slipway itself makes (namespace pool and folder, a kubeconfig). */
  public static final Duration DEPENDENCY = Duration.ofSeconds(5);

  /** Objects being deleted that Slipway waits for (machines of a deleted cluster). */
  public static final Duration DELETION_POLL = Duration.ofSeconds(2);

  /** A new ResourceQuota until the quota controller has counted it. */
  public static final Duration QUOTA_POLL = Duration.ofSeconds(1);

  /** Waiting for a guest: a Node to register or become Ready, the workload API to answer. */
  public static final Duration GUEST_POLL = Duration.ofSeconds(3);

  /** Waiting for something a person must fix (a missing class, a cluster that cannot bootstrap). */
  public static final Duration USER_FIX = Duration.ofSeconds(10);

  /** A cluster whose references do not resolve (watches wake it sooner when they change). */
  public static final Duration RESOLUTION = Duration.ofSeconds(15);

  /**
   * The longest wait after vCenter did not answer at all (down, restarting): a returning vCenter is
   * noticed within it, whatever the back-off has grown to, and an unanswered connection costs
   * vCenter nothing.
   */
  public static final Duration VCENTER_UNREACHABLE = Duration.ofSeconds(10);

  /**
   * A Ready node: looked at again in case it stops being Ready (a read of the workload API, and a
   * control-plane machine's etcd member checked; the machine's VM is read again only when the VM
   * watch reports a change, or after {@link #VM_RESYNC}) at most this long after the last look, and
   * more often when the cluster's unhealthy timeout is short ({@link #readyResync}: 2.5 minutes
   * with the default timeout of 5). Each look is a request to the workload API (three on a
   * control-plane machine, with its etcd member's): at 1 000 clusters of 1 + 1 these looks were
   * most of the idle operator's passes (docs/performance.md, optimisation 48).
   */
  public static final Duration READY_RESYNC = Duration.ofMinutes(5);

  /** The shortest wait between two looks at a Ready node. */
  public static final Duration READY_RESYNC_MIN = Duration.ofSeconds(10);

  /**
   * How long a Ready node goes unread: half the cluster's unhealthy timeout, between {@link
   * #READY_RESYNC_MIN} and {@link #READY_RESYNC}. A health check times a NotReady node from the
   * Node's own transition, so a look within the timeout remediates it on time; what waits up to
   * this long is the Machine's Ready condition.
   */
  public static Duration readyResync(Duration unhealthyTimeout) {
    Duration half = unhealthyTimeout.dividedBy(2);
    if (half.compareTo(READY_RESYNC_MIN) < 0) {
      return READY_RESYNC_MIN;
    }
    return half.compareTo(READY_RESYNC) > 0 ? READY_RESYNC : half;
  }

  /**
   * {@code every} spread by up to ± {@code fraction}: objects made together are not looked at again
   * together.
   */
  public static Duration spread(Duration every, double fraction) {
    double f =
        1 + fraction * (2 * java.util.concurrent.ThreadLocalRandom.current().nextDouble() - 1);
    return Duration.ofMillis(Math.max(1, Math.round(every.toMillis() * f)));
  }

  /**
   * The longest a machine's VM state read from vCenter is used while the VM watch reports no change
   * of it: a safety re-read, not the way changes are noticed.
   */
  public static final Duration VM_RESYNC = Duration.ofMinutes(10);

  /**
   * A release whose images exist: checked again in case an image goes away (the release sync asks
   * for a look at once when it sees a synced release's item go).
   */
  public static final Duration RELEASE_RESYNC = Duration.ofMinutes(10);

  private Requeue() {}

  /**
   * Exponential back-off: {@code base × 2^(attempts-1)}, at most {@code cap}, then spread by up to
   * ±{@code jitter} (a fraction) so that many machines failing together do not retry together.
   */
  public record Backoff(Duration base, Duration cap, double jitter, DoubleSupplier random) {
    public static final Duration DEFAULT_BASE = Duration.ofSeconds(5);
    public static final Duration DEFAULT_CAP = Duration.ofMinutes(5);

    public Backoff {
      Objects.requireNonNull(base, "base");
      Objects.requireNonNull(cap, "cap");
      if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
        throw new IllegalArgumentException("back-off needs 0 < base <= cap");
      }
      if (jitter < 0 || jitter >= 1) {
        throw new IllegalArgumentException("jitter must be in [0, 1)");
      }
    }

    public static Backoff withCap(Duration cap) {
      return new Backoff(DEFAULT_BASE, cap, 0.2, Math::random);
    }

    public static Backoff defaults() {
      return withCap(DEFAULT_CAP);
    }

    /**
     * {@code delay}, or {@code limit} spread by the jitter when {@code delay} is longer (so that
     * machines held to the limit together do not retry together).
     */
    public Duration atMost(Duration delay, Duration limit) {
      if (delay.compareTo(limit) <= 0) {
        return delay;
      }
      double spread = 1 + jitter * (2 * random.getAsDouble() - 1);
      return Duration.ofMillis(Math.max(1, Math.round(limit.toMillis() * spread)));
    }

    /** The wait before attempt {@code attempts + 1}, after {@code attempts} failures (≥ 1). */
    public Duration delay(int attempts) {
      int doublings = Math.max(0, Math.min(attempts - 1, 30));
      long millis = Math.min(cap.toMillis(), base.toMillis() << doublings);
      double spread = 1 + jitter * (2 * random.getAsDouble() - 1);
      return Duration.ofMillis(Math.max(1, Math.round(millis * spread)));
    }
  }
}
