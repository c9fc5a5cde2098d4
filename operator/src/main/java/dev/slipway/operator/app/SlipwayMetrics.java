package dev.slipway.operator.app;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.operator.controller.Caches;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.SecretScope;
import dev.slipway.operator.controller.TanzuKubernetesClusterReconciler;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import dev.slipway.vsphere.CallObserver;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Slipway's own metrics, next to JOSDK's:
 *
 * <ul>
 *   <li>{@code slipway_machines{phase}}: Machines by {@code status.phase}, counted from an informer
 *       cache at scrape time (a cluster fact: every replica reports the same numbers);
 *   <li>{@code slipway_machine_provisioning_seconds}: histogram of the time from a Machine's
 *       creationTimestamp to its Ready condition turning True with phase Running, observed once per
 *       Machine;
 *   <li>{@code slipway_errors_total{kind,reason}}: conditions (other than the Ready summary) that
 *       turned False with one of the {@link #ERROR_REASONS}, on Machines, TanzuKubernetesClusters
 *       and VSphereNamespaces;
 *   <li>{@code slipway_vcenter_calls_total{method}}: calls per vSphere method of this process's
 *       vCenter connection ({@link VSphereProvider#callCounts()});
 *   <li>{@code slipway_vcenter_call_duration_seconds{method,outcome}}: histogram of how long each
 *       vCenter call took, {@code outcome} {@code success} or {@code failure} ({@link
 *       #vcenterCallTimer});
 *   <li>{@code slipway_clusters{phase}}: TanzuKubernetesClusters by {@code status.phase};
 *   <li>{@code slipway_cluster_ready{namespace,name}}: 1 while a cluster's Ready condition is True,
 *       else 0 (deleting clusters are left out);
 *   <li>{@code slipway_cluster_certificate_expiry_timestamp_seconds{namespace,name,certificate}}:
 *       when the certificates in a cluster's Secrets expire: {@code kubeconfig} (the admin client
 *       certificate Slipway itself reaches the workload cluster with, one year), {@code ca}, {@code
 *       etcd} and {@code proxy} (the cluster's CAs).
 * </ul>
 *
 * The cluster gauges, like the machine gauges, are cluster facts read from informer caches at
 * scrape time, so every replica reports the same numbers.
 *
 * <p>The provisioning histogram and the error counter count what happened while this replica was
 * the leader (the one acting), and only transitions after this process started, so two replicas or
 * a restart never count one event twice.
 */
final class SlipwayMetrics implements AutoCloseable {

  static final List<String> PHASES =
      List.of("Pending", "Provisioning", "Provisioned", "Running", "Deleting", "Failed", "Unknown");

  /** TanzuKubernetesCluster {@code status.phase} values; anything else counts as Unknown. */
  static final List<String> CLUSTER_PHASES =
      List.of("creating", "running", "updating", "failed", "updateFailed", "deleting", "Unknown");

  /** The Secrets of a cluster whose certificates are reported, by name suffix. */
  static final List<String> CERTIFICATE_SECRETS = List.of("kubeconfig", "ca", "etcd", "proxy");

  private static final Duration[] VCENTER_CALL_BUCKETS = {
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10),
    Duration.ofSeconds(30),
    Duration.ofSeconds(60)
  };

  /** Condition reasons that mean something failed (rather than "still waiting"). */
  static final Set<String> ERROR_REASONS =
      Set.of(
          Reasons.TASK_FAILED,
          Reasons.PERMANENT_FAILURE,
          Reasons.VM_MISSING,
          Reasons.STALE_INIT_DATA,
          Reasons.REMEDIATION_STOPPED,
          Reasons.TOO_MANY_UNHEALTHY,
          Reasons.INVALID_HEALTH_CHECK,
          Reasons.IMAGE_NOT_FOUND,
          Reasons.BOOTSTRAP_TOKEN_REVOKED,
          Reasons.INVALID_CLUSTER_CERTIFICATES,
          Reasons.MACHINE_FAILED,
          Reasons.VSPHERE_ERROR,
          Reasons.TKR_NOT_FOUND,
          Reasons.VERSION_DOWNGRADE,
          Reasons.VERSION_SKIP,
          Reasons.WORKER_VERSION_NEWER,
          Reasons.ROLLOUT_BLOCKED,
          Reasons.NAMESPACE_NOT_FOUND,
          Reasons.VM_CLASS_NOT_FOUND,
          Reasons.VM_CLASS_NOT_GRANTED,
          Reasons.STORAGE_CLASS_NOT_GRANTED,
          Reasons.LIBRARY_NOT_GRANTED,
          Reasons.LIMIT_EXCEEDED);

  private static final Duration[] PROVISIONING_BUCKETS = {
    Duration.ofSeconds(15),
    Duration.ofSeconds(30),
    Duration.ofMinutes(1),
    Duration.ofMinutes(2),
    Duration.ofMinutes(3),
    Duration.ofMinutes(5),
    Duration.ofMinutes(7),
    Duration.ofMinutes(10),
    Duration.ofMinutes(15),
    Duration.ofMinutes(20),
    Duration.ofMinutes(30),
    Duration.ofMinutes(60)
  };

  private final MeterRegistry registry;
  private final BooleanSupplier leader;
  private final Instant since;
  private final Timer provisioning;
  private final Set<String> provisioned = ConcurrentHashMap.newKeySet();
  private final Set<String> errorsSeen = ConcurrentHashMap.newKeySet();
  private final Set<String> vcenterMethods = ConcurrentHashMap.newKeySet();
  private final Set<dev.slipway.operator.controller.steps.Pipeline.At> cpuSteps =
      ConcurrentHashMap.newKeySet();
  private final Set<dev.slipway.operator.controller.steps.Pipeline.At> passSteps =
      ConcurrentHashMap.newKeySet();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final Map<String, SharedIndexInformer<Secret>> secretInformers =
      new ConcurrentHashMap<>();
  private SecretScope secretScope;
  private Consumer<Set<String>> secretsFollower;
  private volatile Supplier<Collection<Machine>> machines = List::of;
  private volatile Supplier<Collection<TanzuKubernetesCluster>> clusters = List::of;
  private volatile Supplier<Collection<Secret>> clusterSecrets = List::of;
  private final MultiGauge clusterReady;
  private final MultiGauge certificateExpiry;

  SlipwayMetrics(MeterRegistry registry, BooleanSupplier leader, Clock clock) {
    this.registry = registry;
    this.leader = leader;
    this.since = clock.instant();
    this.provisioning =
        Timer.builder("slipway.machine.provisioning")
            .description(
                "Time from a Machine's creation to phase Running (Ready), once per Machine")
            .serviceLevelObjectives(PROVISIONING_BUCKETS)
            .minimumExpectedValue(Duration.ofSeconds(1))
            .maximumExpectedValue(Duration.ofHours(2))
            .register(registry);
    for (String phase : PHASES) {
      Gauge.builder("slipway.machines", () -> countPhase(phase))
          .description("Machines by status.phase")
          .tag("phase", phase)
          .register(registry);
    }
    for (String phase : CLUSTER_PHASES) {
      Gauge.builder("slipway.clusters", () -> countClusterPhase(phase))
          .description("TanzuKubernetesClusters by status.phase")
          .tag("phase", phase)
          .register(registry);
    }
    clusterReady =
        MultiGauge.builder("slipway.cluster.ready")
            .description("1 while a TanzuKubernetesCluster's Ready condition is True, else 0")
            .register(registry);
    certificateExpiry =
        MultiGauge.builder("slipway.cluster.certificate.expiry.timestamp")
            .description(
                "When a certificate in a cluster's Secrets expires (Unix time): kubeconfig is the"
                    + " admin client certificate, ca, etcd and proxy the cluster's CAs")
            .baseUnit("seconds")
            .register(registry);
    Gauge.builder("slipway.leader", () -> leader.getAsBoolean() ? 1 : 0)
        .description("1 when this replica holds the leader Lease (and reconciles), else 0")
        .register(registry);
  }

  /**
   * Watches Machines, clusters and namespaces for the gauges and counters; Machines and clusters
   * are cached as summaries ({@link Caches#machineSummaries}): phase, conditions, identity.
   */
  void watch(KubernetesClient client) {
    SharedIndexInformer<Machine> m =
        inform(
            client.resources(Machine.class).inAnyNamespace(),
            Caches.machineSummaries(),
            handler(this::onMachine));
    informers.add(m);
    countMachinesFrom(() -> m.getStore().list());
    SharedIndexInformer<TanzuKubernetesCluster> c =
        inform(
            client.resources(TanzuKubernetesCluster.class).inAnyNamespace(),
            Caches.clusterSummaries(),
            handler(
                tkc -> {
                  clusterChanges.incrementAndGet();
                  onConditions(tkc, tkc.getStatus() == null ? null : tkc.getStatus().conditions);
                },
                clusterChanges::incrementAndGet));
    informers.add(c);
    countClustersFrom(
        () -> c.getStore().list(),
        () ->
            secretInformers.values().stream().flatMap(i -> i.getStore().list().stream()).toList());
    informers.add(
        inform(
            client.resources(VSphereNamespace.class),
            handler(
                n -> onConditions(n, n.getStatus() == null ? null : n.getStatus().conditions))));
  }

  /**
   * Watches the Secrets Slipway wrote for its clusters (the label) but the machines' bootstrap
   * Secrets, in the namespaces the operator may read Secrets of: one informer per namespace,
   * following {@code scope}.
   */
  void watchSecrets(KubernetesClient client, SecretScope scope) {
    secretScope = scope;
    scope.follow(secretsFollower = namespaces -> followSecrets(client, namespaces));
  }

  private synchronized void followSecrets(KubernetesClient client, Set<String> namespaces) {
    secretInformers
        .entrySet()
        .removeIf(
            e -> {
              if (namespaces.contains(e.getKey())) {
                return false;
              }
              e.getValue().close();
              return true;
            });
    for (String ns : namespaces) {
      secretInformers.computeIfAbsent(
          ns,
          n ->
              inform(
                  client
                      .secrets()
                      .inNamespace(n)
                      .withLabel(TanzuKubernetesClusterReconciler.CLUSTER_LABEL)
                      // Certificates only: a machine's bootstrap Secret (a cloud-config each)
                      // has none of the reported ones.
                      .withoutLabel(MachineReconciler.BOOTSTRAP_SECRET_LABEL),
                  Caches.withoutManagedFields(SlipwayMetrics::expiryOnly),
                  handler(
                      secret -> clusterChanges.incrementAndGet(),
                      clusterChanges::incrementAndGet)));
    }
  }

  /** The data key under which {@link #expiryOnly} keeps a certificate's expiry (Unix seconds). */
  static final String NOT_AFTER = "notAfter";

  /**
   * A cluster Secret as the gauges keep it (changed in place): its metadata, and as its only data
   * when its reported certificate expires ({@value #NOT_AFTER}), none if it has none. The keys,
   * kubeconfigs and CAs stay in the cluster controller's cache only: a second copy of every
   * cluster's Secrets was 22 MB at 1 000 clusters (docs/performance.md, optimisation 37).
   */
  static Secret expiryOnly(Secret s) {
    Optional<Instant> at = certificate(s).flatMap(which -> ClusterCertificates.notAfter(which, s));
    s.setData(at.map(i -> Map.of(NOT_AFTER, String.valueOf(i.getEpochSecond()))).orElse(null));
    s.setStringData(null);
    return s;
  }

  /** Which of {@link #CERTIFICATE_SECRETS} {@code s} is, by its name and cluster label. */
  private static Optional<String> certificate(Secret s) {
    var labels = s.getMetadata().getLabels();
    String cluster =
        labels == null ? null : labels.get(TanzuKubernetesClusterReconciler.CLUSTER_LABEL);
    String name = s.getMetadata().getName();
    if (cluster == null || name == null || !name.startsWith(cluster + "-")) {
      return Optional.empty();
    }
    String which = name.substring(cluster.length() + 1);
    return CERTIFICATE_SECRETS.contains(which) ? Optional.of(which) : Optional.empty();
  }

  /**
   * Times every vCenter call into {@code slipway_vcenter_call_duration_seconds}. Given to the
   * vCenter connection before it logs in, so logins are measured too.
   */
  static CallObserver vcenterCallTimer(MeterRegistry registry) {
    return (method, duration, failed) ->
        Timer.builder("slipway.vcenter.call.duration")
            .description("vCenter calls by vSphere method and outcome, and how long they took")
            .tag("method", method)
            .tag("outcome", failed ? "failure" : "success")
            .serviceLevelObjectives(VCENTER_CALL_BUCKETS)
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(5))
            .register(registry)
            .record(duration);
  }

  /** Where the cluster gauges read clusters and their Secrets (the informers' caches). */
  void countClustersFrom(
      Supplier<Collection<TanzuKubernetesCluster>> clusters, Supplier<Collection<Secret>> secrets) {
    this.clusters = clusters;
    this.clusterSecrets = secrets;
    clusterChanges.incrementAndGet();
  }

  /** Where the phase gauges count Machines (the informer's cache). */
  void countMachinesFrom(Supplier<Collection<Machine>> source) {
    machines = source;
  }

  /** Counts this connection's vSphere calls per method (new methods appear as they are called). */
  void vcenterCalls(VSphereProvider vsphere) {
    for (String method : vsphere.callCounts().keySet()) {
      if (vcenterMethods.add(method)) {
        FunctionCounter.builder(
                "slipway.vcenter.calls",
                vsphere,
                v -> v.callCounts().getOrDefault(method, 0L).doubleValue())
            .description("Calls made to vCenter per vSphere method (SOAP method or REST operation)")
            .tag("method", method)
            .register(registry);
      }
    }
  }

  /**
   * Counts reconcile passes per controller and the step each ended at ({@link
   * dev.slipway.operator.controller.steps.Pipeline#passes()}; new pairs appear as they happen).
   */
  void reconcilePasses() {
    for (var ended : dev.slipway.operator.controller.steps.Pipeline.passes().keySet()) {
      if (passSteps.add(ended)) {
        FunctionCounter.builder(
                "slipway.reconcile.passes",
                ended,
                e -> (double) dev.slipway.operator.controller.steps.Pipeline.passes(e))
            .description(
                "Reconcile passes by controller and the step each ended at (through: it went"
                    + " through every step; a step with (threw): it ended there with an error)")
            .tag("controller", ended.pipeline())
            .tag("step", ended.step())
            .register(registry);
      }
    }
    for (var step : dev.slipway.operator.controller.steps.Pipeline.stepCpuNanos().keySet()) {
      if (cpuSteps.add(step)) {
        FunctionCounter.builder(
                "slipway.reconcile.step.cpu",
                step,
                s -> dev.slipway.operator.controller.steps.Pipeline.stepCpuNanos(s) / 1e9)
            .description(
                "CPU time of the reconcile threads in each step of a controller's passes (work"
                    + " handed to other threads, such as an HTTP client's, is not in it)")
            .baseUnit("seconds")
            .tag("controller", step.pipeline())
            .tag("step", step.step())
            .register(registry);
      }
    }
  }

  /** {@code what}'s informer, started, its cache without managed fields ({@link Caches}). */
  private static <T extends HasMetadata> SharedIndexInformer<T> inform(
      Informable<T> what, ResourceEventHandler<? super T> handler) {
    return inform(what, Caches.withoutManagedFields(), handler);
  }

  /** {@code what}'s informer, started, its cache {@code store}; {@code handler} may be null. */
  private static <T extends HasMetadata> SharedIndexInformer<T> inform(
      Informable<T> what, ItemStore<T> store, ResourceEventHandler<? super T> handler) {
    SharedIndexInformer<T> informer = what.runnableInformer(0);
    informer.itemStore(store);
    if (handler != null) {
      informer.addEventHandler(handler);
    }
    informer.run();
    return informer;
  }

  private <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> f) {
    return handler(f, () -> {});
  }

  /** As above, {@code deleted} also run for each deletion. */
  private <T extends HasMetadata> ResourceEventHandler<T> handler(Consumer<T> f, Runnable deleted) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        f.accept(obj);
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        f.accept(newObj);
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        deleted.run();
        String uid = obj.getMetadata().getUid();
        provisioned.remove(uid);
        errorsSeen.removeIf(k -> k.startsWith(uid + "|"));
      }
    };
  }

  void onMachine(Machine m) {
    List<Condition> conditions = m.getStatus() == null ? null : m.getStatus().conditions;
    onConditions(m, conditions);
    String uid = m.getMetadata().getUid();
    if (m.getStatus() == null
        || !"Running".equals(m.getStatus().phase)
        || provisioned.contains(uid)) {
      return;
    }
    Instant created = instant(m.getMetadata().getCreationTimestamp());
    Instant ready =
        find(conditions, Types.READY)
            .filter(c -> "True".equals(c.getStatus()))
            .map(c -> instant(c.getLastTransitionTime()))
            .orElse(null);
    if (created == null || ready == null) {
      return;
    }
    provisioned.add(uid);
    if (ready.isBefore(since) || !leader.getAsBoolean()) {
      return;
    }
    Duration d = Duration.between(created, ready);
    provisioning.record(d.isNegative() ? Duration.ZERO : d);
  }

  void onConditions(HasMetadata obj, List<Condition> conditions) {
    if (conditions == null) {
      return;
    }
    for (Condition c : conditions) {
      if (Types.READY.equals(c.getType())
          || !"False".equals(c.getStatus())
          || !ERROR_REASONS.contains(c.getReason())) {
        continue;
      }
      String key =
          obj.getMetadata().getUid()
              + "|"
              + c.getType()
              + "|"
              + c.getReason()
              + "|"
              + c.getLastTransitionTime();
      if (!errorsSeen.add(key)) {
        continue;
      }
      Instant at = instant(c.getLastTransitionTime());
      if (at == null || at.isBefore(since) || !leader.getAsBoolean()) {
        continue;
      }
      Counter.builder("slipway.errors")
          .description(
              "Conditions that turned False with an error reason, by kind of object and reason")
          .tag("kind", obj.getKind())
          .tag("reason", c.getReason())
          .register(registry)
          .increment();
    }
  }

  /**
   * Brings the per-cluster gauges up to date with the caches; called before each scrape. Nothing to
   * do when no cluster and none of their Secrets changed since the last refresh: a scrape of 1 000
   * idle clusters otherwise built and compared 5 000 rows (docs/performance.md, optimisation 46).
   * An informer tells of a change just after its cache has it, so a scrape in between still reports
   * the row as it was; the next one has it.
   */
  synchronized void refreshClusters() {
    long changes = clusterChanges.get();
    if (changes == refreshedAt) {
      return;
    }
    refreshes++;
    Map<Tags, Number> ready = new LinkedHashMap<>();
    for (TanzuKubernetesCluster c : clusters.get()) {
      if (c.getMetadata().getDeletionTimestamp() != null) {
        continue;
      }
      boolean isReady =
          c.getStatus() != null
              && find(c.getStatus().conditions, Types.READY)
                  .map(x -> "True".equals(x.getStatus()))
                  .orElse(false);
      ready.put(
          Tags.of("namespace", c.getMetadata().getNamespace(), "name", c.getMetadata().getName()),
          isReady ? 1 : 0);
    }
    if (!ready.equals(readyRows)) {
      clusterReady.register(rows(ready), true);
      readyRows = ready;
      rowRegistrations++;
    }

    Map<Tags, Number> expiry = new LinkedHashMap<>();
    for (Secret s : clusterSecrets.get()) {
      Optional<String> which = certificate(s);
      String at = s.getData() == null ? null : s.getData().get(NOT_AFTER);
      if (which.isEmpty() || at == null) {
        continue;
      }
      expiry.put(
          Tags.of(
              "namespace",
              s.getMetadata().getNamespace(),
              "name",
              s.getMetadata().getLabels().get(TanzuKubernetesClusterReconciler.CLUSTER_LABEL),
              "certificate",
              which.get()),
          Long.parseLong(at));
    }
    if (!expiry.equals(expiryRows)) {
      certificateExpiry.register(rows(expiry), true);
      expiryRows = expiry;
      rowRegistrations++;
    }
    refreshedAt = changes;
  }

  /**
   * The rows registered last, and how many times rows were registered: a scrape registers them
   * again only when one changed. Registering 1 000 clusters' and 4 000 certificates' rows on every
   * read of {@code /metrics} was most of the operator's idle CPU at 1 000 clusters (the benchmark
   * reads every 2 s; docs/performance.md, optimisation 30).
   */
  private Map<Tags, Number> readyRows = Map.of();

  private Map<Tags, Number> expiryRows = Map.of();
  int rowRegistrations;

  /**
   * Events of the cluster and Secret informers (and new sources) so far, and how many of them the
   * last refresh had seen; how many refreshes built the rows (tests).
   */
  private final AtomicLong clusterChanges = new AtomicLong();

  private long refreshedAt = -1;
  int refreshes;

  private static List<MultiGauge.Row<?>> rows(Map<Tags, Number> values) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    values.forEach((tags, value) -> rows.add(MultiGauge.Row.of(tags, value)));
    return rows;
  }

  private double countClusterPhase(String phase) {
    return clusters.get().stream()
        .map(c -> c.getStatus() == null ? null : c.getStatus().phase)
        .map(p -> p == null || !CLUSTER_PHASES.contains(p) ? "Unknown" : p)
        .filter(phase::equals)
        .count();
  }

  private double countPhase(String phase) {
    return machines.get().stream().map(SlipwayMetrics::phaseOf).filter(phase::equals).count();
  }

  static String phaseOf(Machine m) {
    String p = m.getStatus() == null ? null : m.getStatus().phase;
    return p == null || !PHASES.contains(p) ? "Unknown" : p;
  }

  private static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  private static Instant instant(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  @Override
  public void close() {
    for (SharedIndexInformer<?> i : informers) {
      try {
        i.close();
      } catch (RuntimeException e) {
        // Shutting down: nothing to do about an informer that will not stop cleanly.
      }
    }
    informers.clear();
    if (secretScope != null) {
      secretScope.unfollow(secretsFollower);
    }
    secretInformers.values().forEach(SharedIndexInformer::close);
    secretInformers.clear();
  }
}
