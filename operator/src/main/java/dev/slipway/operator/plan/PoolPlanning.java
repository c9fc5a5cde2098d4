package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.MachinePlanner.firstFailure;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One node pool's part of a plan: scaling to its replicas and, when it is its turn, replacing
 * outdated machines within its {@link RollingUpdate}.
 */
final class PoolPlanning {
  private final PoolSpec pool;
  private final List<ObservedMachine> current;
  private final BringUp bringUp;
  private final boolean controlPlaneRolling;
  private final String earlierRollingPool;
  private final MachinePlanner.Planning planning;
  private final List<ObservedMachine> outdated;
  private final List<ObservedMachine> upToDate;

  PoolPlanning(
      PoolSpec pool,
      List<ObservedMachine> current,
      BringUp bringUp,
      boolean controlPlaneRolling,
      String earlierRollingPool,
      MachinePlanner.Planning planning) {
    this.pool = pool;
    this.current = current;
    this.bringUp = bringUp;
    this.controlPlaneRolling = controlPlaneRolling;
    this.earlierRollingPool = earlierRollingPool;
    this.planning = planning;
    this.outdated = current.stream().filter(m -> m.outdated(pool.template())).toList();
    this.upToDate = current.stream().filter(m -> !m.outdated(pool.template())).toList();
  }

  /** Plans the pool; true when it is the pool rolling out, so later pools wait for it. */
  boolean plan() {
    if (!pool.isManaged()) {
      report(
          outdated.isEmpty() ? Rollout.State.IDLE : Rollout.State.WAITING,
          outdated.isEmpty()
              ? null
              : "pool "
                  + pool.name()
                  + " is not rolled out: it has no replicas (autoscaled), so Slipway cannot tell"
                  + " a replacement from a wanted machine; set replicas to roll its "
                  + outdated.size()
                  + " outdated machines",
          current.size());
      return false;
    }
    if (outdated.isEmpty()) {
      scale();
      report(Rollout.State.IDLE, null, pool.replicas().getAsInt());
      return false;
    }
    String waitsFor =
        controlPlaneRolling
            ? "the control plane"
            : earlierRollingPool != null ? "pool " + earlierRollingPool : null;
    if (waitsFor != null) {
      scale();
      report(
          Rollout.State.WAITING,
          "pool " + pool.name() + " rollout waits until " + waitsFor + " is up to date",
          pool.replicas().getAsInt());
      return false;
    }
    roll();
    return true;
  }

  private void report(Rollout.State state, String message, int desired) {
    int healthyUpToDate = (int) upToDate.stream().filter(ObservedMachine::healthy).count();
    planning.report(
        new Rollout.Group(pool.name(), healthyUpToDate, desired, outdated.size(), state, message));
  }

  /**
   * No rollout this pass: to the replicas, scale-in taking marked, then failed, then not Ready,
   * then outdated, then newest.
   */
  private void scale() {
    int wanted = pool.replicas().getAsInt();
    if (current.size() > wanted) {
      String reason = "pool " + pool.name() + " scaled from " + current.size() + " to " + wanted;
      current.stream()
          .sorted(scaleInOrder())
          .limit(current.size() - wanted)
          .forEach(
              m ->
                  planning.delete(
                      m.name(),
                      m.markedForDeletion() ? reason + " (marked for deletion)" : reason));
    } else if (current.size() < wanted) {
      create(wanted - current.size(), wanted - current.size());
    }
  }

  // Machines that do not serve go first, as a MachineSet deletes them first: failed ones (they
  // never will), then those not Ready (not yet, or no longer); so scaling in never removes a
  // serving machine while one that does not serve stays. Then a mark, someone's explicit choice (a
  // person, or the autoscaler); an outdated machine would be replaced anyway; past that, the newest
  // machines hold the least that is worth keeping. Names only make the order total.
  private Comparator<ObservedMachine> scaleInOrder() {
    return Comparator.comparing((ObservedMachine m) -> !m.failed())
        .thenComparing(ObservedMachine::healthy)
        .thenComparing(m -> !m.markedForDeletion())
        .thenComparing(m -> !m.outdated(pool.template()))
        .thenComparing(ObservedMachine::created, Comparator.reverseOrder())
        .thenComparing(ObservedMachine::name, Comparator.reverseOrder());
  }

