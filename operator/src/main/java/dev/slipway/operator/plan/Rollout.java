package dev.slipway.operator.plan;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How far a cluster's machines are from their templates: one entry for the control plane, then one
 * per pool of the spec, in spec order.
 */
public record Rollout(List<Group> groups) {
  public Rollout {
    groups = List.copyOf(Objects.requireNonNull(groups, "groups"));
  }

  /** What a group's rollout is doing. */
  public enum State {
    /** No machine of the group is outdated. */
    IDLE,
    /** Outdated machines are being replaced, or the next step waits for a machine to be Ready. */
    ROLLING_OUT,
    /** Outdated machines wait for an earlier group, or are not rolled at all (see the message). */
    WAITING,
    /** A failed machine stops the rollout until someone deletes or fixes it (see the message). */
    BLOCKED
  }

  /**
   * One control plane or pool.
   *
   * @param pool the pool's name; null for the control plane
   * @param upToDate live machines built from the group's template that are healthy (Ready, not
   *     failed, and for the control plane a healthy etcd member)
   * @param desired the group's replicas; for a pool without replicas its live machines
   * @param outdated live machines built from another template
   * @param state what the rollout is doing
   * @param message why it waits or is blocked, naming the machine or group it waits for; null when
   *     {@code IDLE} or rolling out without anything to say
   */
  public record Group(
      String pool, int upToDate, int desired, int outdated, State state, String message) {
    public Group {
      Objects.requireNonNull(state, "state");
    }

    /** "control plane" or "pool workers". */
    public String label() {
      return pool == null ? "control plane" : "pool " + pool;
    }
  }

  /** Some machine is outdated. */
  public boolean inProgress() {
    return groups.stream().anyMatch(g -> g.outdated() > 0);
  }

  /** The first group whose rollout is blocked by a failed machine. */
  public Optional<Group> blocked() {
    return groups.stream().filter(g -> g.state() == State.BLOCKED).findFirst();
  }

  /**
   * "control plane 2/3 up to date, pool workers 0/4": every group, the first saying what counts.
   */
  public String summary() {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < groups.size(); i++) {
      Group g = groups.get(i);
      out.append(i == 0 ? "" : ", ").append(g.label()).append(' ');
      out.append(g.upToDate()).append('/').append(g.desired()).append(i == 0 ? " up to date" : "");
    }
    return out.toString();
  }
}
