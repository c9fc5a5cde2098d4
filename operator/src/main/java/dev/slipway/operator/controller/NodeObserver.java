package dev.slipway.operator.controller;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.status.Conditions;

/**
 * Reads a powered-on machine's Node in its workload cluster: sets {@code status.nodeRef}, the
 * NodeHealthy and Ready conditions, and says when to look again.
 */
public interface NodeObserver {
  /** Returns when to reconcile the machine again, in milliseconds (0: on events only). */
  long observe(Machine machine, Conditions conditions);

  /** The machine is gone; drop anything kept for it. */
  default void forget(Machine machine) {}

  /**
   * The machine is being deleted before its Node joined: its bootstrap token goes now, so that
   * nothing joins with it in the machine's place. Best effort; the token expires anyway.
   */
  default void revokeToken(Machine machine) {}
}
