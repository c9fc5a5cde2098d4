package dev.slipway.operator.plan;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The machines a cluster's spec asks for.
 *
 * @param clusterName the TanzuKubernetesCluster's name, the prefix of every machine name
 * @param controlPlaneReplicas how many control-plane machines the cluster should have
 * @param pools the worker node pools, in spec order (the order they are planned and rolled out in)
 * @param controlPlaneTemplate the {@link MachineTemplate#hash()} control-plane machines should be
 *     built from; null when unknown, and then no control-plane machine is outdated
 */
public record DesiredTopology(
    String clusterName,
    int controlPlaneReplicas,
    List<PoolSpec> pools,
    String controlPlaneTemplate) {
  /** A topology whose control plane has no template hash. */
  public DesiredTopology(String clusterName, int controlPlaneReplicas, List<PoolSpec> pools) {
    this(clusterName, controlPlaneReplicas, pools, null);
  }

  public DesiredTopology {
    Objects.requireNonNull(clusterName, "clusterName");
    Objects.requireNonNull(pools, "pools of cluster " + clusterName);
    if (clusterName.isBlank()) {
      throw new IllegalArgumentException("clusterName is blank");
    }
    if (controlPlaneReplicas < 0) {
      throw new IllegalArgumentException(
          "cluster "
              + clusterName
              + " has negative control-plane replicas: "
              + controlPlaneReplicas);
    }
    Set<String> names = new HashSet<>();
    for (int i = 0; i < pools.size(); i++) {
      PoolSpec pool = Objects.requireNonNull(pools.get(i), "pool " + i + " of " + clusterName);
      // Machines find their pool by name, so two pools of one name would share machines.
      if (!names.add(pool.name())) {
        throw new IllegalArgumentException(
            "cluster " + clusterName + " has two pools named " + pool.name());
      }
    }
    pools = List.copyOf(pools);
  }
}
