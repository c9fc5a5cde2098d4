package dev.slipway.operator.plan;

import java.util.Objects;

/**
 * A Machine the reconcile should delete.
 *
 * @param name the Machine's name
 * @param reason why, for events and logs, e.g. {@code pool workers scaled from 4 to 1}
 */
public record MachineToDelete(String name, String reason) {
  public MachineToDelete {
    Objects.requireNonNull(name, "machine name");
    Objects.requireNonNull(reason, "reason to delete machine " + name);
  }
}
