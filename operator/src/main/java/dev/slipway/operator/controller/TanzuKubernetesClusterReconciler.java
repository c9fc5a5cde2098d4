package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus.NodePoolStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus.ReplicaCounts;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.run.v1alpha3.TopologySettings;
import dev.slipway.operator.controller.ClusterResolver.Resolved;
import dev.slipway.operator.controller.ClusterResolver.Unresolved;
import dev.slipway.operator.plan.BringUp;
import dev.slipway.operator.plan.DesiredTopology;
import dev.slipway.operator.plan.MachinePlanner;
import dev.slipway.operator.plan.MachineRole;
import dev.slipway.operator.plan.MachineToCreate;
import dev.slipway.operator.plan.MachineToDelete;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.plan.ObservedMachine;
import dev.slipway.operator.plan.Plan;
import dev.slipway.operator.plan.PoolSpec;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.EventReason;
import dev.slipway.operator.status.Events;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.Mappers;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a TanzuKubernetesCluster into Machines: resolves what it refers to, asks the planner what
 * to create and delete, checks the namespace's limits before creating anything, and summarizes its
 * machines into status. Deleting a cluster deletes its machines and waits until they (and so their
 * VMs) are gone.
 */
@ControllerConfiguration(name = "tanzukubernetescluster")
public class TanzuKubernetesClusterReconciler
    implements Reconciler<TanzuKubernetesCluster>, Cleaner<TanzuKubernetesCluster> {
  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(TanzuKubernetesClusterReconciler.class);

  public static final String CLUSTER_LABEL = "slipway.dev/cluster";
  public static final String ROLE_LABEL = "slipway.dev/role";
  public static final String POOL_LABEL = "slipway.dev/pool";
  public static final String DELETE_MACHINE_ANNOTATION = "slipway.dev/delete-machine";

  private final Events events;
  private final NameSuffixes suffixes;
  private final BootstrapData bootstrap;
  private final ClusterAccess access;
  private final WorkloadClusters workloads;

  public TanzuKubernetesClusterReconciler(
      Events events,
      NameSuffixes suffixes,
      BootstrapData bootstrap,
      ClusterAccess access,
      WorkloadClusters workloads) {
    this.events = events;
    this.suffixes = suffixes;
    this.bootstrap = bootstrap;
    this.access = access;
    this.workloads = workloads;
  }

  @Override
  public List<EventSource<?, TanzuKubernetesCluster>> prepareEventSources(
      EventSourceContext<TanzuKubernetesCluster> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Machine.class, TanzuKubernetesCluster.class)
                .withSecondaryToPrimaryMapper(
                    Mappers.fromOwnerReferences(TanzuKubernetesCluster.class, false))
                .build(),
            context));
  }

  @Override
  public UpdateControl<TanzuKubernetesCluster> reconcile(
      TanzuKubernetesCluster tkc, Context<TanzuKubernetesCluster> context) {
    TanzuKubernetesClusterStatus before =
        Statuses.copy(tkc.getStatus(), TanzuKubernetesClusterStatus.class);
    TanzuKubernetesClusterStatus status =
        tkc.getStatus() == null ? new TanzuKubernetesClusterStatus() : tkc.getStatus();
    Conditions cond = Conditions.of(status.conditions, tkc.getMetadata().getGeneration());
    List<Machine> machines = new ArrayList<>(context.getSecondaryResources(Machine.class));
    KubernetesClient client = context.getClient();

    Object resolution = new ClusterResolver(client).resolve(tkc);
    long reschedule = 0;
    if (resolution instanceof Unresolved u) {
      cond.setFalse(Types.RESOURCES_RESOLVED, u.reason(), u.message());
      events.record(tkc, EventReason.ResolutionFailed, u.message());
      reschedule = 15_000;
    } else {
      Resolved r = (Resolved) resolution;
      TanzuKubernetesRelease tkr = r.release(controlPlane(tkc), controlPlane(tkc));
      cond.setTrue(
          Types.RESOURCES_RESOLVED,
          Reasons.RESOLVED,
          "release "
              + tkr.getMetadata().getName()
              + " in namespace "
              + tkc.getMetadata().getNamespace());
      Conditions tkrCond = Conditions.of(tkr.getStatus().conditions, null);
      tkrCond
          .get(Types.COMPATIBLE)
          .ifPresent(
              c -> cond.set(Types.TKR_COMPATIBLE, c.getStatus(), c.getReason(), c.getMessage()));
      ClusterAccess.Result a = access.ensure(client, tkc);
      if (!a.ok()) {
        // Machines are still planned: they wait for bootstrap data and show this reason.
        cond.setFalse(Types.BOOTSTRAP_READY, a.problemReason(), a.problem());
        events.record(tkc, EventReason.BootstrapFailed, a.problem());
        reschedule = 15_000;
      } else {
        cond.setTrue(
            Types.BOOTSTRAP_READY,
            Reasons.READY,
            "certificates, kubeconfig and endpoint " + a.endpoint() + ":" + ClusterAccess.API_PORT);
        status.apiEndpoints =
            List.of(
                new dev.slipway.operator.api.common.ApiEndpoint(
                    a.endpoint(), ClusterAccess.API_PORT));
      }
      machines = applyPlan(tkc, context, r, machines, cond);
      if (a.ok() && !ensureBootstrapData(tkc, client, r, machines)) {
        reschedule = 5_000;
      }
    }

    summarize(tkc, status, cond, machines);
    status.conditions = cond.list();
    status.observedGeneration = tkc.getMetadata().getGeneration();
    tkc.setStatus(status);
    UpdateControl<TanzuKubernetesCluster> control =
        Statuses.changed(before, status)
            ? UpdateControl.patchStatus(tkc)
            : UpdateControl.noUpdate();
    return reschedule > 0 ? control.rescheduleAfter(reschedule) : control;
  }

  private List<Machine> applyPlan(
      TanzuKubernetesCluster tkc,
      Context<TanzuKubernetesCluster> context,
      Resolved r,
      List<Machine> machines,
      Conditions cond) {
    Plan plan = MachinePlanner.plan(desired(tkc), observed(machines), bringUp(machines), suffixes);
    List<Machine> created = new ArrayList<>();
    for (MachineToCreate c : plan.create()) {
      created.add(newMachine(tkc, r, c));
    }

    if (!created.isEmpty()) {
      Optional<String> over =
          NamespaceLimits.exceeded(
              r.namespace(),
              VSphereNamespaceReconciler.inNamespace(
                  context, Machine.class, tkc.getMetadata().getNamespace()),
              created,
              new VmClasses(context.getClient()));
      if (over.isPresent()) {
        cond.setFalse(Types.WITHIN_NAMESPACE_LIMITS, Reasons.LIMIT_EXCEEDED, over.get());
        events.record(tkc, EventReason.LimitExceeded, over.get());
        created.clear();
      } else {
        cond.setTrue(Types.WITHIN_NAMESPACE_LIMITS, Reasons.WITHIN_LIMITS, "");
      }
    } else if (!cond.isFalse(Types.WITHIN_NAMESPACE_LIMITS)) {
      cond.setTrue(Types.WITHIN_NAMESPACE_LIMITS, Reasons.WITHIN_LIMITS, "");
    }

    KubernetesClient client = context.getClient();
    List<Machine> out = new ArrayList<>(machines);
    for (Machine m : created) {
      Machine made = client.resource(m).create();
      events.record(
          tkc,
          EventReason.MachineCreated,
          "created machine " + m.getMetadata().getName() + describeGroup(m));
      out.add(made);
    }
    for (MachineToDelete d : plan.delete()) {
      client
          .resources(Machine.class)
          .inNamespace(tkc.getMetadata().getNamespace())
          .withName(d.name())
          .delete();
      events.record(
          tkc, EventReason.MachineDeleted, "deleting machine " + d.name() + ": " + d.reason());
    }
    return out;
  }

  /**
   * Gives every live machine without bootstrap data its Secret. Joining machines need the workload
   * API to create their token; false means some must wait for it.
   */
  private boolean ensureBootstrapData(
      TanzuKubernetesCluster tkc, KubernetesClient client, Resolved r, List<Machine> machines) {
    boolean all = true;
    for (Machine m : machines) {
      if (m.getMetadata().getDeletionTimestamp() != null
          || (m.getStatus() != null
              && Conditions.of(m.getStatus().conditions, null).isTrue(Types.BOOTSTRAP_READY))) {
        continue;
      }
      try {
        bootstrap.ensure(client, tkc, m, r.release(groupOf(tkc, m), controlPlane(tkc)));
      } catch (RuntimeException e) {
        LOG.info("bootstrap data for {} must wait: {}", m.getMetadata().getName(), e.getMessage());
        all = false;
      }
    }
    return all;
  }

  static TopologySettings groupOf(TanzuKubernetesCluster tkc, Machine m) {
    return m.getSpec().role == Machine.Role.controlPlane
        ? controlPlane(tkc)
        : ClusterResolver.pools(tkc).stream()
            .filter(p -> p.name.equals(m.getSpec().pool))
            .findFirst()
            .map(p -> (TopologySettings) p)
            .orElse(controlPlane(tkc));
  }

  private static String describeGroup(Machine m) {
    return m.getSpec().role == Machine.Role.controlPlane
        ? " (control plane)"
        : " (pool " + m.getSpec().pool + ")";
  }

  static TopologySettings controlPlane(TanzuKubernetesCluster tkc) {
    return tkc.getSpec().topology.controlPlane;
  }

  static int controlPlaneReplicas(TanzuKubernetesCluster tkc) {
    Integer r =
        controlPlane(tkc) instanceof dev.slipway.operator.api.run.v1alpha3.ControlPlane cp
            ? cp.replicas
            : null;
    return r == null ? 1 : r;
  }

  static DesiredTopology desired(TanzuKubernetesCluster tkc) {
    List<PoolSpec> pools = new ArrayList<>();
    for (NodePool p : ClusterResolver.pools(tkc)) {
      pools.add(
          new PoolSpec(
              p.name, p.replicas == null ? OptionalInt.empty() : OptionalInt.of(p.replicas)));
    }
    return new DesiredTopology(tkc.getMetadata().getName(), controlPlaneReplicas(tkc), pools);
  }

  static List<ObservedMachine> observed(List<Machine> machines) {
    return machines.stream()
        .map(
            m ->
                new ObservedMachine(
                    m.getMetadata().getName(),
                    m.getSpec().role == Machine.Role.controlPlane
                        ? MachineRole.CONTROL_PLANE
                        : MachineRole.WORKER,
                    m.getSpec().pool,
                    Instant.parse(m.getMetadata().getCreationTimestamp()),
                    m.getMetadata().getAnnotations() != null
                        && m.getMetadata().getAnnotations().containsKey(DELETE_MACHINE_ANNOTATION),
                    m.getMetadata().getDeletionTimestamp() != null,
                    MachineReconciler.isReady(m)))
        .toList();
  }

  /** The cluster is initialized once a control-plane machine is up (see MachineReconciler). */
  static BringUp bringUp(List<Machine> machines) {
    return new BringUp(
        machines.stream()
            .anyMatch(
                m ->
                    m.getSpec().role == Machine.Role.controlPlane
                        && m.getMetadata().getDeletionTimestamp() == null
                        && MachineReconciler.isReady(m)));
  }

  private static Machine newMachine(TanzuKubernetesCluster tkc, Resolved r, MachineToCreate c) {
    TopologySettings group =
        c.role() == MachineRole.CONTROL_PLANE
            ? controlPlane(tkc)
            : ClusterResolver.pools(tkc).stream()
                .filter(p -> p.name.equals(c.pool()))
                .findFirst()
                .orElseThrow();
    TanzuKubernetesRelease tkr = r.release(group, controlPlane(tkc));
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CLUSTER_LABEL, tkc.getMetadata().getName());
    labels.put(ROLE_LABEL, c.role() == MachineRole.CONTROL_PLANE ? "control-plane" : "worker");
    if (c.pool() != null) {
      labels.put(POOL_LABEL, c.pool());
    }
    Machine m = new Machine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName(c.name())
            .withNamespace(tkc.getMetadata().getNamespace())
            .withLabels(labels)
            .withOwnerReferences(ownerReference(tkc))
            .build());
    Machine.Spec spec = new Machine.Spec();
    spec.clusterName = tkc.getMetadata().getName();
    spec.role =
        c.role() == MachineRole.CONTROL_PLANE ? Machine.Role.controlPlane : Machine.Role.worker;
    spec.pool = c.pool();
    spec.version = tkr.getSpec().kubernetes.version;
    spec.vmClass = group.vmClass;
    spec.storageClass = group.storageClass;
    spec.volumes = group.volumes;
    spec.image = new Machine.Image();
    spec.image.contentLibrary = tkr.getSpec().osImages.get(0).contentLibrary;
    spec.image.item = tkr.getSpec().osImages.get(0).item;
    spec.bootstrap = new Machine.Bootstrap();
    spec.bootstrap.dataSecretName = BootstrapData.secretName(c.name());
    spec.failureDomain = group instanceof NodePool p ? p.failureDomain : null;
    m.setSpec(spec);
    return m;
  }

  static OwnerReference ownerReference(TanzuKubernetesCluster tkc) {
    return new OwnerReferenceBuilder()
        .withApiVersion(tkc.getApiVersion())
        .withKind(tkc.getKind())
        .withName(tkc.getMetadata().getName())
        .withUid(tkc.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  private void summarize(
      TanzuKubernetesCluster tkc,
      TanzuKubernetesClusterStatus status,
      Conditions cond,
      List<Machine> machines) {
    List<Machine> live =
        machines.stream().filter(m -> m.getMetadata().getDeletionTimestamp() == null).toList();
    int cpDesired = controlPlaneReplicas(tkc);
    List<Machine> cps =
        live.stream().filter(m -> m.getSpec().role == Machine.Role.controlPlane).toList();
    status.controlPlane = counts(new ReplicaCounts(), cpDesired, cps);
    int cpReady = status.controlPlane.readyReplicas;
    if (cpReady >= cpDesired) {
      cond.setTrue(
          Types.CONTROL_PLANE_READY, Reasons.READY, cpReady + " control-plane machine(s) ready");
    } else {
      cond.setFalse(
          Types.CONTROL_PLANE_READY,
          Reasons.WAITING_FOR_CONTROL_PLANE,
          cpReady + " of " + cpDesired + " control-plane machine(s) ready");
    }

    List<NodePoolStatus> pools = new ArrayList<>();
    List<String> notReady = new ArrayList<>();
    int totalWorkers = 0;
    for (NodePool p : ClusterResolver.pools(tkc)) {
      List<Machine> ms =
          live.stream()
              .filter(
                  m -> m.getSpec().role == Machine.Role.worker && p.name.equals(m.getSpec().pool))
              .toList();
      int desiredCount = p.replicas == null ? ms.size() : p.replicas;
      NodePoolStatus ps = counts(new NodePoolStatus(), desiredCount, ms);
      ps.name = p.name;
      pools.add(ps);
      totalWorkers += desiredCount;
      if (ps.readyReplicas < desiredCount || ps.replicas != desiredCount) {
        notReady.add(p.name + ": " + ps.readyReplicas + " of " + desiredCount + " ready");
      }
    }
    status.nodePools = pools;
    status.totalWorkerReplicas = totalWorkers;
    if (notReady.isEmpty()) {
      cond.setTrue(Types.NODE_POOLS_READY, Reasons.READY, "every node pool is ready");
    } else {
      cond.setFalse(Types.NODE_POOLS_READY, Reasons.SCALING, String.join("; ", notReady));
    }

    Optional<Machine> failed =
        live.stream()
            .filter(m -> "Failed".equals(phaseOf(m)))
            .min(Comparator.comparing(m -> m.getMetadata().getName()));
    String[] order = {
      Types.RESOURCES_RESOLVED,
      Types.BOOTSTRAP_READY,
      Types.WITHIN_NAMESPACE_LIMITS,
      Types.CONTROL_PLANE_READY,
      Types.NODE_POOLS_READY
    };
    Optional<io.fabric8.kubernetes.api.model.Condition> blocking =
        java.util.Arrays.stream(order)
            .map(cond::get)
            .flatMap(Optional::stream)
            .filter(c -> !Conditions.TRUE.equals(c.getStatus()))
            .findFirst();
    if (failed.isPresent()) {
      cond.setFalse(
          Types.READY,
          Reasons.MACHINE_FAILED,
          "machine "
              + failed.get().getMetadata().getName()
              + " failed: "
              + failureMessage(failed.get()));
    } else if (blocking.isPresent()) {
      cond.setFalse(Types.READY, blocking.get().getReason(), blocking.get().getMessage());
    } else {
      boolean wasReady = cond.isTrue(Types.READY);
      cond.setTrue(Types.READY, Reasons.READY, "cluster is ready");
      if (!wasReady) {
        events.record(tkc, EventReason.ClusterReady, "cluster is ready");
      }
      status.version =
          live.stream()
              .filter(m -> m.getSpec().role == Machine.Role.controlPlane)
              .map(m -> m.getSpec().version)
              .findFirst()
              .orElse(status.version);
    }
    status.phase = phase(tkc, status, cond, failed.isPresent());
  }

  private static String failureMessage(Machine m) {
    return m.getStatus() == null
        ? ""
        : Conditions.of(m.getStatus().conditions, null)
            .get(Types.READY)
            .map(c -> c.getMessage())
            .orElse("");
  }

  private static String phaseOf(Machine m) {
    return m.getStatus() == null ? null : m.getStatus().phase;
  }

  static String phase(
      TanzuKubernetesCluster tkc,
      TanzuKubernetesClusterStatus status,
      Conditions cond,
      boolean failed) {
    if (tkc.getMetadata().getDeletionTimestamp() != null) {
      return "deleting";
    }
    boolean everReady = status.version != null;
    if (failed) {
      return everReady ? "updateFailed" : "failed";
    }
    if (cond.isTrue(Types.READY)) {
      return "running";
    }
    return everReady ? "updating" : "creating";
  }

  private static <T extends ReplicaCounts> T counts(T c, int desired, List<Machine> ms) {
    c.desiredReplicas = desired;
    c.replicas = ms.size();
    c.readyReplicas = (int) ms.stream().filter(MachineReconciler::isReady).count();
    return c;
  }

  @Override
  public DeleteControl cleanup(
      TanzuKubernetesCluster tkc, Context<TanzuKubernetesCluster> context) {
    List<Machine> machines = new ArrayList<>(context.getSecondaryResources(Machine.class));
    if (machines.isEmpty()) {
      events.forget(tkc);
      workloads.forget(tkc.getMetadata().getNamespace(), tkc.getMetadata().getName());
      return DeleteControl.defaultDelete();
    }
    for (Machine m : machines) {
      if (m.getMetadata().getDeletionTimestamp() == null) {
        context.getClient().resource(m).delete();
      }
    }
    TanzuKubernetesClusterStatus status =
        tkc.getStatus() == null ? new TanzuKubernetesClusterStatus() : tkc.getStatus();
    if (!"deleting".equals(status.phase)) {
      Conditions cond = Conditions.of(status.conditions, tkc.getMetadata().getGeneration());
      cond.setFalse(
          Types.READY,
          Reasons.DELETING,
          "deleting " + machines.size() + " machine(s) and their VMs");
      status.conditions = cond.list();
      status.phase = "deleting";
      tkc.setStatus(status);
      context.getClient().resource(tkc).patchStatus();
    }
    return DeleteControl.noFinalizerRemoval().rescheduleAfter(2_000);
  }
}
