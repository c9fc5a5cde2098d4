package dev.slipway.operator.controller;

/**
 * Asked before every action on a workload cluster (a write to its API server, an etcd membership
 * change); refuses it by throwing. The operator process's lease fence is one: a replica that is no
 * longer the leader must not drain, delete Nodes or remove etcd members.
 */
@FunctionalInterface
public interface WorkloadGuard {
  /** Lets every action through. */
  WorkloadGuard NONE = action -> {};

  /**
   * Returns when {@code action} may go ahead; throws otherwise.
   *
   * @param action what is about to be done, for the refusal's message (e.g. "DELETE /api/v1/...")
   */
  void check(String action);
}
