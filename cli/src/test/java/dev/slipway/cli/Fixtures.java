package dev.slipway.cli;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.ControlPlane;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterSpec;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.api.run.v1alpha3.Topology;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Hand-built API objects for tests, shaped as the controllers write them. */
final class Fixtures {
  private Fixtures() {}

  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  /** A cluster with {@code cp} control-plane replicas and pools "name=replicas" (null: unset). */
  static TanzuKubernetesCluster cluster(String name, int cp, String... pools) {
    TanzuKubernetesCluster tkc = new TanzuKubernetesCluster();
    tkc.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("team-a").build());
    TanzuKubernetesClusterSpec spec = new TanzuKubernetesClusterSpec();
    spec.topology = new Topology();
    spec.topology.controlPlane = new ControlPlane();
    spec.topology.controlPlane.replicas = cp;
    spec.topology.controlPlane.vmClass = "guaranteed-medium";
    spec.topology.controlPlane.storageClass = "gold";
    spec.topology.nodePools = new ArrayList<>();
    for (String p : pools) {
      String[] parts = p.split("=");
      NodePool pool = new NodePool();
      pool.name = parts[0];
      pool.replicas = parts[1].equals("null") ? null : Integer.valueOf(parts[1]);
      pool.vmClass = "best-effort-small";
      pool.storageClass = "gold";
      spec.topology.nodePools.add(pool);
    }
    tkc.setSpec(spec);
    tkc.setStatus(new TanzuKubernetesClusterStatus());
    return tkc;
  }

  static TanzuKubernetesCluster withConditions(TanzuKubernetesCluster tkc, Condition... cs) {
    tkc.getStatus().conditions = new ArrayList<>(List.of(cs));
    return tkc;
  }

  static Machine controlPlane(String cluster, String name, Condition... cs) {
    return machine(cluster, name, Machine.Role.controlPlane, null, cs);
  }

  static Machine worker(String cluster, String pool, String name, Condition... cs) {
    return machine(cluster, name, Machine.Role.worker, pool, cs);
  }

  static Machine machine(
      String cluster, String name, Machine.Role role, String pool, Condition... cs) {
    Machine m = new Machine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace("team-a")
            .withUid("uid-" + name)
            .withCreationTimestamp(NOW.minusSeconds(3600).toString())
            .build());
    Machine.Spec spec = new Machine.Spec();
    spec.clusterName = cluster;
    spec.role = role;
    spec.pool = pool;
    spec.version = "v1.37.2+vmware.1";
    spec.vmClass = "best-effort-small";
    spec.storageClass = "gold";
    m.setSpec(spec);
    Machine.Status status = new Machine.Status();
    status.conditions = new ArrayList<>(List.of(cs));
    m.setStatus(status);
    return m;
  }

  /** A condition that changed {@code agoSeconds} before {@link #NOW}. */
  static Condition cond(
      String type, String status, String reason, String message, long agoSeconds) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(NOW.minusSeconds(agoSeconds).toString())
        .build();
  }
}
