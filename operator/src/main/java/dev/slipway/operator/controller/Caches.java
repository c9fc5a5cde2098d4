package dev.slipway.operator.controller;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.function.UnaryOperator;

/**
 * What Slipway's informer caches keep of an object: all of it but {@code metadata.managedFields},
 * which no controller reads and which was the larger part of a cached Machine or cluster (a nested
 * map per field each manager set: every condition of every status writer). An object written back
 * from the cache without them loses nothing: the API server keeps the live object's managed fields
 * when a write (other than an apply) brings none, so that clients unaware of them cannot drop them.
 */
public final class Caches {
  private Caches() {}

  /** A store for an informer (JOSDK's {@code withItemStore}, fabric8's {@code itemStore}). */
  public static <R extends HasMetadata> ItemStore<R> withoutManagedFields() {
    return new TransformingItemStore<>(Caches::pruned);
  }

  /** As {@link #withoutManagedFields}, then {@code then} (in place too). */
  public static <R extends HasMetadata> ItemStore<R> withoutManagedFields(UnaryOperator<R> then) {
    return new TransformingItemStore<>(r -> then.apply(pruned(r)));
  }

  /**
   * For Secrets: as {@link #withoutManagedFields}, and a machine's bootstrap Secret (labelled
   * {@value MachineReconciler#BOOTSTRAP_SECRET_LABEL}) without its data. Its cloud-config holds the
   * cluster's CA keys (25 KB for a control-plane machine), is read once, to clone the machine's VM
   * ({@link Lookups#bootstrapData}, a GET), and was cached three times over: 9 of the 43 MB of byte
   * arrays in the heap at 100 clusters (docs/performance.md, optimisation 32). What the caches are
   * asked of it stays: that it exists, its labels, annotations and owner.
   */
  public static ItemStore<Secret> secretsWithoutBootstrapData() {
    return new TransformingItemStore<>(Caches::pruned);
  }

  /** {@code s} as {@link #secretsWithoutBootstrapData} keeps it (changed in place). */
  static Secret pruned(Secret s) {
    pruned((HasMetadata) s);
    var labels = s.getMetadata() == null ? null : s.getMetadata().getLabels();
    if (labels != null && labels.containsKey(MachineReconciler.BOOTSTRAP_SECRET_LABEL)) {
      s.setData(null);
      s.setStringData(null);
    }
    return s;
  }

  /** {@code r} without its managed fields (changed in place: the informer's own copy). */
  static <R extends HasMetadata> R pruned(R r) {
    if (r.getMetadata() != null) {
      r.getMetadata().setManagedFields(null);
    }
    return r;
  }
}
