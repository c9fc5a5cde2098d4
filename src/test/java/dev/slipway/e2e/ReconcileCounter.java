package dev.slipway.e2e;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JOSDK's metrics hook, counting reconciles per resource ({@code Kind/namespace/name}): what a test
 * bounds to prove there is no hot loop. The operator process's own metrics (JOSDK's Micrometer
 * metrics without per-resource meters) count per controller only.
 */
public final class ReconcileCounter implements Metrics {
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  @Override
  public void reconcileCustomResource(
      HasMetadata resource, RetryInfo retryInfo, Map<String, Object> metadata) {
    counts.computeIfAbsent(key(resource), k -> new AtomicLong()).incrementAndGet();
  }

  static String key(HasMetadata r) {
    return r.getKind() + "/" + r.getMetadata().getNamespace() + "/" + r.getMetadata().getName();
  }

  /** Reconciles so far by {@code Kind/namespace/name}. */
  public Map<String, Long> snapshot() {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Reconciles of {@code kind} since {@code before} (a {@link #snapshot}), by resource. */
  public Map<String, Long> since(Map<String, Long> before, String kind) {
    Map<String, Long> out = new TreeMap<>();
    snapshot()
        .forEach(
            (k, v) -> {
              if (k.startsWith(kind + "/")) {
                out.put(k, v - before.getOrDefault(k, 0L));
              }
            });
    return out;
  }
}
