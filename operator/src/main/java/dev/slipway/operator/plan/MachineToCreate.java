package dev.slipway.operator.plan;

import java.util.Objects;

/**
 * A Machine the reconcile should create.
 *
 * @param name the new Machine's name, free among the cluster's Machines
 * @param role control plane or worker
 * @param pool the node pool of a worker; null for a control-plane machine
 * @param templateHash the template hash of the machine's group ({@link
 *     DesiredTopology#controlPlaneTemplate()} or {@link PoolSpec#template()}), to be stamped into
 *     the new Machine's {@code spec.templateHash}; null when the group has none
 */
public record MachineToCreate(String name, MachineRole role, String pool, String templateHash) {
  public MachineToCreate {
    Objects.requireNonNull(name, "machine name");
    Objects.requireNonNull(role, "role of machine " + name);
    if ((role == MachineRole.WORKER) != (pool != null)) {
      throw new IllegalArgumentException(
          "machine " + name + ": a worker needs a pool and a control-plane machine has none");
    }
  }

  /** A machine of a group without a template hash. */
  public MachineToCreate(String name, MachineRole role, String pool) {
    this(name, role, pool, null);
  }
}
