package dev.slipway.demo;

import dev.slipway.e2e.SlipwayEnv;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What the demo prints once its cluster is Ready: how to look at both clusters, and commands to
 * paste for a scale and a machine deletion against the running cluster, and what an upgrade does
 * today. Every command is one line, and says only what this version does.
 */
final class TryIt {
  private TryIt() {}

  /**
   * @param kubectlDir the test bed's bin directory (kubectl)
   * @param plugin cli/target/kubectl-slipway, or null when the CLI was not packaged
   */
  static String text(
      TanzuKubernetesCluster tkc,
      List<Machine> machines,
      Path kubectlDir,
      Path plugin,
      Path managementKubeconfig,
      Path workloadKubeconfig) {
    String ns = tkc.getMetadata().getNamespace();
    String name = tkc.getMetadata().getName();
    StringBuilder out = new StringBuilder();
    String path = kubectlDir + (plugin == null ? "" : ":" + plugin.getParent());
    out.append("Try it from another shell while this runs (Ctrl-C here stops everything):\n")
        .append("  export PATH=\"")
        .append(path)
        .append(":$PATH\" KUBECONFIG=")
        .append(managementKubeconfig)
        .append('\n')
        .append("  kubectl get tkc,vsm -n ")
        .append(ns)
        .append('\n');
    if (plugin != null) {
      out.append("  kubectl slipway describe cluster ")
          .append(name)
          .append(" -n ")
          .append(ns)
          .append('\n');
    }
    out.append("  kubectl --kubeconfig ").append(workloadKubeconfig).append(" get nodes\n");

    List<NodePool> pools = tkc.getSpec().topology.nodePools;
    Optional<Integer> scalable = firstManagedPool(pools);
    scalable.ifPresent(
        i -> {
          NodePool pool = pools.get(i);
          out.append("\nScale pool ")
              .append(pool.name)
              .append(" from ")
              .append(pool.replicas)
              .append(" to ")
              .append(pool.replicas + 1)
              .append(" workers; a new Machine, its VM and its Node appear:\n")
              .append("  kubectl patch tkc ")
              .append(name)
              .append(" -n ")
              .append(ns)
              .append(" --type json -p '[{\"op\":\"replace\",\"path\":\"/spec/topology/nodePools/")
              .append(i)
              .append("/replicas\",\"value\":")
              .append(pool.replicas + 1)
              .append("}]'\n");
        });

    String scaledPool = scalable.map(i -> pools.get(i).name).orElse(null);
    workerToDelete(machines, scaledPool, pools)
        .ifPresent(
            m ->
                out.append("\nDelete a machine; Slipway drains its Node, destroys its VM, deletes")
                    .append(" the Node and, as pool ")
                    .append(m.getSpec().pool)
                    .append(" still wants ")
                    .append(replicas(pools, m.getSpec().pool))
                    .append(", makes a new Machine:\n")
                    .append("  kubectl delete vsm ")
                    .append(m.getMetadata().getName())
                    .append(" -n ")
                    .append(ns)
                    .append('\n'));

    out.append("\nUpgrade to the demo's later release (kubectl get tkr); the control plane, then")
        .append(" each pool,\nis replaced one machine at a time, each new one Ready before an old")
        .append(" one is drained and goes:\n")
        .append("  kubectl patch tkc ")
        .append(name)
        .append(" -n ")
        .append(ns)
        .append(" --type merge -p '{\"spec\":{\"topology\":{\"controlPlane\":{\"tkr\":")
        .append("{\"reference\":{\"name\":\"")
        .append(SlipwayEnv.NEXT_RELEASE)
        .append("\"}}}}}}'\n")
        .append("\nMachine changes are reported here as they happen.\n\n");
    return out.toString();
  }

  /** The first pool with a replica count (a pool without one is left to an autoscaler). */
  private static Optional<Integer> firstManagedPool(List<NodePool> pools) {
    for (int i = 0; pools != null && i < pools.size(); i++) {
      if (pools.get(i).replicas != null) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** A worker of a managed pool other than the one the scale example grows, if there is one. */
  private static Optional<Machine> workerToDelete(
      List<Machine> machines, String scaledPool, List<NodePool> pools) {
    return machines.stream()
        .filter(m -> m.getSpec().role == Machine.Role.worker)
        .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
        .filter(m -> replicas(pools, m.getSpec().pool) != null)
        .sorted(
            Comparator.comparing((Machine m) -> m.getSpec().pool.equals(scaledPool))
                .thenComparing(m -> m.getMetadata().getName()))
        .findFirst();
  }

  private static Integer replicas(List<NodePool> pools, String pool) {
    return pools == null
        ? null
        : pools.stream()
            .filter(p -> p.name.equals(pool))
            .map(p -> p.replicas)
            .findFirst()
            .orElse(null);
  }
}
