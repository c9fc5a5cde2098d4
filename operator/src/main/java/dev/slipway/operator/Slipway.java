package dev.slipway.operator;

import dev.slipway.operator.config.AddonSettings;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.config.Placement;
import dev.slipway.operator.config.VipPool;
import dev.slipway.operator.controller.BootstrapData;
import dev.slipway.operator.controller.Caches;
import dev.slipway.operator.controller.ClusterAccess;
import dev.slipway.operator.controller.ClusterSecrets;
import dev.slipway.operator.controller.KubeadmBootstrap;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.NodeObserver;
import dev.slipway.operator.controller.ReleaseSync;
import dev.slipway.operator.controller.Requeue;
import dev.slipway.operator.controller.SecretScope;
import dev.slipway.operator.controller.TanzuKubernetesClusterReconciler;
import dev.slipway.operator.controller.TanzuKubernetesReleaseReconciler;
import dev.slipway.operator.controller.VSphereNamespaceReconciler;
import dev.slipway.operator.controller.VSphereTags;
import dev.slipway.operator.controller.WorkloadClusters;
import dev.slipway.operator.controller.WorkloadGuard;
import dev.slipway.operator.controller.WorkloadNodes;
import dev.slipway.operator.plan.MachinePlanner;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.status.Events;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationServiceOverrider;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Slipway's control loops in one process: the VSphereNamespace, TanzuKubernetesRelease,
 * TanzuKubernetesCluster and Machine controllers on one JOSDK operator, sharing one vCenter
 * connection. Used by the operator's main, the local demo and the end-to-end tests.
 */
public final class Slipway implements AutoCloseable {

  /**
   * Everything the loops need; built by the caller. {@code bootstrap} and {@code nodes} may be null
   * for the real ones (kubeadm cloud-init, Nodes read from the workload clusters).
   */
  /** The operator's namespace when the caller does not say (deploy/ uses it). */
  public static final String DEFAULT_NAMESPACE = "slipway-system";

