package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.MachinePlanner.firstFailure;
import static dev.slipway.operator.plan.MachinePlanner.isOrAre;
import static dev.slipway.operator.plan.MachinePlanner.moreControlPlaneMachines;
import static dev.slipway.operator.plan.MachinePlanner.names;

import java.util.Comparator;
import java.util.List;

/**
 * The control plane's part of one plan: bring-up, growth one machine at a time, and the rollout
 * that replaces outdated machines one at a time, surging by one. Every step changes at most one
 * etcd member, and only when every other member is healthy.
 */
final class ControlPlanePlanning {
  // Broken machines first (replacing them costs no healthy member), then a person's choice, then
  // the oldest, as Cluster API's KubeadmControlPlane does.
  private static final Comparator<ObservedMachine> REPLACE_ORDER =
      Comparator.comparing(ObservedMachine::healthy)
          .thenComparing(ObservedMachine::markedForDeletion, Comparator.reverseOrder())
          .thenComparing(ObservedMachine::created)
          .thenComparing(ObservedMachine::name);

  private final int wanted;
  private final String template;
  private final List<ObservedMachine> current;
  private final List<String> deleting;
  private final BringUp bringUp;
  private final MachinePlanner.Planning planning;
  private final List<ObservedMachine> outdated;
  private final List<ObservedMachine> upToDate;
  private String rolloutMessage;

  ControlPlanePlanning(
      DesiredTopology desired,
      List<ObservedMachine> current,
      List<String> deleting,
      BringUp bringUp,
      MachinePlanner.Planning planning) {
    this.wanted = desired.controlPlaneReplicas();
    this.template = desired.controlPlaneTemplate();
    this.current = current;
    this.deleting = deleting;
    this.bringUp = bringUp;
    this.planning = planning;
    this.outdated = current.stream().filter(m -> m.outdated(template)).toList();
    this.upToDate = current.stream().filter(m -> !m.outdated(template)).toList();
  }

  void plan() {
    if (current.size() < wanted) {
      grow();
    } else if (!outdated.isEmpty()) {
      roll();
    }
    planning.report(summary());
  }

  private Rollout.Group summary() {
    int healthyUpToDate = (int) upToDate.stream().filter(ObservedMachine::healthy).count();
    Rollout.State state = Rollout.State.IDLE;
    String message = null;
    if (!outdated.isEmpty()) {
      // Every control-plane step needs every member healthy: one failed machine stops it.
      message = firstFailure(current).map(f -> "control plane rollout stopped: " + f).orElse(null);
      state = message == null ? Rollout.State.ROLLING_OUT : Rollout.State.BLOCKED;
      message = message == null ? rolloutMessage : message;
    }
    return new Rollout.Group(null, healthyUpToDate, wanted, outdated.size(), state, message);
  }

  private void grow() {
    int missing = wanted - current.size();
    if (current.isEmpty()) {
      // Only one machine may run kubeadm init; two would each start a cluster of their own.
      planning.create(MachineRole.CONTROL_PLANE, null, template);
      if (missing > 1) {
        planning.waitFor(
            "control plane not initialized: "
                + moreControlPlaneMachines(missing - 1)
                + " held back until the first has run kubeadm init");
      }
      return;
    }
    if (!bringUp.controlPlaneInitialized()) {
      planning.waitFor(
          "control plane not initialized: "
              + moreControlPlaneMachines(missing)
              + " held back until the first has run kubeadm init");
      return;
    }
    // A member still leaving counts in etcd's quorum: adding one now could lose it.
    if (!deleting.isEmpty()) {
      planning.waitFor(
          "control plane grows one machine at a time: "
              + moreControlPlaneMachines(missing)
              + " held back until "
              + String.join(", ", deleting)
              + (deleting.size() == 1 ? " is" : " are")
              + " deleted");
      return;
    }
    List<ObservedMachine> notHealthy = current.stream().filter(m -> !m.healthy()).toList();
    // One etcd member joins at a time: a second join while the first is still catching up can
    // lose quorum.
    if (!notHealthy.isEmpty()) {
      planning.waitFor(
          "control plane grows one machine at a time: "
              + moreControlPlaneMachines(missing)
              + " held back until "
              + names(notHealthy)
              + isOrAre(notHealthy)
              + " Ready");
      return;
    }
    String created = planning.create(MachineRole.CONTROL_PLANE, null, template);
    if (missing > 1) {
      planning.waitFor(
          "control plane grows one machine at a time: "
              + moreControlPlaneMachines(missing - 1)
              + " held back until "
              + created
              + " is Ready");
    }
  }

  /** At least {@code wanted} machines, some outdated: surge by one, then remove one. */
  private void roll() {
    if (!bringUp.controlPlaneInitialized()) {
      rolloutMessage = "control plane rollout waits until the control plane is initialized";
      return;
    }
    if (!deleting.isEmpty()) {
      rolloutMessage =
          "control plane rollout waits until "
              + String.join(", ", deleting)
              + (deleting.size() == 1 ? " is" : " are")
              + " deleted";
      return;
    }
    if (current.size() <= wanted) {
      surge();
    } else {
      replace();
    }
  }

  private void surge() {
    List<ObservedMachine> notHealthy = current.stream().filter(m -> !m.healthy()).toList();
    if (!notHealthy.isEmpty()) {
      rolloutMessage =
          "control plane rollout waits until "
              + names(notHealthy)
              + isOrAre(notHealthy)
              + " Ready and healthy etcd members";
      return;
    }
    String created = planning.create(MachineRole.CONTROL_PLANE, null, template);
    rolloutMessage =
        "control plane rollout: " + created + " replaces one of " + outdated.size() + " outdated";
  }

  private void replace() {
    List<ObservedMachine> joining = upToDate.stream().filter(m -> !m.healthy()).toList();
    if (!joining.isEmpty()) {
      rolloutMessage =
          "control plane rollout waits until "
              + names(joining)
              + isOrAre(joining)
              + " Ready and healthy etcd members";
      return;
    }
    ObservedMachine victim = outdated.stream().min(REPLACE_ORDER).orElseThrow();
    long healthy = current.stream().filter(ObservedMachine::healthy).count();
    long healthyAfter = healthy - (victim.healthy() ? 1 : 0);
    int membersAfter = current.size() - 1;
    if (healthyAfter < majority(wanted) || healthyAfter < majority(membersAfter)) {
      rolloutMessage =
          "control plane rollout waits: removing "
              + victim.name()
              + " would leave "
              + healthyAfter
              + " healthy etcd members of "
              + membersAfter
              + ", fewer than a majority";
      return;
    }
    planning.delete(
        victim.name(),
        "control plane rollout: "
            + victim.name()
            + " is outdated and "
            + (upToDate.isEmpty()
                ? "the control plane has more than " + wanted + " machines"
                : names(upToDate) + isOrAre(upToDate) + " Ready"));
    rolloutMessage = "control plane rollout: removing " + victim.name();
  }

  static int majority(int members) {
    return members / 2 + 1;
  }
}
