package dev.slipway.operator.plan;

import java.util.List;
import java.util.Objects;

/**
 * What one reconcile should do with a cluster's Machines.
 *
 * @param create Machines to create: the control plane first, then the pools in spec order
 * @param delete Machines to delete: the pools in spec order, then pools no longer in the spec
 * @param waitingFor why wanted machines were not created yet, one reason per control plane or pool
 *     that is short, for status and logs; empty when nothing wanted is held back
 */
public record Plan(
    List<MachineToCreate> create, List<MachineToDelete> delete, List<String> waitingFor) {
  public Plan {
    create = List.copyOf(Objects.requireNonNull(create, "create"));
    delete = List.copyOf(Objects.requireNonNull(delete, "delete"));
    waitingFor = List.copyOf(Objects.requireNonNull(waitingFor, "waitingFor"));
  }

  /** Nothing to create or delete this reconcile (there may still be something to wait for). */
  public boolean hasNoChanges() {
    return create.isEmpty() && delete.isEmpty();
  }
}