  public record Wiring(
      KubernetesClient client,
      VSphereProvider vsphere,
      Placement placement,
      VipPool vips,
      BootstrapData bootstrap,
      NodeObserver nodes,
      LeaderElection leaderElection,
      int reconcileThreads,
      Requeue.Backoff backoff,
      TanzuKubernetesClusterReconciler.MachineView machineView,
      Guardrails guardrails,
      String operatorNamespace,
      AddonSettings addons,
      ReleaseSync.Settings releaseSync,
      WorkloadGuard workloadGuard) {
    public Wiring {
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(vsphere, "vsphere");
      Objects.requireNonNull(placement, "placement");
      Objects.requireNonNull(vips, "vips");
      backoff = backoff == null ? Requeue.Backoff.defaults() : backoff;
      machineView =
          machineView == null ? TanzuKubernetesClusterReconciler.MachineView.INFORMER : machineView;
      guardrails = guardrails == null ? Guardrails.defaults() : guardrails;
      operatorNamespace = operatorNamespace == null ? DEFAULT_NAMESPACE : operatorNamespace;
      addons = addons == null ? AddonSettings.defaults() : addons;
      releaseSync = releaseSync == null ? ReleaseSync.Settings.DEFAULTS : releaseSync;
      workloadGuard = workloadGuard == null ? WorkloadGuard.NONE : workloadGuard;
    }

    /** The defaults for everything after {@code reconcileThreads}. */
    public Wiring(
        KubernetesClient client,
        VSphereProvider vsphere,
        Placement placement,
        VipPool vips,
        BootstrapData bootstrap,
        NodeObserver nodes,
        LeaderElection leaderElection,
        int reconcileThreads) {
      this(
          client,
          vsphere,
          placement,
          vips,
          bootstrap,
          nodes,
          leaderElection,
          reconcileThreads,
          null,
          null,
          null,
          null,
          null,
          null,
          null);
    }

    public Wiring withBackoff(Requeue.Backoff b) {
      return edit(p -> p.backoff = b);
    }

    public Wiring withMachineView(TanzuKubernetesClusterReconciler.MachineView view) {
      return edit(p -> p.machineView = view);
    }

    public Wiring withGuardrails(Guardrails g) {
      return edit(p -> p.guardrails = g);
    }

    /** Where the operator keeps its own objects (VIP claims, addon manifests): its namespace. */
    public Wiring withOperatorNamespace(String ns) {
      return edit(p -> p.operatorNamespace = ns);
    }

    /** Where the addon manifests live and the default CNI. */
    public Wiring withAddons(AddonSettings a) {
      return edit(p -> p.addons = a);
    }

    /** The release sync's own libraries and interval. */
    public Wiring withReleaseSync(ReleaseSync.Settings s) {
      return edit(p -> p.releaseSync = s);
    }

    /**
     * Sees every request to a workload cluster first (the operator process's lease fence: no write
     * to a workload cluster from a replica that is no longer the leader).
     */
    public Wiring withWorkloadGuard(WorkloadGuard guard) {
      return edit(p -> p.workloadGuard = guard);
    }

    private Wiring edit(Consumer<Parts> change) {
      Parts p = new Parts(this);
      change.accept(p);
      return p.build();
    }

    /** A Wiring's components, changeable: what the {@code with...} methods copy and change. */
    private static final class Parts {
      KubernetesClient client;
      VSphereProvider vsphere;
      Placement placement;
      VipPool vips;
      BootstrapData bootstrap;
      NodeObserver nodes;
      LeaderElection leaderElection;
      int reconcileThreads;
      Requeue.Backoff backoff;
      TanzuKubernetesClusterReconciler.MachineView machineView;
      Guardrails guardrails;
      String operatorNamespace;
      AddonSettings addons;
      ReleaseSync.Settings releaseSync;
      WorkloadGuard workloadGuard;

      Parts(Wiring w) {
        client = w.client;
        vsphere = w.vsphere;
        placement = w.placement;
        vips = w.vips;
        bootstrap = w.bootstrap;
        nodes = w.nodes;
        leaderElection = w.leaderElection;
        reconcileThreads = w.reconcileThreads;
        backoff = w.backoff;
        machineView = w.machineView;
        guardrails = w.guardrails;
        operatorNamespace = w.operatorNamespace;
        addons = w.addons;
        releaseSync = w.releaseSync;
        workloadGuard = w.workloadGuard;
      }

      Wiring build() {
        return new Wiring(
            client,
            vsphere,
            placement,
            vips,
            bootstrap,
            nodes,
            leaderElection,
            reconcileThreads,
            backoff,
            machineView,
            guardrails,
            operatorNamespace,
            addons,
            releaseSync,
            workloadGuard);
      }
    }
  }

  /**
   * What JOSDK does when a reconcile throws (an API call that timed out or was refused, a workload
   * client closed under it): try again after 2 s, 1.5 times longer each time up to 2 minutes, and
   * never give up. JOSDK's default gives up after 5 attempts (about 26 s) and then waits for the
   * next change of the resource, up to 10 hours: a machine or cluster could sit unfinished with
   * nothing to say why.
   */
  static GenericRetry retry() {
    return new GenericRetry()
        .setInitialInterval(2_000)
        .setIntervalMultiplier(1.5)
        .setMaxInterval(120_000)
        .withoutMaxAttempts();
  }

  /**
   * A Lease in {@code namespace}; {@code exitOnStopLeading} ends the JVM when leadership is lost
   * (right for a Deployment's pod, wrong in a test JVM).
   */
  public record LeaderElection(
      String leaseName, String namespace, String identity, boolean exitOnStopLeading) {}

  private final Operator operator;
  private final WorkloadClusters workloads;
  private final ReleaseSync releaseSync;
  private final SecretScope secrets;

  private Slipway(
      Operator operator, WorkloadClusters workloads, ReleaseSync releaseSync, SecretScope secrets) {
    this.secrets = secrets;
    this.operator = operator;
    this.workloads = workloads;
    this.releaseSync = releaseSync;
  }

  public static Slipway start(Wiring w) {
    return start(w, o -> {});
  }

