package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.TestObjects.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.plan.Rollout;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of {@link ClusterStatus#summarize} (the TanzuKubernetesCluster's status) over
 * generated clusters: any topology, machines in any state (pending, Ready, Failed, being deleted,
 * of a pool no longer in the spec, on two versions: mid-upgrade), any conditions the earlier steps
 * left (including remediation's), any rollout. Ready is True exactly when nothing blocks it and the
 * counts are met; its reason is the first blocking condition in pipeline order or a failed machine;
 * counts are what the live machines are; ControlPlaneInitialized is never taken back; the phase and
 * version follow the documented rules; machines being deleted change nothing; the function is pure.
 */
class ClusterStatusPropertiesTest {
  static final String V1 = "v1.36.1+vmware.1";
  static final String V2 = "v1.37.2+vmware.1";
  static final List<String> POOLS = List.of("np1", "np2", "np3");

  /** One generated pass's inputs. */
  record Case(
      int controlPlane,
      List<Integer> poolReplicas,
      List<MachineFacts> machines,
      List<Optional<String>> conditions,
      boolean initialized,
      String versionBefore,
      boolean clusterDeleting,
      int rollout) {

    TanzuKubernetesCluster tkc() {
      List<NodePool> pools = new ArrayList<>();
      for (int i = 0; i < poolReplicas.size(); i++) {
        int r = poolReplicas.get(i);
        pools.add(TestObjects.pool(POOLS.get(i), r < 0 ? null : r));
      }
      TanzuKubernetesCluster tkc =
          TestObjects.cluster(controlPlane, pools.toArray(NodePool[]::new));
      if (clusterDeleting) {
        tkc.getMetadata().setDeletionTimestamp(T0.toString());
      }
      return tkc;
    }

    List<Machine> machineObjects() {
      List<Machine> out = new ArrayList<>();
      for (int i = 0; i < machines.size(); i++) {
        out.add(machines.get(i).toMachine(i));
      }
      return out;
    }

    Conditions cond(TanzuKubernetesClusterStatus status) {
      for (int i = 0; i < ClusterStatus.READY_ORDER.size(); i++) {
        String type = ClusterStatus.READY_ORDER.get(i);
        Optional<String> c = conditions.get(i);
        if (c.isPresent()) {
          String[] sr = c.get().split(":");
          String reason =
              type.equals(Types.MACHINES_HEALTHY) && sr[0].equals("False") ? sr[1] : sr[1] + i;
          status.conditions.add(TestObjects.condition(type, sr[0], reason, "set by step " + i));
        }
      }
      if (initialized) {
        status.conditions.add(
            TestObjects.condition(Types.CONTROL_PLANE_INITIALIZED, "True", "Ready", "init ran"));
      }
      return Conditions.of(status.conditions, 1L, Clock.fixed(T0, ZoneOffset.UTC));
    }

    Rollout rolloutObject() {
      return switch (rollout) {
        case 0 -> null;
        case 1 -> new Rollout(List.of(new Rollout.Group(null, 1, 1, 0, Rollout.State.IDLE, null)));
        case 2 ->
            new Rollout(
                List.of(new Rollout.Group(null, 1, 3, 2, Rollout.State.ROLLING_OUT, "rolling")));
        default ->
            new Rollout(
                List.of(
                    new Rollout.Group(
                        "np1", 0, 2, 2, Rollout.State.BLOCKED, "machine x failed: no VM")));
      };
    }
  }

  /** A machine: its group (cp, a pool of the spec or not), state, version, being deleted. */
  record MachineFacts(String group, String state, String version, boolean deleting) {
    Machine toMachine(int i) {
      boolean cp = group.equals("cp");
      Machine m =
          TestObjects.machine(
              TestObjects.CLUSTER + "-" + group + "-" + i,
              cp ? Machine.Role.controlPlane : Machine.Role.worker,
              cp ? null : group);
      m.getSpec().version = version;
      ClusterStatusTest.STATES.get(state).apply(m);
      if (deleting) {
        TestObjects.deleting(m);
      }
      return m;
    }
  }

  @Provide
  Arbitrary<Case> cases() {
    Arbitrary<MachineFacts> machine =
        Combinators.combine(
                Arbitraries.of("cp", "cp", "np1", "np2", "np3", "gone"),
                Arbitraries.frequencyOf(
                    Tuple.of(6, Arbitraries.just("ready")),
                    Tuple.of(3, Arbitraries.just("pending")),
                    Tuple.of(1, Arbitraries.just("failed"))),
                Arbitraries.of(V1, V2),
                Arbitraries.frequency(Tuple.of(1, true), Tuple.of(5, false)))
            .as(MachineFacts::new);
    Arbitrary<Optional<String>> condition =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.just(Optional.<String>empty())),
            Tuple.of(6, Arbitraries.just(Optional.of("True:Fine"))),
            Tuple.of(
                2,
                Arbitraries.of(
                        "False:" + Reasons.REMEDIATING,
                        "False:" + Reasons.REMEDIATION_WAITING,
                        "False:" + Reasons.TOO_MANY_UNHEALTHY,
                        "Unknown:Checking")
                    .map(Optional::of)));
    return Combinators.combine(
            Arbitraries.of(1, 3, 5),
            Arbitraries.integers().between(-1, 4).list().ofMaxSize(3),
            machine.list().ofMaxSize(12),
            condition.list().ofSize(ClusterStatus.READY_ORDER.size()),
            Arbitraries.of(true, false),
            Arbitraries.of(V1, null),
            Arbitraries.frequency(Tuple.of(1, true), Tuple.of(9, false)),
            Arbitraries.integers().between(0, 3))
        .as(Case::new);
  }

  record Outcome(boolean justReady, TanzuKubernetesClusterStatus status, Conditions cond) {}

  static Outcome summarize(Case c, List<Machine> machines) {
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
    status.version = c.versionBefore();
    Conditions cond = c.cond(status);
    boolean justReady = ClusterStatus.summarize(c.tkc(), machines, cond, status, c.rolloutObject());
    status.conditions = cond.list();
    return new Outcome(justReady, status, cond);
  }

  @Property(tries = 10_000)
  void readyCountsPhaseAndVersionFollowTheRules(@ForAll("cases") Case c) {
    List<Machine> machines = c.machineObjects();
    Outcome o = summarize(c, machines);
    TanzuKubernetesClusterStatus status = o.status();
    Conditions cond = o.cond();
    String why = c.toString();

    List<Machine> live =
        machines.stream().filter(m -> m.getMetadata().getDeletionTimestamp() == null).toList();
    // Counts are the live machines of each group.
    List<Machine> cps =
        live.stream().filter(m -> m.getSpec().role == Machine.Role.controlPlane).toList();
    assertThat(status.controlPlane.desiredReplicas).as(why).isEqualTo(c.controlPlane());
    assertThat(status.controlPlane.replicas).as(why).isEqualTo(cps.size());
    assertThat(status.controlPlane.readyReplicas)
        .as(why)
        .isEqualTo((int) cps.stream().filter(MachineReconciler::isReady).count());
    int total = 0;
    boolean poolsMet = true;
    for (int i = 0; i < c.poolReplicas().size(); i++) {
      String pool = POOLS.get(i);
      var ps = status.nodePools.get(i);
      List<Machine> mine =
          live.stream()
              .filter(m -> m.getSpec().role == Machine.Role.worker)
              .filter(m -> pool.equals(m.getSpec().pool))
              .toList();
      int desired = c.poolReplicas().get(i) < 0 ? mine.size() : c.poolReplicas().get(i);
      assertThat(ps.name).as(why).isEqualTo(pool);
      assertThat(ps.desiredReplicas).as(why).isEqualTo(desired);
      assertThat(ps.replicas).as(why).isEqualTo(mine.size());
      assertThat(ps.readyReplicas).as(why).isBetween(0, ps.replicas);
      total += desired;
      poolsMet &= ps.readyReplicas >= desired && ps.replicas == desired;
    }
    assertThat(status.totalWorkerReplicas).as(why).isEqualTo(total);

    // ControlPlaneInitialized: set by a Ready control-plane machine, never taken back.
    boolean cpReady = status.controlPlane.readyReplicas > 0;
    assertThat(cond.isTrue(Types.CONTROL_PLANE_INITIALIZED))
        .as(why)
        .isEqualTo(c.initialized() || cpReady);

    // Ready: True exactly when no live machine failed and every condition of READY_ORDER is True.
    Optional<Machine> failed =
        live.stream()
            .filter(m -> m.getStatus() != null && "Failed".equals(m.getStatus().phase))
            .findFirst();
    Optional<Condition> blocking =
        ClusterStatus.READY_ORDER.stream()
            .map(cond::get)
            .flatMap(Optional::stream)
            .filter(x -> !Conditions.TRUE.equals(x.getStatus()))
            .findFirst();
    Condition ready = cond.get(Types.READY).orElseThrow();
    assertThat(Conditions.TRUE.equals(ready.getStatus()))
        .as(why)
        .isEqualTo(failed.isEmpty() && blocking.isEmpty());
    if (Conditions.TRUE.equals(ready.getStatus())) {
      assertThat(status.controlPlane.readyReplicas)
          .as(why)
          .isGreaterThanOrEqualTo(c.controlPlane());
      assertThat(poolsMet).as(why).isTrue();
    } else if (failed.isPresent()) {
      assertThat(ready.getReason())
          .as(why)
          .isIn(Reasons.MACHINE_FAILED, Reasons.REMEDIATING, Reasons.REMEDIATION_WAITING);
      assertThat(ready.getMessage()).as(why).contains(" failed: ");
    } else {
      assertThat(ready.getReason()).as(why).isEqualTo(blocking.orElseThrow().getReason());
    }
    // Ready starts absent here (no step sets it), so "just became Ready" is "is Ready".
    assertThat(o.justReady()).as(why).isEqualTo(cond.isTrue(Types.READY));

    // Phase.
    String expected =
        c.clusterDeleting()
            ? "deleting"
            : failed.isPresent()
                ? (c.versionBefore() != null ? "updateFailed" : "failed")
                : cond.isTrue(Types.READY)
                    ? "running"
                    : (c.versionBefore() != null ? "updating" : "creating");
    assertThat(status.phase).as(why).isEqualTo(expected);

    // Version: the lowest a live machine runs, moved only while Ready.
    String version =
        cond.isTrue(Types.READY)
            ? live.stream()
                .map(m -> m.getSpec().version)
                .min(Versions::compare)
                .orElse(c.versionBefore())
            : c.versionBefore();
    assertThat(status.version).as(why).isEqualTo(version);
  }

  @Property(tries = 3_000)
  void pureAndBlindToMachinesBeingDeleted(@ForAll("cases") Case c) {
    List<Machine> machines = c.machineObjects();
    Outcome first = summarize(c, machines);
    Outcome again = summarize(c, c.machineObjects());
    assertThat(Statuses.changed(again.status(), first.status())).as("%s", c).isFalse();
    // Machines being deleted count for nothing: the same pass without them says the same.
    List<Machine> live =
        machines.stream().filter(m -> m.getMetadata().getDeletionTimestamp() == null).toList();
    Outcome withoutLeaving = summarize(c, live);
    assertThat(Statuses.changed(withoutLeaving.status(), first.status())).as("%s", c).isFalse();
    assertThat(Objects.equals(withoutLeaving.justReady(), first.justReady())).isTrue();
  }
}
