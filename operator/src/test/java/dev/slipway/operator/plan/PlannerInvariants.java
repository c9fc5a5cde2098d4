package dev.slipway.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What every plan must satisfy, whatever the cluster looked like: checked by {@link
 * PlannerPropertiesTest} on each generated cluster and on each step of generated rollouts.
 */
final class PlannerInvariants {
  private PlannerInvariants() {}

  static int majority(int members) {
    return members / 2 + 1;
  }

  static void check(
      DesiredTopology desired,
      List<ObservedMachine> observed,
      BringUp bringUp,
      Plan plan,
      String context) {
    Set<String> observedNames =
        observed.stream().map(ObservedMachine::name).collect(Collectors.toSet());
    Set<String> live =
        observed.stream()
            .filter(m -> !m.deleting())
            .map(ObservedMachine::name)
            .collect(Collectors.toSet());
    List<String> deleted = plan.delete().stream().map(MachineToDelete::name).toList();
    Set<String> gone = new HashSet<>(deleted);

    // Nothing is deleted twice, nothing that is not there or already leaving is deleted.
    assertThat(deleted).as("deleted twice\n%s", context).doesNotHaveDuplicates();
    assertThat(live).as("deletes only live observed machines\n%s", context).containsAll(deleted);
    // New names are free.
    List<String> created = plan.create().stream().map(MachineToCreate::name).toList();
    assertThat(created).as("created names\n%s", context).doesNotHaveDuplicates();
    assertThat(created)
        .as("created names are free\n%s", context)
        .noneMatch(observedNames::contains);

    controlPlane(desired, observed, bringUp, plan, gone, context);
    workers(desired, observed, bringUp, plan, gone, context);
  }

  private static void controlPlane(
      DesiredTopology desired,
      List<ObservedMachine> observed,
      BringUp bringUp,
      Plan plan,
      Set<String> gone,
      String context) {
    int wanted = desired.controlPlaneReplicas();
    String template = desired.controlPlaneTemplate();
    List<ObservedMachine> cp =
        observed.stream()
            .filter(m -> m.role() == MachineRole.CONTROL_PLANE && !m.deleting())
            .toList();
    boolean leaving =
        observed.stream().anyMatch(m -> m.role() == MachineRole.CONTROL_PLANE && m.deleting());
    List<ObservedMachine> deleted = cp.stream().filter(m -> gone.contains(m.name())).toList();
    List<MachineToCreate> created =
        plan.create().stream().filter(c -> c.role() == MachineRole.CONTROL_PLANE).toList();

    // One etcd member joins or leaves at a time, and none while another is leaving.
    assertThat(deleted.size() + created.size())
        .as("control-plane changes in one plan\n%s", context)
        .isLessThanOrEqualTo(1);
    if (leaving && !cp.isEmpty()) {
      assertThat(deleted.size() + created.size())
          .as("control-plane changes while a member leaves\n%s", context)
          .isZero();
    }
    assertThat(created)
        .as("control-plane machines carry the control plane's template\n%s", context)
        .allMatch(c -> Objects.equals(c.templateHash(), template) && c.pool() == null);

    int after = cp.size() - deleted.size() + created.size();
    // Never more than the replicas plus a surge of one, never shrinking below the replicas.
    if (!created.isEmpty()) {
      assertThat(after)
          .as("control plane above replicas + 1\n%s", context)
          .isLessThanOrEqualTo(wanted + 1);
    }
    assertThat(after)
        .as("control plane shrinks below its replicas\n%s", context)
        .isGreaterThanOrEqualTo(Math.min(cp.size(), wanted));

    if (!created.isEmpty() && !cp.isEmpty()) {
      // Growing or surging: only an initialized control plane whose every member is healthy.
      assertThat(bringUp.controlPlaneInitialized())
          .as("second control-plane machine before kubeadm init\n%s", context)
          .isTrue();
      assertThat(cp)
          .as("control plane grows with a member unhealthy\n%s", context)
          .allMatch(ObservedMachine::healthy);
    }

    for (ObservedMachine victim : deleted) {
      assertThat(victim.outdated(template))
          .as("up-to-date control-plane machine %s deleted\n%s", victim.name(), context)
          .isTrue();
      List<ObservedMachine> left = cp.stream().filter(m -> !gone.contains(m.name())).toList();
      long healthyLeft = left.stream().filter(ObservedMachine::healthy).count();
      // etcd keeps its quorum: a majority of both the replicas and the members left.
      assertThat(healthyLeft)
          .as("etcd majority of the replicas after deleting %s\n%s", victim.name(), context)
          .isGreaterThanOrEqualTo(majority(wanted));
      assertThat(healthyLeft)
          .as("etcd majority of the members left after deleting %s\n%s", victim.name(), context)
          .isGreaterThanOrEqualTo(majority(left.size()));
      // Never the only Ready control-plane machine.
      assertThat(left.stream().filter(ObservedMachine::ready).count())
          .as("the only Ready control-plane machine %s deleted\n%s", victim.name(), context)
          .isPositive();
    }
  }

