package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.api.run.v1alpha3.TopologySettings;
import dev.slipway.operator.api.run.v1alpha3.Volume;
import dev.slipway.operator.api.vmoperator.v1alpha1.VirtualMachineClass;
import dev.slipway.operator.controller.ClusterResolver.Resolved;
import dev.slipway.operator.plan.BringUp;
import dev.slipway.operator.plan.DesiredTopology;
import dev.slipway.operator.plan.MachineRole;
import dev.slipway.operator.plan.MachineTemplate;
import dev.slipway.operator.plan.MachineToCreate;
import dev.slipway.operator.plan.ObservedMachine;
import dev.slipway.operator.plan.PoolSpec;
import dev.slipway.operator.plan.RollingUpdate;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Between a cluster's spec and its Machines: what the planner is told (desired topology, observed
 * machines, whether the cluster is initialized) and the Machine objects it asks for.
 */
final class ClusterMachines {
  private ClusterMachines() {}

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

  /** The control plane or the node pool a machine belongs to. */
  static TopologySettings groupOf(TanzuKubernetesCluster tkc, Machine m) {
    return m.getSpec().role == Machine.Role.controlPlane
        ? controlPlane(tkc)
        : ClusterResolver.pools(tkc).stream()
            .filter(p -> p.name.equals(m.getSpec().pool))
            .findFirst()
            .map(p -> (TopologySettings) p)
            .orElse(controlPlane(tkc));
  }

  /**
   * The topology the spec asks for, with each group's template hash (what its machines are built
   * from) so that the planner rolls out machines built from anything else.
   */
  static DesiredTopology desired(TanzuKubernetesCluster tkc, Resolved r) {
    List<PoolSpec> pools = new ArrayList<>();
    for (NodePool p : ClusterResolver.pools(tkc)) {
      pools.add(
          new PoolSpec(
              p.name,
              p.replicas == null ? OptionalInt.empty() : OptionalInt.of(p.replicas),
              template(tkc, r, p).hash(),
              strategy(p)));
    }
    return new DesiredTopology(
        tkc.getMetadata().getName(),
        controlPlaneReplicas(tkc),
        pools,
        template(tkc, r, controlPlane(tkc)).hash());
  }

  /** What a group's machines are built from: release, image, class size, storage, volumes. */
  static MachineTemplate template(TanzuKubernetesCluster tkc, Resolved r, TopologySettings group) {
    TanzuKubernetesRelease tkr = r.release(group, controlPlane(tkc));
    VirtualMachineClass vmClass = r.classes().get(group.vmClass);
    List<MachineTemplate.Volume> volumes = new ArrayList<>();
    for (Volume v : Optional.ofNullable(group.volumes).orElse(List.of())) {
      volumes.add(
          new MachineTemplate.Volume(
              v.name,
              v.mountPath,
              Quantity.getAmountInBytes(v.capacity.storage).longValueExact(),
              v.storageClass));
    }
    return new MachineTemplate(
        tkr.getMetadata().getName(),
        tkr.getSpec().kubernetes.version,
        tkr.getSpec().osImages.get(0).contentLibrary,
        tkr.getSpec().osImages.get(0).item,
        group.vmClass,
        VmClasses.cpus(vmClass),
        Quantity.getAmountInBytes(vmClass.getSpec().hardware.memory).longValueExact(),
        group.storageClass,
        volumes);
  }

  private static RollingUpdate strategy(NodePool p) {
    var ru = p.strategy == null ? null : p.strategy.rollingUpdate;
    if (ru == null) {
      return RollingUpdate.DEFAULT;
    }
    return new RollingUpdate(
        ru.maxSurge == null ? RollingUpdate.DEFAULT.maxSurge() : ru.maxSurge,
        ru.maxUnavailable == null ? RollingUpdate.DEFAULT.maxUnavailable() : ru.maxUnavailable);
  }

  static List<ObservedMachine> observed(List<Machine> machines) {
    return machines.stream().map(ClusterMachines::observed).toList();
  }