  /**
   * As {@link #start(Wiring)}, then {@code overrides} on JOSDK's configuration: what the operator
   * process adds (metrics, leader-election callbacks, shutdown timeout).
   */
  public static Slipway start(Wiring w, Consumer<ConfigurationServiceOverrider> overrides) {
    Operator operator =
        new Operator(
            o -> {
              // Finalizers by JSON patch, not server-side apply: an apply of the finalizer to a
              // Machine that was deleted meanwhile would create it again, without a spec.
              o.withKubernetesClient(w.client())
                  .withUseSSAToPatchPrimaryResource(false)
                  .withCloseClientOnStop(false)
                  .withStopOnInformerErrorDuringStartup(true);
              if (w.reconcileThreads() > 0) {
                o.withConcurrentReconciliationThreads(w.reconcileThreads());
              }
              if (w.leaderElection() != null) {
                LeaderElection le = w.leaderElection();
                o.withLeaderElectionConfiguration(
                    LeaderElectionTimings.SLIPWAY
                        .builder(le.leaseName())
                        .withLeaseNamespace(le.namespace())
                        .withIdentity(le.identity())
                        .withExitOnStopLeading(le.exitOnStopLeading())
                        .build());
              }
              overrides.accept(o);
            });
    Events events = new Events(w.client());
    // The cluster controller's informer of cluster Secrets serves every reader of them.
    ClusterSecrets clusterSecrets = new ClusterSecrets();
    WorkloadClusters workloads = new WorkloadClusters(w.workloadGuard(), clusterSecrets);
    BootstrapData bootstrap =
        w.bootstrap() != null
            ? w.bootstrap()
            : new KubeadmBootstrap(workloads, w.operatorNamespace());
    NodeObserver nodes =
        w.nodes() != null ? w.nodes() : new WorkloadNodes(w.client(), workloads, events);
    NameSuffixes suffixes = MachinePlanner.randomSuffixes(new SecureRandom());
    // Each reconciler gets only the parts of the vCenter client it uses.
    VSphereProvider v = w.vsphere();
    VSphereTags tags = new VSphereTags(v, events);
    SecretScope secrets = new SecretScope(w.operatorNamespace());
    operator.register(
        new VSphereNamespaceReconciler(v, w.placement(), events, tags, w.guardrails(), secrets),
        o -> o.withRetry(retry()).withItemStore(Caches.withoutManagedFields()));
    TanzuKubernetesReleaseReconciler releases = new TanzuKubernetesReleaseReconciler(v);
    operator.register(
        releases, o -> o.withRetry(retry()).withItemStore(Caches.withoutManagedFields()));
    operator.register(
        new TanzuKubernetesClusterReconciler(
            events,
            suffixes,
            bootstrap,
            new ClusterAccess(w.vips(), w.operatorNamespace(), clusterSecrets),
            workloads,
            w.machineView(),
            w.guardrails(),
            w.addons(),
            secrets,
            tags),
        o -> o.withRetry(retry()).withItemStore(Caches.withoutManagedFields()));
    operator.register(
        new MachineReconciler(
            v, v, v, v, v, w.placement(), events, nodes, w.backoff(), workloads, tags, secrets),
        o -> o.withRetry(retry()).withItemStore(Caches.withoutManagedFields()));
    try {
      operator.start();
    } catch (RuntimeException e) {
      // Informers that did start would keep the JVM busy.
      try {
        operator.stop();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      workloads.close();
      throw e;
    }
    ReleaseSync sync =
        new ReleaseSync(
            w.client(), v, w.releaseSync(), () -> processing(operator), releases::recheck);
    try {
      sync.start();
    } catch (RuntimeException e) {
      sync.close();
      operator.stop();
      workloads.close();
      throw e;
    }
    return new Slipway(operator, workloads, sync, secrets);
  }

  public Operator operator() {
    return operator;
  }

  /** The namespaces whose Secrets this operator reads (its informers follow them). */
  public SecretScope secretScope() {
    return secrets;
  }

  /**
   * Whether this process reconciles: JOSDK processes events only while it holds the Lease (or
   * always, without leader election). The release sync writes only then.
   */
  private static boolean processing(Operator operator) {
    var c =
        operator.getRuntimeInfo().getRegisteredController(TanzuKubernetesReleaseReconciler.NAME);
    return c instanceof io.javaoperatorsdk.operator.processing.Controller<?> controller
        && controller.getEventProcessor().isRunning();
  }

  @Override
  public void close() {
    releaseSync.close();
    operator.stop();
    workloads.close();
  }
}