  private static void workers(
      DesiredTopology desired,
      List<ObservedMachine> observed,
      BringUp bringUp,
      Plan plan,
      Set<String> gone,
      String context) {
    List<MachineToCreate> created =
        plan.create().stream().filter(c -> c.role() == MachineRole.WORKER).toList();
    if (!created.isEmpty()) {
      // A worker's kubeadm join needs an API server, and no newer kubelet than it.
      assertThat(bringUp.controlPlaneInitialized())
          .as("worker created before kubeadm init\n%s", context)
          .isTrue();
      assertThat(
              observed.stream()
                  .filter(m -> m.role() == MachineRole.CONTROL_PLANE)
                  .noneMatch(m -> m.outdated(desired.controlPlaneTemplate())))
          .as("worker created while the control plane rolls out\n%s", context)
          .isTrue();
    }
    Set<String> specPools =
        desired.pools().stream().map(PoolSpec::name).collect(Collectors.toSet());
    assertThat(created)
        .as("workers are created only in the spec's pools\n%s", context)
        .allMatch(c -> specPools.contains(c.pool()));
    // Workers of no pool, or of a pool no longer in the spec, go.
    for (ObservedMachine m : observed) {
      if (m.role() == MachineRole.WORKER && !m.deleting() && !specPools.contains(m.pool())) {
        assertThat(gone).as("orphan worker %s kept\n%s", m.name(), context).contains(m.name());
      }
    }
    for (PoolSpec pool : desired.pools()) {
      List<ObservedMachine> machines =
          observed.stream()
              .filter(m -> m.role() == MachineRole.WORKER && !m.deleting())
              .filter(m -> pool.name().equals(m.pool()))
              .toList();
      List<ObservedMachine> deleted =
          machines.stream().filter(m -> gone.contains(m.name())).toList();
      List<MachineToCreate> mine =
          created.stream().filter(c -> c.pool().equals(pool.name())).toList();
      if (!pool.isManaged()) {
        assertThat(deleted.size() + mine.size())
            .as("autoscaled pool %s touched\n%s", pool.name(), context)
            .isZero();
        continue;
      }
      assertThat(mine)
          .as("pool %s machines carry its template\n%s", pool.name(), context)
          .allMatch(c -> Objects.equals(c.templateHash(), pool.template()));
      int replicas = pool.replicas().getAsInt();
      RollingUpdate strategy = pool.strategy();
      int after = machines.size() - deleted.size() + mine.size();
      if (!mine.isEmpty()) {
        assertThat(after)
            .as("pool %s above replicas + maxSurge\n%s", pool.name(), context)
            .isLessThanOrEqualTo(replicas + strategy.maxSurge());
      }
      boolean rollout =
          plan.delete().stream()
              .filter(
                  d ->
                      gone.contains(d.name())
                          && deleted.stream().anyMatch(m -> m.name().equals(d.name())))
              .anyMatch(d -> d.reason().contains("rollout"));
      long healthyBefore = machines.stream().filter(ObservedMachine::healthy).count();
      long healthyLeft =
          machines.stream()
              .filter(m -> !gone.contains(m.name()))
              .filter(ObservedMachine::healthy)
              .count();
      if (rollout) {
        // A rolling update keeps replicas - maxUnavailable machines available.
        assertThat(deleted)
            .as("pool %s rollout deletes an up-to-date machine\n%s", pool.name(), context)
            .allMatch(m -> m.outdated(pool.template()));
        assertThat(healthyLeft)
            .as("pool %s rollout below replicas - maxUnavailable\n%s", pool.name(), context)
            .isGreaterThanOrEqualTo(
                Math.min(healthyBefore, Math.max(0, replicas - strategy.maxUnavailable())));
      } else if (!deleted.isEmpty()) {
        // Scale-in stops at the replicas.
        assertThat(machines.size() - deleted.size())
            .as("pool %s scaled in below its replicas\n%s", pool.name(), context)
            .isGreaterThanOrEqualTo(replicas);
      }
      // The only Ready (and not failed) machine of a pool that wants machines is not deleted,
      // unless the pool's own
      // strategy lets every machine be unavailable.
      boolean strategyAllowsNone = rollout && strategy.maxUnavailable() >= replicas;
      if (replicas > 0 && !strategyAllowsNone) {
        long readyBefore = machines.stream().filter(ObservedMachine::healthy).count();
        long readyLeft =
            machines.stream()
                .filter(m -> !gone.contains(m.name()))
                .filter(ObservedMachine::healthy)
                .count();
        if (readyBefore > 0) {
          assertThat(readyLeft)
              .as("pool %s: its only Ready machine deleted\n%s", pool.name(), context)
              .isPositive();
        }
      }
    }
  }
}
