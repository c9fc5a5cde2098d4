package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus.NodePoolStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus.ReplicaCounts;
import dev.slipway.operator.plan.Rollout;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * A cluster's status as a pure function of its spec, its machines and the conditions the steps set:
 * counts per group, ControlPlaneReady, NodePoolsReady, Ready (the first condition that is not True,
 * in pipeline order, or a failed machine), version (once Ready) and phase.
 */
final class ClusterStatus {
  /**
   * The conditions that make up Ready, in the order the pipeline sets them; AddonsReady before the
   * machines' conditions because without its CNI no node becomes Ready, so a missing or broken
   * manifest is the cause a person needs to read.
   */
  static final List<String> READY_ORDER =
      List.of(
          Types.RESOURCES_RESOLVED,
          Types.BOOTSTRAP_READY,
          Types.WITHIN_NAMESPACE_LIMITS,
          // Before the counts: "replacing X (why)" or "no remediation: 3 of 5 unhealthy" says more
          // than "2 of 3 ready". True while nothing is unhealthy, so bring-up is not affected.
          Types.MACHINES_HEALTHY,
          Types.ADDONS_READY,
          Types.CONTROL_PLANE_READY,
          Types.NODE_POOLS_READY,
          Types.MACHINES_UP_TO_DATE);

  private ClusterStatus() {}

  /** Fills {@code status} and {@code cond}; returns true when the cluster just became Ready. */
  static boolean summarize(
      TanzuKubernetesCluster tkc,
      List<Machine> machines,
      Conditions cond,
      TanzuKubernetesClusterStatus status,
      Rollout rollout) {
    List<Machine> live =
        machines.stream().filter(m -> m.getMetadata().getDeletionTimestamp() == null).toList();
    controlPlane(tkc, live, cond, status);
    nodePools(tkc, live, cond, status);
    upToDate(rollout, cond);
    Optional<Machine> failed =
        live.stream()
            .filter(m -> m.getStatus() != null && "Failed".equals(m.getStatus().phase))
            .min(Comparator.comparing(m -> m.getMetadata().getName()));
    boolean wasReady = cond.isTrue(Types.READY);
    ready(cond, failed);
    if (cond.isTrue(Types.READY)) {
      // The lowest version any machine runs: it moves only once every machine runs the new one.
      status.version =
          live.stream().map(m -> m.getSpec().version).min(Versions::compare).orElse(status.version);
    }
    status.phase = phase(tkc, status, cond, failed.isPresent());
    return !wasReady && cond.isTrue(Types.READY);
  }

  private static void controlPlane(
      TanzuKubernetesCluster tkc,
      List<Machine> live,
      Conditions cond,
      TanzuKubernetesClusterStatus status) {
    int desired = ClusterMachines.controlPlaneReplicas(tkc);
    List<Machine> cps =
        live.stream().filter(m -> m.getSpec().role == Machine.Role.controlPlane).toList();
    status.controlPlane = counts(new ReplicaCounts(), desired, cps);
    int ready = status.controlPlane.readyReplicas;
    if (ready > 0 && !cond.isTrue(Types.CONTROL_PLANE_INITIALIZED)) {
      // Set once and never unset: what KubeadmBootstrap and the clone step read.
      cond.setTrue(
          Types.CONTROL_PLANE_INITIALIZED,
          Reasons.READY,
          "a control-plane machine was Ready: kubeadm init ran; no machine gets init data again");
    }
    if (ready >= desired) {
      cond.setTrue(
          Types.CONTROL_PLANE_READY, Reasons.READY, ready + " control-plane machine(s) ready");
    } else {
      cond.setFalse(
          Types.CONTROL_PLANE_READY,
          Reasons.WAITING_FOR_CONTROL_PLANE,
          ready + " of " + desired + " control-plane machine(s) ready");
    }
  }

  private static void nodePools(
      TanzuKubernetesCluster tkc,
      List<Machine> live,
      Conditions cond,
      TanzuKubernetesClusterStatus status) {
    List<NodePoolStatus> pools = new ArrayList<>();
    List<String> notReady = new ArrayList<>();
    int totalWorkers = 0;
    for (NodePool p : ClusterResolver.pools(tkc)) {
      List<Machine> ms =
          live.stream()
              .filter(
                  m ->
                      m.getSpec().role == Machine.Role.worker
                          && java.util.Objects.equals(p.name, m.getSpec().pool))
              .toList();
      int desired = p.replicas == null ? ms.size() : p.replicas;
      NodePoolStatus ps = counts(new NodePoolStatus(), desired, ms);
      ps.name = p.name;
      pools.add(ps);
      totalWorkers += desired;
      if (ps.readyReplicas < desired || ps.replicas != desired) {
        notReady.add(p.name + ": " + ps.readyReplicas + " of " + desired + " ready");
      }
    }
    status.nodePools = pools;
    status.totalWorkerReplicas = totalWorkers;
    if (notReady.isEmpty()) {
      cond.setTrue(Types.NODE_POOLS_READY, Reasons.READY, "every node pool is ready");
    } else {
      cond.setFalse(Types.NODE_POOLS_READY, Reasons.SCALING, String.join("; ", notReady));
    }
  }

  /** MachinesUpToDate: every machine built from its group's template, or the rollout's progress. */
  private static void upToDate(Rollout rollout, Conditions cond) {
    if (rollout == null) {
      return; // the pass did not plan (references do not resolve): keep what was known
    }
    Optional<Rollout.Group> blocked = rollout.blocked();
    if (blocked.isPresent()) {
      cond.setFalse(
          Types.MACHINES_UP_TO_DATE,
          Reasons.ROLLOUT_BLOCKED,
          blocked.get().label() + ": " + blocked.get().message());
    } else if (rollout.inProgress()) {
      cond.setFalse(Types.MACHINES_UP_TO_DATE, Reasons.ROLLING_OUT, rollout.summary());
    } else {
      cond.setTrue(Types.MACHINES_UP_TO_DATE, Reasons.UP_TO_DATE, "every machine is up to date");
    }
  }

  private static void ready(Conditions cond, Optional<Machine> failed) {
    Optional<Condition> blocking =
        READY_ORDER.stream()
            .map(cond::get)
            .flatMap(Optional::stream)
            .filter(c -> !Conditions.TRUE.equals(c.getStatus()))
            .findFirst();
    Optional<Condition> remediating =
        cond.get(Types.MACHINES_HEALTHY)
            .filter(
                c ->
                    Reasons.REMEDIATING.equals(c.getReason())
                        || Reasons.REMEDIATION_WAITING.equals(c.getReason()));
    if (failed.isPresent() && remediating.isPresent()) {
      // Not stalled: the failed machine is being replaced.
      cond.setFalse(
          Types.READY,
          remediating.get().getReason(),
          "machine "
              + failed.get().getMetadata().getName()
              + " failed: "
              + failureMessage(failed.get())
              + "; remediation: "
              + remediating.get().getMessage());
    } else if (failed.isPresent()) {
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
      cond.setTrue(Types.READY, Reasons.READY, "cluster is ready");
    }
  }

  private static String failureMessage(Machine m) {
    return Conditions.of(m.getStatus().conditions, null)
        .get(Types.READY)
        .map(Condition::getMessage)
        .orElse("");
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
}
