package dev.slipway.operator.plan;

import java.time.Instant;
import java.util.Objects;

/**
 * A Machine of the cluster as the reconcile found it.
 *
 * @param name the Machine's name
 * @param role control plane or worker
 * @param pool the node pool of a worker; null for a control-plane machine (ignored there), and a
 *     worker without one belongs to no pool of the spec, so it is deleted
 * @param created the Machine's creation timestamp; scale-in removes the newest first
 * @param markedForDeletion the annotation {@code slipway.dev/delete-machine} is present: scale-in
 *     removes this machine before any other of its pool
 * @param deleting the Machine has a deletion timestamp: it no longer counts and is never deleted
 *     again
 * @param ready the machine's Node is Ready
 */
public record ObservedMachine(
    String name,
    MachineRole role,
    String pool,
    Instant created,
    boolean markedForDeletion,
    boolean deleting,
    boolean ready) {
  public ObservedMachine {
    Objects.requireNonNull(name, "machine name");
    Objects.requireNonNull(role, "role of machine " + name);
    Objects.requireNonNull(created, "creation time of machine " + name);
  }
}
