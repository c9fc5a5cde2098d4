package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.config.Guardrails;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/** A cluster's spec and machines against the {@link Guardrails}: pure, unit-tested. */
final class ClusterGuardrails {
  private ClusterGuardrails() {}

  /** Phases of a machine that is no longer being provisioned. */
  private static final Set<String> SETTLED = Set.of("Running", "Failed");

  /** Every ceiling the spec is over, described for a person; empty when it fits. */
  static Optional<String> exceeded(
      Guardrails g, TanzuKubernetesCluster tkc, Collection<Machine> machines) {
    List<String> over = new ArrayList<>();
    // long: pools of huge replicas must not add up past Integer.MAX_VALUE to a small total.
    long total = ClusterMachines.controlPlaneReplicas(tkc);
    for (NodePool pool : ClusterResolver.pools(tkc)) {
      int n =
          pool.replicas != null
              ? pool.replicas
              : (int)
                  machines.stream()
                      .filter(m -> m.getSpec().role == Machine.Role.worker)
                      .filter(m -> Objects.equals(pool.name, m.getSpec().pool))
                      .count();
      if (n > g.maxWorkersPerPool()) {
        over.add(
            String.format(
                "node pool %s asks for %d workers; at most %d per pool"
                    + " (guardrails.maxWorkersPerPool)",
                pool.name, n, g.maxWorkersPerPool()));
      }
      total += n;
    }
    if (total > g.maxMachinesPerCluster()) {
      over.add(
          String.format(
              "the cluster asks for %d machines; at most %d per cluster"
                  + " (guardrails.maxMachinesPerCluster)",
              total, g.maxMachinesPerCluster()));
    }
    return over.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", over));
  }

  /**
   * Machines of the cluster still being provisioned: not being deleted, not Failed, and neither
   * Running (their Node exists) nor Ready.
   */
  static int inFlight(Collection<Machine> machines) {
    return (int)
        machines.stream()
            .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
            .filter(m -> !settled(m))
            .count();
  }

  private static boolean settled(Machine m) {
    return m.getStatus() != null
        && ((m.getStatus().phase != null && SETTLED.contains(m.getStatus().phase))
            || Conditions.of(m.getStatus().conditions, null).isTrue(Types.READY));
  }
}
