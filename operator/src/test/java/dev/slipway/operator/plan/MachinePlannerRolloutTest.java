package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.Fixtures.INITIALIZED;
import static dev.slipway.operator.plan.Fixtures.T0;
import static dev.slipway.operator.plan.Fixtures.counting;
import static dev.slipway.operator.plan.Fixtures.created;
import static dev.slipway.operator.plan.Fixtures.deleted;
import static dev.slipway.operator.plan.Fixtures.of;
import static dev.slipway.operator.plan.MachinePlanner.plan;
import static dev.slipway.operator.plan.MachineRole.CONTROL_PLANE;
import static dev.slipway.operator.plan.MachineRole.WORKER;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MachinePlannerRolloutTest {
  private static final String OLD = "0ld0ld0ld0ld0ld0";
  private static final String NEW = "4e44e44e44e44e44";

  private static ObservedMachine cp(String name, String hash, long second) {
    return new ObservedMachine(
            "tkc-control-plane-" + name,
            CONTROL_PLANE,
            null,
            T0.plusSeconds(second),
            false,
            false,
            true)
        .withTemplateHash(hash);
  }

  private static ObservedMachine worker(String pool, String name, String hash, long second) {
    return new ObservedMachine(
            "tkc-" + pool + "-" + name, WORKER, pool, T0.plusSeconds(second), false, false, true)
        .withTemplateHash(hash);
  }

  private static List<ObservedMachine> oldControlPlane() {
    return List.of(cp("a", OLD, 1), cp("b", OLD, 2), cp("c", OLD, 3));
  }

  private static DesiredTopology cluster(int controlPlane, PoolSpec... pools) {
    return new DesiredTopology("tkc", controlPlane, List.of(pools), NEW);
  }

  private static List<ObservedMachine> with(List<ObservedMachine> a, ObservedMachine... more) {
    return java.util.stream.Stream.concat(a.stream(), java.util.stream.Stream.of(more)).toList();
  }

  @Test
  void changedControlPlaneTemplateSurgesByOneMachineOfTheNewTemplate() {
    Plan plan = plan(cluster(3), oldControlPlane(), INITIALIZED, counting());

    assertThat(plan.create())
        .containsExactly(new MachineToCreate("tkc-control-plane-00001", CONTROL_PLANE, null, NEW));
    assertThat(plan.delete()).isEmpty();
    assertThat(plan.waitingFor()).isEmpty();
    assertThat(plan.rollout().groups())
        .containsExactly(
            new Rollout.Group(
                null,
                0,
                3,
                3,
                Rollout.State.ROLLING_OUT,
                "control plane rollout: tkc-control-plane-00001 replaces one of 3 outdated"));
  }

  @Test
  void oldControlPlaneMachineStaysUntilItsReplacementIsReadyAndAHealthyEtcdMember() {
    ObservedMachine joining = cp("n", NEW, 9).withReady(false, false);
    ObservedMachine readyNotMember = cp("n", NEW, 9).withReady(true, false);

    Plan whileJoining = plan(cluster(3), with(oldControlPlane(), joining), INITIALIZED, of());
    Plan whileNotMember =
        plan(cluster(3), with(oldControlPlane(), readyNotMember), INITIALIZED, of());

    for (Plan p : List.of(whileJoining, whileNotMember)) {
      assertThat(p.hasNoChanges()).isTrue();
      assertThat(p.rollout().groups().get(0).message())
          .isEqualTo(
              "control plane rollout waits until tkc-control-plane-n is Ready and healthy etcd"
                  + " members");
    }
  }

  @Test
  void readyReplacementRemovesTheOldestOutdatedMachine() {
    Plan plan = plan(cluster(3), with(oldControlPlane(), cp("n", NEW, 9)), INITIALIZED, of());

    assertThat(plan.create()).isEmpty();
    assertThat(plan.delete())
        .containsExactly(
            new MachineToDelete(
                "tkc-control-plane-a",
                "control plane rollout: tkc-control-plane-a is outdated and tkc-control-plane-n"
                    + " is Ready"));
    assertThat(plan.rollout().summary()).isEqualTo("control plane 1/3 up to date");
  }

  @Test
  void anUnhealthyOutdatedMachineIsReplacedBeforeTheOldest() {
    List<ObservedMachine> observed =
        List.of(
            cp("a", OLD, 1),
            cp("b", OLD, 2),
            cp("c", OLD, 3).withReady(true, false),
            cp("n", NEW, 9));

    assertThat(deleted(plan(cluster(3), observed, INITIALIZED, of())))
        .containsExactly("tkc-control-plane-c");
  }

  @Test
  void noSurgeWhileAnOutdatedMemberIsUnhealthy() {
    List<ObservedMachine> observed =
        List.of(cp("a", OLD, 1), cp("b", OLD, 2).withReady(true, false), cp("c", OLD, 3));

    Plan plan = plan(cluster(3), observed, INITIALIZED, of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().groups().get(0).message())
        .isEqualTo(
            "control plane rollout waits until tkc-control-plane-b is Ready and healthy etcd"
                + " members");
  }

  @Test
  void noMemberIsRemovedWhenTheHealthyOnesLeftWouldBeNoMajority() {
    List<ObservedMachine> observed =
        List.of(
            cp("a", OLD, 1).withReady(false, false),
            cp("b", OLD, 2).withReady(false, false),
            cp("c", OLD, 3).withReady(false, false),
            cp("n", NEW, 9));

    Plan plan = plan(cluster(3), observed, INITIALIZED, of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().groups().get(0).message())
        .isEqualTo(
            "control plane rollout waits: removing tkc-control-plane-a would leave 1 healthy etcd"
                + " members of 3, fewer than a majority");
  }

  @Test
  void controlPlaneRolloutWaitsForAMachineBeingDeleted() {
    List<ObservedMachine> observed =
        List.of(cp("a", OLD, 1).withDeleting(), cp("b", OLD, 2), cp("c", OLD, 3), cp("n", NEW, 9));

    Plan plan = plan(cluster(3), observed, INITIALIZED, of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().groups().get(0).message())
        .isEqualTo("control plane rollout waits until tkc-control-plane-a is deleted");
  }

  @Test
  void failedNewControlPlaneMachineStopsTheRolloutAndIsNamed() {
    ObservedMachine failed =
        cp("n", NEW, 9).withReady(false, false).withFailure("clone failed: datastore full");

    Plan plan = plan(cluster(3), with(oldControlPlane(), failed), INITIALIZED, of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().blocked())
        .hasValue(
            new Rollout.Group(
                null,
                0,
                3,
                3,
                Rollout.State.BLOCKED,
                "control plane rollout stopped: machine tkc-control-plane-n failed: clone failed:"
                    + " datastore full"));
  }

  @Test
  void controlPlaneOneToThreeWithANewTemplateGrowsWithNewMachinesThenReplacesTheOld() {
    List<ObservedMachine> observed = List.of(cp("a", OLD, 1));

    Plan grow = plan(cluster(3), observed, INITIALIZED, counting());
    Plan third = plan(cluster(3), with(observed, cp("n", NEW, 9)), INITIALIZED, counting());
    Plan surge =
        plan(cluster(3), with(observed, cp("n", NEW, 9), cp("m", NEW, 10)), INITIALIZED, of("x"));
    Plan replace =
        plan(
            cluster(3),
            with(observed, cp("n", NEW, 9), cp("m", NEW, 10), cp("x", NEW, 11)),
            INITIALIZED,
            of());

    assertThat(grow.create())
        .containsExactly(new MachineToCreate("tkc-control-plane-00001", CONTROL_PLANE, null, NEW));
    assertThat(created(third)).containsExactly("tkc-control-plane-00001");
    // At three machines with one outdated: surge to four before anything goes.
    assertThat(created(surge)).containsExactly("tkc-control-plane-x");
    assertThat(surge.delete()).isEmpty();
    assertThat(replace.create()).isEmpty();
    assertThat(deleted(replace)).containsExactly("tkc-control-plane-a");
  }

  @Test
  void unstampedMachinesAreOutdatedOnceTheGroupHasATemplate() {
    List<ObservedMachine> observed = List.of(Fixtures.cp("tkc-control-plane-a"));

    Plan plan = plan(cluster(1), observed, INITIALIZED, of("x"));

    assertThat(created(plan)).containsExactly("tkc-control-plane-x");
    assertThat(plan.rollout().groups().get(0).outdated()).isEqualTo(1);
  }

  @Test
  void withoutTemplatesNothingIsOutdated() {
    List<ObservedMachine> observed =
        List.of(cp("a", OLD, 1), worker("w", "a", null, 1), worker("w", "b", NEW, 1));

    Plan plan =
        plan(
            new DesiredTopology("tkc", 1, List.of(PoolSpec.managed("w", 2))),
            observed,
            INITIALIZED,
            of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().inProgress()).isFalse();
    assertThat(plan.rollout().groups()).allMatch(g -> g.state() == Rollout.State.IDLE);
  }

  @Test
  void poolsWaitForTheControlPlaneAndHoldBackNewWorkers() {
    PoolSpec workers = PoolSpec.managed("workers", 3).withTemplate(NEW);
    List<ObservedMachine> observed =
        with(oldControlPlane(), worker("workers", "a", OLD, 1), worker("workers", "b", OLD, 2));

    Plan plan = plan(cluster(3, workers), observed, INITIALIZED, counting());

    assertThat(plan.create()).extracting(MachineToCreate::role).containsExactly(CONTROL_PLANE);
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane rolling out: 1 more machine of pool workers held back until it is up"
                + " to date");
    assertThat(plan.rollout().groups().get(1))
        .isEqualTo(
            new Rollout.Group(
                "workers",
                0,
                3,
                2,
                Rollout.State.WAITING,
                "pool workers rollout waits until the control plane is up to date"));
  }

  @Test
  void poolsWaitUntilTheLastOutdatedControlPlaneMachineIsGoneNotJustDeleted() {
    PoolSpec workers = PoolSpec.managed("workers", 2).withTemplate(NEW);
    List<ObservedMachine> observed =
        List.of(
            cp("a", OLD, 1).withDeleting(),
            cp("n", NEW, 9),
            worker("workers", "a", OLD, 1),
            worker("workers", "b", OLD, 2));

    Plan plan = plan(cluster(1, workers), observed, INITIALIZED, counting());

    assertThat(plan.create()).isEmpty();
    assertThat(plan.delete()).isEmpty();
    assertThat(plan.rollout().groups().get(1).message())
        .isEqualTo("pool workers rollout waits until the control plane is up to date");

    Plan gone = plan(cluster(1, workers), observed.subList(1, 4), INITIALIZED, counting());
    assertThat(gone.create()).extracting(MachineToCreate::pool).containsExactly("workers");
  }

  @Test
  void poolRollsOutWithMaxSurgeOneAndMaxUnavailableZeroByDefault() {
    PoolSpec workers = PoolSpec.managed("workers", 2).withTemplate(NEW);
    List<ObservedMachine> controlPlane = List.of(cp("a", NEW, 0));
    List<ObservedMachine> old =
        with(controlPlane, worker("workers", "a", OLD, 1), worker("workers", "b", OLD, 2));

    Plan first = plan(cluster(1, workers), old, INITIALIZED, of("n"));
    ObservedMachine n = worker("workers", "n", NEW, 9);
    Plan whileNewComesUp =
        plan(cluster(1, workers), with(old, n.withReady(false, false)), INITIALIZED, of());
    Plan second = plan(cluster(1, workers), with(old, n), INITIALIZED, of("m"));

    assertThat(first.create())
        .containsExactly(new MachineToCreate("tkc-workers-n", WORKER, "workers", NEW));
    assertThat(first.delete()).isEmpty();
    assertThat(whileNewComesUp.hasNoChanges()).isTrue();
    assertThat(whileNewComesUp.rollout().groups().get(1).message())
        .isEqualTo("pool workers rollout waits until tkc-workers-n is Ready");
    assertThat(second.delete())
        .containsExactly(
            new MachineToDelete(
                "tkc-workers-a", "pool workers rollout: outdated (the pool's template changed)"));
    assertThat(created(second)).containsExactly("tkc-workers-m");
    assertThat(second.rollout().summary())
        .isEqualTo("control plane 1/1 up to date, pool workers 1/2");
  }

  @Test
  void poolWithMaxUnavailableOneAndNoSurgeDeletesFirstThenReplaces() {
    PoolSpec workers =
        PoolSpec.managed("workers", 2).withTemplate(NEW).withStrategy(new RollingUpdate(0, 1));
    List<ObservedMachine> observed =
        List.of(cp("a", NEW, 0), worker("workers", "a", OLD, 1), worker("workers", "b", OLD, 2));

    Plan plan = plan(cluster(1, workers), observed, INITIALIZED, of("n"));

    assertThat(deleted(plan)).containsExactly("tkc-workers-a");
    assertThat(created(plan)).containsExactly("tkc-workers-n");
  }

  @Test
  void failedNewWorkerStopsThePoolRolloutWithoutDeletingAnOldOne() {
    PoolSpec workers = PoolSpec.managed("workers", 2).withTemplate(NEW);
    List<ObservedMachine> observed =
        List.of(
            cp("a", NEW, 0),
            worker("workers", "a", OLD, 1),
            worker("workers", "b", OLD, 2),
            worker("workers", "n", NEW, 9).withReady(false, false).withFailure("no IP address"));

    Plan plan = plan(cluster(1, workers), observed, INITIALIZED, of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().blocked().orElseThrow().message())
        .isEqualTo("pool workers rollout stopped: machine tkc-workers-n failed: no IP address");
  }

  @Test
  void poolsRollOneAtATimeInSpecOrder() {
    PoolSpec a = PoolSpec.managed("a", 1).withTemplate(NEW);
    PoolSpec b = PoolSpec.managed("b", 1).withTemplate(NEW);
    List<ObservedMachine> observed =
        List.of(cp("a", NEW, 0), worker("a", "x", OLD, 1), worker("b", "x", OLD, 1));

    Plan plan = plan(cluster(1, a, b), observed, INITIALIZED, of("n"));

    assertThat(plan.create()).extracting(MachineToCreate::pool).containsExactly("a");
    assertThat(plan.rollout().groups().get(2).message())
        .isEqualTo("pool b rollout waits until pool a is up to date");
  }

  @Test
  void autoscaledPoolIsNotRolledAndSaysWhy() {
    PoolSpec auto = PoolSpec.unmanaged("auto").withTemplate(NEW);
    List<ObservedMachine> observed = List.of(cp("a", NEW, 0), worker("auto", "x", OLD, 1));

    Plan plan = plan(cluster(1, auto), observed, INITIALIZED, of());

    assertThat(plan.hasNoChanges()).isTrue();
    assertThat(plan.rollout().groups().get(1).state()).isEqualTo(Rollout.State.WAITING);
    assertThat(plan.rollout().groups().get(1).message())
        .startsWith("pool auto is not rolled out: it has no replicas (autoscaled)");
  }

  @Test
  void scaleInOfAPoolWaitingForItsTurnTakesOutdatedMachinesFirst() {
    PoolSpec a = PoolSpec.managed("a", 1).withTemplate(NEW);
    PoolSpec b = PoolSpec.managed("b", 1).withTemplate(NEW);
    List<ObservedMachine> observed =
        List.of(
            cp("a", NEW, 0),
            worker("a", "x", OLD, 1),
            worker("b", "old", OLD, 1),
            worker("b", "new", NEW, 5));

    Plan plan = plan(cluster(1, a, b), observed, INITIALIZED, of("n"));

    assertThat(deleted(plan)).containsExactly("tkc-b-old");
  }

  @Test
  void summaryNamesEveryGroup() {
    Rollout rollout =
        new Rollout(
            List.of(
                new Rollout.Group(null, 2, 3, 1, Rollout.State.ROLLING_OUT, null),
                new Rollout.Group("workers", 0, 4, 4, Rollout.State.WAITING, "w")));

    assertThat(rollout.summary()).isEqualTo("control plane 2/3 up to date, pool workers 0/4");
    assertThat(rollout.inProgress()).isTrue();
    assertThat(new Rollout(List.of()).summary()).isEmpty();
  }
}
