package dev.slipway.operator.config;

/**
 * Ceilings that keep a typo from starting thousands of clones: workers per node pool, machines per
 * cluster and per namespace, and how many machines of one cluster may be provisioning at once. The
 * API refuses specs over the first two (the admission policy {@code slipway-guardrails} in
 * deploy/25-admission-policy.yaml holds the same numbers; the Helm chart sets both from one value)
 * and the cluster controller refuses them too; the namespace's ResourceQuota and the cluster
 * controller hold the third; the cluster controller paces creation by the fourth.
 */
public record Guardrails(
    int maxWorkersPerPool,
    int maxMachinesPerCluster,
    int maxMachinesPerNamespace,
    int maxMachinesInFlightPerCluster) {

  /** The CRD's own, static ceiling on a pool's replicas; configuration stays below it. */
  public static final int STATIC_WORKERS_PER_POOL = 1000;

  public static final int DEFAULT_WORKERS_PER_POOL = 100;
  public static final int DEFAULT_MACHINES_PER_CLUSTER = 500;
  public static final int DEFAULT_MACHINES_PER_NAMESPACE = 1000;
  public static final int DEFAULT_IN_FLIGHT_PER_CLUSTER = 10;

  public Guardrails {
    if (maxWorkersPerPool < 1
        || maxMachinesPerCluster < 1
        || maxMachinesPerNamespace < 1
        || maxMachinesInFlightPerCluster < 1) {
      throw new IllegalArgumentException("every guardrail must be 1 or more");
    }
  }

  public static Guardrails defaults() {
    return new Guardrails(
        DEFAULT_WORKERS_PER_POOL,
        DEFAULT_MACHINES_PER_CLUSTER,
        DEFAULT_MACHINES_PER_NAMESPACE,
        DEFAULT_IN_FLIGHT_PER_CLUSTER);
  }
}
