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
 * @param created the Machine's creation timestamp; scale-in removes the newest first, a rollout
 *     replaces the oldest first
 * @param markedForDeletion the annotation {@code slipway.dev/delete-machine} is present: scale-in
 *     removes this machine before any other of its pool
 * @param deleting the Machine has a deletion timestamp: it no longer counts and is never deleted
 *     again
 * @param ready the machine's Node is Ready
 * @param templateHash the {@link MachineTemplate#hash()} the machine was built from ({@code
 *     spec.templateHash}); null for a machine built before machines recorded one, which is outdated
 *     as soon as its group has a template
 * @param etcdHealthy for a control-plane machine: its etcd member is a healthy voting member of the
 *     cluster; ignored for workers
 * @param failure why the machine failed for good (phase Failed), for conditions; null while it has
 *     not failed
 */
public record ObservedMachine(
    String name,
    MachineRole role,
    String pool,
    Instant created,
    boolean markedForDeletion,
    boolean deleting,
    boolean ready,
    String templateHash,
    boolean etcdHealthy,
    String failure) {
  public ObservedMachine {
    Objects.requireNonNull(name, "machine name");
    Objects.requireNonNull(role, "role of machine " + name);
    Objects.requireNonNull(created, "creation time of machine " + name);
    if (failure != null && failure.isBlank()) {
      throw new IllegalArgumentException("machine " + name + " failed without a reason");
    }
  }

  /**
   * A machine without a template hash or failure; a control-plane machine's etcd member is taken to
   * be healthy exactly when the machine is ready.
   */
  public ObservedMachine(
      String name,
      MachineRole role,
      String pool,
      Instant created,
      boolean markedForDeletion,
      boolean deleting,
      boolean ready) {
    this(name, role, pool, created, markedForDeletion, deleting, ready, null, ready, null);
  }

  /** The machine has failed for good and will not become ready by itself. */
  public boolean failed() {
    return failure != null;
  }

  /**
   * The machine serves its role: Ready and not failed, and for a control-plane machine also a
   * healthy etcd member. Rollouts count only such machines as replacements.
   */
  public boolean healthy() {
    return ready && !failed() && (role == MachineRole.WORKER || etcdHealthy);
  }

  /**
   * Built from another template than {@code wanted}; never outdated when {@code wanted} is null.
   */
  public boolean outdated(String wanted) {
    return wanted != null && !wanted.equals(templateHash);
  }

  public ObservedMachine withTemplateHash(String hash) {
    return new ObservedMachine(
        name, role, pool, created, markedForDeletion, deleting, ready, hash, etcdHealthy, failure);
  }

  public ObservedMachine withReady(boolean isReady, boolean isEtcdHealthy) {
    return new ObservedMachine(
        name,
        role,
        pool,
        created,
        markedForDeletion,
        deleting,
        isReady,
        templateHash,
        isEtcdHealthy,
        failure);
  }

  public ObservedMachine withFailure(String why) {
    return new ObservedMachine(
        name,
        role,
        pool,
        created,
        markedForDeletion,
        deleting,
        ready,
        templateHash,
        etcdHealthy,
        why);
  }

  public ObservedMachine withDeleting() {
    return new ObservedMachine(
        name,
        role,
        pool,
        created,
        markedForDeletion,
        true,
        ready,
        templateHash,
        etcdHealthy,
        failure);
  }
}
