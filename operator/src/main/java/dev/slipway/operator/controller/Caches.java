package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import java.util.List;
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

  /**
   * For caches that count Machines and read their phase and conditions, never act on them (the
   * VSphereNamespace controller's usage, the metrics): a new {@link #summary(Machine)} of each.
   * Each Machine and cluster was cached four times (three controllers and the metrics); two of the
   * copies need this little of it (docs/performance.md, optimisation 50). The informer's event
   * handlers still get the whole object as it arrived; only the cached copy is the summary.
   */
  public static ItemStore<Machine> machineSummaries() {
    return new TransformingItemStore<>(Caches::summary);
  }

  /**
   * As {@link #machineSummaries}, for TanzuKubernetesClusters ({@link
   * #summary(TanzuKubernetesCluster)}).
   */
  public static ItemStore<TanzuKubernetesCluster> clusterSummaries() {
    return new TransformingItemStore<>(Caches::summary);
  }

  /**
   * What {@link #machineSummaries} keeps of {@code m}: its identity and lifetime ({@link
   * #identity}), the VM class and cluster it is of, its phase, and its conditions without their
   * messages.
   */
  static Machine summary(Machine m) {
    Machine s = new Machine();
    s.setMetadata(identity(m.getMetadata()));
    Machine.Spec spec = new Machine.Spec();
    if (m.getSpec() != null) {
      spec.vmClass = m.getSpec().vmClass;
      spec.clusterName = m.getSpec().clusterName;
    }
    s.setSpec(spec);
    if (m.getStatus() != null) {
      Machine.Status status = new Machine.Status();
      status.phase = m.getStatus().phase;
      status.conditions = withoutMessages(m.getStatus().conditions);
      s.setStatus(status);
    }
    return s;
  }

  /** What {@link #clusterSummaries} keeps of {@code c}: identity, phase, conditions. */
  static TanzuKubernetesCluster summary(TanzuKubernetesCluster c) {
    TanzuKubernetesCluster s = new TanzuKubernetesCluster();
    s.setMetadata(identity(c.getMetadata()));
    s.setSpec(null);
    if (c.getStatus() != null) {
      TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
      status.phase = c.getStatus().phase;
      status.conditions = withoutMessages(c.getStatus().conditions);
      s.setStatus(status);
    }
    return s;
  }

  /**
   * Name, namespace, UID, resource version, generation, creation and deletion time: no labels,
   * annotations, owners, finalizers or managed fields.
   */
  private static ObjectMeta identity(ObjectMeta m) {
    ObjectMeta i = new ObjectMeta();
    if (m != null) {
      i.setName(m.getName());
      i.setNamespace(m.getNamespace());
      i.setUid(m.getUid());
      i.setResourceVersion(m.getResourceVersion());
      i.setGeneration(m.getGeneration());
      i.setCreationTimestamp(m.getCreationTimestamp());
      i.setDeletionTimestamp(m.getDeletionTimestamp());
    }
    return i;
  }

  private static List<Condition> withoutMessages(List<Condition> conditions) {
    return conditions == null
        ? null
        : conditions.stream()
            .map(
                c ->
                    new Condition(
                        c.getLastTransitionTime(),
                        null,
                        c.getObservedGeneration(),
                        c.getReason(),
                        c.getStatus(),
                        c.getType()))
            .toList();
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
