package dev.slipway.operator.controller.drain;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What one round of {@link NodeDrain#step} found and did. Pods are named {@code namespace/name}.
 *
 * @param state where the drain stands; {@link #done()} says whether deletion may go on
 * @param left the pods that still keep the node from being drained, as the round found them (to be
 *     evicted, or terminating), including those evicted in this round
 * @param evicted evictions the API server accepted in this round
 * @param blocked evictions refused with 429 in this round: a PodDisruptionBudget allows no
 *     disruption now (or, rarely, the API server's rate limit)
 * @param failed evictions refused otherwise in this round, each with the server's reason (e.g. two
 *     budgets covering one pod: 500)
 * @param terminating pods already deleting when the round began: waited for, not evicted again
 * @param skipped DaemonSet and mirror pods: never evicted, they go with the node
 * @param abandoned pods deleting for more than 1 s on an unreachable node: no longer waited for
 * @param message one line for the Machine's condition, e.g. {@code evicting 3 pod(s); 1 blocked by
 *     a PodDisruptionBudget: default/web-0}
 * @param retryAfter when to call {@link NodeDrain#step} again; zero once {@link #done()}
 */
public record DrainProgress(
    State state,
    List<String> left,
    List<String> evicted,
    List<String> blocked,
    List<String> failed,
    List<String> terminating,
    int skipped,
    int abandoned,
    String message,
    Duration retryAfter) {

  /** Where a drain stands after a round. */
  public enum State {
    /** Pods remain that need eviction; some may have been evicted, blocked or refused. */
    EVICTING,
    /** Every remaining pod is deleting; waiting for them to go. */
    WAITING_FOR_POD_DELETION,
    /** Nothing left but DaemonSet and mirror pods (or the Node is gone): go on with deletion. */
    DRAINED,
    /** The nodeDrainTimeout passed: go on with deletion and leave the pods behind. */
    TIMED_OUT,
    /** The workload API did not answer or refused a read or the cordon; try again later. */
    API_ERROR
  }

  public DrainProgress {
    Objects.requireNonNull(state, "state");
    left = List.copyOf(left);
    evicted = List.copyOf(evicted);
    blocked = List.copyOf(blocked);
    failed = List.copyOf(failed);
    terminating = List.copyOf(terminating);
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(retryAfter, "retryAfter");
  }

  /** True when the machine's deletion may go on to delete the Node and the VM. */
  public boolean done() {
    return state == State.DRAINED || state == State.TIMED_OUT;
  }
}
