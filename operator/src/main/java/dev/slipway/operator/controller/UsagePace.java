package dev.slipway.operator.controller;

import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A VSphereNamespace's {@code usage} changes with every cluster and machine that arrives or goes,
 * and those come in bursts (a cluster's machines, several clusters applied at once): a status that
 * differs in usage alone is written at most once per {@link #INTERVAL} after this process last
 * wrote that namespace's status, and then with the figures of that moment. Anything else in the
 * status (a condition, the pool or folder) is written at once, and with it the usage.
 */
final class UsagePace {
  static final Duration INTERVAL = Duration.ofSeconds(5);

  /** When this process last wrote each VSphereNamespace's status, by object UID. */
  private final Map<String, Instant> lastWrite = new ConcurrentHashMap<>();

  /** How long to hold {@code after} back; empty: write it now. */
  Optional<Duration> hold(
      String uid, VSphereNamespace.Status before, VSphereNamespace.Status after, Instant now) {
    Instant last = lastWrite.get(uid);
    if (last == null || before == null || !onlyUsageDiffers(before, after)) {
      return Optional.empty();
    }
    Duration since = Duration.between(last, now);
    return since.compareTo(INTERVAL) < 0 ? Optional.of(INTERVAL.minus(since)) : Optional.empty();
  }

  void wrote(String uid, Instant now) {
    lastWrite.put(uid, now);
  }

  void forget(String uid) {
    lastWrite.remove(uid);
  }

  static boolean onlyUsageDiffers(VSphereNamespace.Status before, VSphereNamespace.Status after) {
    VSphereNamespace.Status usageAsBefore = Statuses.copy(after, VSphereNamespace.Status.class);
    usageAsBefore.usage = before.usage;
    return Statuses.changed(before.usage, after.usage) && !Statuses.changed(before, usageAsBefore);
  }
}