  private static ObservedMachine observed(Machine m) {
    Map<String, String> annotations = m.getMetadata().getAnnotations();
    boolean ready = MachineReconciler.isReady(m);
    return new ObservedMachine(
        m.getMetadata().getName(),
        m.getSpec().role == Machine.Role.controlPlane
            ? MachineRole.CONTROL_PLANE
            : MachineRole.WORKER,
        m.getSpec().pool,
        Instant.parse(m.getMetadata().getCreationTimestamp()),
        annotations != null
            && annotations.containsKey(TanzuKubernetesClusterReconciler.DELETE_MACHINE_ANNOTATION),
        m.getMetadata().getDeletionTimestamp() != null,
        ready,
        m.getSpec().templateHash,
        // A Ready control-plane node has a running API server on a healthy local etcd member
        // (kubeadm's stacked etcd); the member itself is checked before one is removed.
        ready,
        failure(m));
  }

  /** Why a Failed machine failed; null for any other. */
  static String failure(Machine m) {
    if (m.getStatus() == null || !"Failed".equals(m.getStatus().phase)) {
      return null;
    }
    return m.getStatus().conditions.stream()
        .filter(c -> Types.VM_PROVISIONED.equals(c.getType()))
        .map(
            c ->
                c.getMessage() == null || c.getMessage().isBlank() ? c.getReason() : c.getMessage())
        .filter(x -> x != null && !x.isBlank())
        .findFirst()
        .orElse("failed");
  }

  /**
   * The cluster is initialized once a control-plane machine is up (see MachineReconciler), and
   * stays so once recorded (ControlPlaneInitialized), even while no control-plane machine is Ready.
   */
  static BringUp bringUp(List<Machine> machines, boolean recorded) {
    return new BringUp(
        recorded
            || machines.stream()
                .anyMatch(
                    m ->
                        m.getSpec().role == Machine.Role.controlPlane
                            && m.getMetadata().getDeletionTimestamp() == null
                            && MachineReconciler.isReady(m)));
  }

  /** The Machine the planner asked for, built from its group's settings and release. */
  static Machine newMachine(TanzuKubernetesCluster tkc, Resolved r, MachineToCreate c) {
    TopologySettings group =
        c.role() == MachineRole.CONTROL_PLANE
            ? controlPlane(tkc)
            : ClusterResolver.pools(tkc).stream()
                .filter(p -> p.name.equals(c.pool()))
                .findFirst()
                .orElseThrow();
    Machine m = new Machine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName(c.name())
            .withNamespace(tkc.getMetadata().getNamespace())
            .withLabels(labels(tkc, c))
            .withOwnerReferences(ownerReference(tkc))
            .withFinalizers(MachineReconciler.FINALIZER)
            .build());
    m.setSpec(spec(tkc, c, group, r.release(group, controlPlane(tkc))));
    VirtualMachineClass vmClass = r.classes().get(group.vmClass);
    m.getSpec().templateHash = c.templateHash();
    m.getSpec().release = r.release(group, controlPlane(tkc)).getMetadata().getName();
    m.getSpec().hardware = new Machine.Hardware();
    m.getSpec().hardware.cpus = VmClasses.cpus(vmClass);
    m.getSpec().hardware.memory = vmClass.getSpec().hardware.memory;
    return m;
  }

  private static Map<String, String> labels(TanzuKubernetesCluster tkc, MachineToCreate c) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(TanzuKubernetesClusterReconciler.CLUSTER_LABEL, tkc.getMetadata().getName());
    labels.put(
        TanzuKubernetesClusterReconciler.ROLE_LABEL,
        c.role() == MachineRole.CONTROL_PLANE ? "control-plane" : "worker");
    if (c.pool() != null) {
      labels.put(TanzuKubernetesClusterReconciler.POOL_LABEL, c.pool());
    }
    return labels;
  }

  private static Machine.Spec spec(
      TanzuKubernetesCluster tkc,
      MachineToCreate c,
      TopologySettings group,
      TanzuKubernetesRelease tkr) {
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
    return spec;
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
}