  /**
   * Replaces outdated machines as a MachineDeployment's rolling update does, without state: at most
   * replicas + maxSurge machines, and at least replicas - maxUnavailable available ones.
   */
  private void roll() {
    int wanted = pool.replicas().getAsInt();
    RollingUpdate strategy = pool.strategy();
    int minAvailable = Math.max(0, wanted - strategy.maxUnavailable());
    long newUnavailable = upToDate.stream().filter(m -> !m.healthy()).count();
    long available = current.stream().filter(ObservedMachine::healthy).count();
    // Machines that may go: all beyond the floor, except new ones still coming up (they will
    // count once Ready). Available ones only while the floor holds.
    long mayDelete = Math.max(0, current.size() - minAvailable - newUnavailable);
    long mayDeleteAvailable = Math.max(0, available - minAvailable);
    List<ObservedMachine> deleted = new ArrayList<>();
    for (ObservedMachine m : outdated.stream().sorted(replaceOrder()).toList()) {
      if (deleted.size() >= mayDelete) {
        break;
      }
      if (m.healthy()) {
        if (mayDeleteAvailable == 0) {
          continue;
        }
        mayDeleteAvailable--;
      }
      deleted.add(m);
      planning.delete(
          m.name(), "pool " + pool.name() + " rollout: outdated (the pool's template changed)");
    }
    int left = current.size() - deleted.size();
    int toCreate =
        Math.max(0, Math.min(wanted + strategy.maxSurge() - left, wanted - upToDate.size()));
    int changes = deleted.size() + create(toCreate, wanted - left);
    reportRollout(changes, wanted, strategy);
  }

  private void reportRollout(int changes, int wanted, RollingUpdate strategy) {
    List<ObservedMachine> failedNew = upToDate.stream().filter(ObservedMachine::failed).toList();
    // Failed new machines hold surge and unavailability slots for good: with all of them taken
    // the rollout cannot take another step.
    if (changes == 0
        && !failedNew.isEmpty()
        && failedNew.size() >= strategy.maxSurge() + strategy.maxUnavailable()) {
      report(
          Rollout.State.BLOCKED,
          "pool " + pool.name() + " rollout stopped: " + firstFailure(failedNew).orElseThrow(),
          wanted);
      return;
    }
    List<ObservedMachine> coming =
        upToDate.stream().filter(m -> !m.healthy() && !m.failed()).toList();
    report(
        Rollout.State.ROLLING_OUT,
        changes > 0 || coming.isEmpty()
            ? null
            : "pool "
                + pool.name()
                + " rollout waits until "
                + MachinePlanner.names(coming)
                + MachinePlanner.isOrAre(coming)
                + " Ready",
        wanted);
  }

  // Unavailable machines first (deleting them costs nothing that serves), then a person's choice,
  // then the oldest.
  private static Comparator<ObservedMachine> replaceOrder() {
    return Comparator.comparing(ObservedMachine::healthy)
        .thenComparing(ObservedMachine::markedForDeletion, Comparator.reverseOrder())
        .thenComparing(ObservedMachine::created)
        .thenComparing(ObservedMachine::name);
  }

  /**
   * Creates {@code count} machines unless a worker may not join yet, and then says so for the
   * {@code shortfall} below the replicas; how many it created.
   */
  private int create(int count, int shortfall) {
    if (count <= 0) {
      return 0;
    }
    String heldBack =
        !bringUp.controlPlaneInitialized()
            ? "control plane not initialized: "
            : controlPlaneRolling ? "control plane rolling out: " : null;
    if (heldBack != null) {
      if (shortfall <= 0) {
        return 0;
      }
      // A worker's kubeadm join needs an API server, and must not bring a kubelet newer than it.
      planning.waitFor(
          heldBack
              + shortfall
              + (shortfall == 1 ? " more machine" : " more machines")
              + " of pool "
              + pool.name()
              + " held back"
              + (controlPlaneRolling && bringUp.controlPlaneInitialized()
                  ? " until it is up to date"
                  : ""));
      return 0;
    }
    for (int i = 0; i < count; i++) {
      planning.create(MachineRole.WORKER, pool.name(), pool.template());
    }
    return count;
  }
}
