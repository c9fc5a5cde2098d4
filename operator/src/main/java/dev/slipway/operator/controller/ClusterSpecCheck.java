package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.ControlPlane;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.config.Guardrails;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What the CRD's schema and rules promise about a cluster's topology, checked again before anything
 * is planned: an object stored before a rule existed, or written past validation, must stop with a
 * condition (ResourcesResolved False, {@code InvalidSpec}) and never reach the planner, which would
 * throw on it on every reconcile, or build machines from it.
 */
final class ClusterSpecCheck {
  private ClusterSpecCheck() {}

  /** Every way the topology breaks the CRD's rules, described for a person; empty when it fits. */
  static Optional<String> invalid(TanzuKubernetesCluster tkc) {
    List<String> problems = new ArrayList<>();
    if (tkc.getSpec() == null || tkc.getSpec().topology == null) {
      return Optional.of("spec.topology is missing");
    }
    if (tkc.getSpec().topology.controlPlane == null) {
      return Optional.of("spec.topology.controlPlane is missing");
    }
    ControlPlane cp = tkc.getSpec().topology.controlPlane;
    if (cp.replicas != null && cp.replicas != 1 && cp.replicas != 3 && cp.replicas != 5) {
      problems.add(
          "spec.topology.controlPlane.replicas is " + cp.replicas + ": it must be 1, 3 or 5");
    }
    if (blank(tkc.getSpec().topology.controlPlane.vmClass)) {
      problems.add("spec.topology.controlPlane.vmClass is empty");
    }
    Set<String> names = new HashSet<>();
    List<NodePool> pools = ClusterResolver.pools(tkc);
    for (int i = 0; i < pools.size(); i++) {
      NodePool p = pools.get(i);
      String at = "spec.topology.nodePools[" + i + "]";
      if (p == null) {
        problems.add(at + " is null");
        continue;
      }
      if (blank(p.name)) {
        problems.add(at + ".name is empty");
      } else if (!names.add(p.name)) {
        problems.add(at + ".name " + p.name + " is used by two pools: names must be unique");
      }
      if (p.replicas != null
          && (p.replicas < 0 || p.replicas > Guardrails.STATIC_WORKERS_PER_POOL)) {
        problems.add(
            at
                + ".replicas is "
                + p.replicas
                + ": it must be from 0 to "
                + Guardrails.STATIC_WORKERS_PER_POOL);
      }
      if (blank(p.vmClass)) {
        problems.add(at + ".vmClass is empty");
      }
      var ru = p.strategy == null ? null : p.strategy.rollingUpdate;
      if (ru != null) {
        int surge = ru.maxSurge == null ? 1 : ru.maxSurge;
        int unavailable = ru.maxUnavailable == null ? 0 : ru.maxUnavailable;
        if (surge < 0 || surge > 100 || unavailable < 0 || unavailable > 100) {
          problems.add(
              at
                  + ".strategy.rollingUpdate: maxSurge "
                  + surge
                  + " and maxUnavailable "
                  + unavailable
                  + " must be from 0 to 100");
        } else if (surge + unavailable == 0) {
          problems.add(
              at + ".strategy.rollingUpdate: maxSurge and maxUnavailable cannot both be 0");
        }
      }
    }
    return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems));
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
