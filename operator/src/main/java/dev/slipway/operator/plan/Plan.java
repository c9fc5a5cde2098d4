package dev.slipway.operator.plan;

import java.util.List;
import java.util.Objects;

/**
 * What one reconcile should do with a cluster's Machines.
 *
 * @param create Machines to create: the control plane first, then the pools in spec order
 * @param delete Machines to delete: the control plane (rollout) first, then the pools in spec
 *     order, then pools no longer in the spec
 * @param waitingFor why wanted machines were not created yet, one reason per control plane or pool
 *     that is short, for status and logs; empty when nothing wanted is held back
 * @param rollout how far each group is from its template, for status ("control plane 2/3 up to
 *     date, pool workers 0/4") and for the condition of a rollout that is stuck
 */
public record Plan(
    List<MachineToCreate> create,
    List<MachineToDelete> delete,
    List<String> waitingFor,
    Rollout rollout) {
  public Plan {
    create = List.copyOf(Objects.requireNonNull(create, "create"));
    delete = List.copyOf(Objects.requireNonNull(delete, "delete"));
    waitingFor = List.copyOf(Objects.requireNonNull(waitingFor, "waitingFor"));
    Objects.requireNonNull(rollout, "rollout");
  }

  /** A plan that reports no groups. */
  public Plan(List<MachineToCreate> create, List<MachineToDelete> delete, List<String> waitingFor) {
    this(create, delete, waitingFor, new Rollout(List.of()));
  }

  /** Nothing to create or delete this reconcile (there may still be something to wait for). */
  public boolean hasNoChanges() {
    return create.isEmpty() && delete.isEmpty();
  }
}
