package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Machines this process just created or deleted that the informer may not show yet, per cluster (as
 * Kubernetes' ReplicaSet controller keeps expectations). The planner sees the informer's list
 * corrected by them, so a lagging watch never makes it plan the same machine twice. An expectation
 * ends when the informer shows it, or after {@link #TTL} in case the event was lost.
 */
final class MachineExpectations {
  static final Duration TTL = Duration.ofMinutes(2);

  private record Expected(Machine machine, boolean deleted, Instant since) {}

  private final Map<String, Map<String, Expected>> byCluster = new ConcurrentHashMap<>();
  private final Clock clock;

  MachineExpectations(Clock clock) {
    this.clock = clock;
  }

  void created(String cluster, Machine made) {
    expect(cluster, made, false);
  }

  void deleted(String cluster, Machine gone) {
    expect(cluster, gone, true);
  }

  private void expect(String cluster, Machine m, boolean deleted) {
    byCluster
        .computeIfAbsent(cluster, k -> new ConcurrentHashMap<>())
        .put(m.getMetadata().getName(), new Expected(m, deleted, clock.instant()));
  }

  /** The cached machines as they are after this process's own writes. */
  List<Machine> view(String cluster, List<Machine> cached) {
    Set<String> cachedNames =
        cached.stream().map(m -> m.getMetadata().getName()).collect(Collectors.toSet());
    // First, so that an expectation past its TTL no longer shapes this view.
    settle(cluster, cached, cachedNames);
    Map<String, Expected> pending = byCluster.getOrDefault(cluster, Map.of());
    List<Machine> out = new ArrayList<>();
    for (Machine m : cached) {
      Expected e = pending.get(m.getMetadata().getName());
      boolean deletionNotSeen =
          e != null && e.deleted() && m.getMetadata().getDeletionTimestamp() == null;
      out.add(deletionNotSeen ? markedDeleting(m, e.since()) : m);
    }
    for (Expected e : pending.values()) {
      if (!e.deleted() && !cachedNames.contains(e.machine().getMetadata().getName())) {
        out.add(e.machine());
      }
    }
    return out;
  }

  /** Drops expectations the cache now shows, or that are too old to trust. */
  private void settle(String cluster, List<Machine> cached, Set<String> cachedNames) {
    Map<String, Expected> pending = byCluster.get(cluster);
    if (pending == null) {
      return;
    }
    Instant oldest = clock.instant().minus(TTL);
    Set<String> deleting =
        cached.stream()
            .filter(m -> m.getMetadata().getDeletionTimestamp() != null)
            .map(m -> m.getMetadata().getName())
            .collect(Collectors.toSet());
    pending
        .entrySet()
        .removeIf(
            x ->
                x.getValue().since().isBefore(oldest)
                    || (x.getValue().deleted()
                        ? !cachedNames.contains(x.getKey()) || deleting.contains(x.getKey())
                        : cachedNames.contains(x.getKey())));
    if (pending.isEmpty()) {
      byCluster.remove(cluster);
    }
  }

  /** Whether some of this process's writes are not in the cache yet (look again soon). */
  boolean pending(String cluster) {
    return byCluster.containsKey(cluster);
  }

  void forget(String cluster) {
    byCluster.remove(cluster);
  }

  private static Machine markedDeleting(Machine m, Instant since) {
    Machine copy = Statuses.copy(m, Machine.class);
    copy.getMetadata().setDeletionTimestamp(DateTimeFormatter.ISO_INSTANT.format(since));
    return copy;
  }
}
