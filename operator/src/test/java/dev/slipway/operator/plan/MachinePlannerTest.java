package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.Fixtures.INITIALIZED;
import static dev.slipway.operator.plan.Fixtures.NOT_INITIALIZED;
import static dev.slipway.operator.plan.Fixtures.T0;
import static dev.slipway.operator.plan.Fixtures.actions;
import static dev.slipway.operator.plan.Fixtures.counting;
import static dev.slipway.operator.plan.Fixtures.cp;
import static dev.slipway.operator.plan.Fixtures.created;
import static dev.slipway.operator.plan.Fixtures.deleted;
import static dev.slipway.operator.plan.Fixtures.deleting;
import static dev.slipway.operator.plan.Fixtures.marked;
import static dev.slipway.operator.plan.Fixtures.notReady;
import static dev.slipway.operator.plan.Fixtures.of;
import static dev.slipway.operator.plan.Fixtures.topology;
import static dev.slipway.operator.plan.Fixtures.worker;
import static dev.slipway.operator.plan.MachinePlanner.plan;
import static dev.slipway.operator.plan.MachineRole.CONTROL_PLANE;
import static dev.slipway.operator.plan.MachineRole.WORKER;
import static dev.slipway.operator.plan.PoolSpec.managed;
import static dev.slipway.operator.plan.PoolSpec.unmanaged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MachinePlannerTest {
  private static final ObservedMachine CP_A = cp("tkc-control-plane-aaaaa");

  @Test
  void controlPlaneMachineIsNamedAfterTheCluster() {
    Plan plan = plan(topology(1), List.of(), NOT_INITIALIZED, of("bcdfg"));

    assertThat(plan.create())
        .containsExactly(new MachineToCreate("tkc-control-plane-bcdfg", CONTROL_PLANE, null));
  }

  @Test
  void workerMachineIsNamedAfterTheClusterAndItsPool() {
    Plan plan = plan(topology(1, managed("workers", 1)), List.of(CP_A), INITIALIZED, of("bcdfg"));

    assertThat(plan.create())
        .containsExactly(new MachineToCreate("tkc-workers-bcdfg", WORKER, "workers"));
  }

  @Test
  void suffixTakenByAnObservedMachineIsDrawnAgain() {
    List<ObservedMachine> observed = List.of(CP_A, worker("tkc-workers-bbbbb", "workers"));

    Plan plan =
        plan(topology(1, managed("workers", 2)), observed, INITIALIZED, of("bbbbb", "ccccc"));

    assertThat(created(plan)).containsExactly("tkc-workers-ccccc");
  }

  @Test
  void suffixTakenByAMachineBeingDeletedIsDrawnAgain() {
    List<ObservedMachine> observed =
        List.of(CP_A, deleting(worker("tkc-workers-bbbbb", "workers")));

    Plan plan =
        plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of("bbbbb", "ccccc"));

    assertThat(created(plan)).containsExactly("tkc-workers-ccccc");
  }

  @Test
  void suffixTakenEarlierInTheSamePlanIsDrawnAgain() {
    NameSuffixes suffixes = of("aaaaa", "aaaaa", "bbbbb", "aaaaa", "bbbbb", "ccccc");

    Plan plan = plan(topology(1, managed("workers", 3)), List.of(CP_A), INITIALIZED, suffixes);

    assertThat(created(plan))
        .containsExactly("tkc-workers-aaaaa", "tkc-workers-bbbbb", "tkc-workers-ccccc");
  }

  @Test
  void sameSuffixUnderAnotherPrefixIsNoCollision() {
    Plan plan =
        plan(
            topology(2, managed("a", 1), managed("b", 1)),
            List.of(CP_A),
            INITIALIZED,
            of("aaaaa", "bbbbb", "aaaaa", "aaaaa"));

    assertThat(created(plan))
        .containsExactly("tkc-control-plane-bbbbb", "tkc-a-aaaaa", "tkc-b-aaaaa");
  }

  @Test
  void supplierRepeatingATakenSuffixFailsAfterBoundedAttempts() {
    AtomicInteger draws = new AtomicInteger();
    NameSuffixes stuck =
        () -> {
          draws.incrementAndGet();
          return "aaaaa";
        };
    List<ObservedMachine> observed = List.of(CP_A, worker("tkc-workers-aaaaa", "workers"));

    assertThatIllegalStateException()
        .isThrownBy(() -> plan(topology(1, managed("workers", 2)), observed, INITIALIZED, stuck))
        .withMessageContaining("tkc-workers-<suffix>")
        .withMessageContaining(String.valueOf(MachinePlanner.MAX_SUFFIX_ATTEMPTS));
    assertThat(draws).hasValue(MachinePlanner.MAX_SUFFIX_ATTEMPTS);
  }

  @Test
  void nullSuffixIsRejected() {
    assertThatNullPointerException()
        .isThrownBy(() -> plan(topology(1), List.of(), NOT_INITIALIZED, () -> null))
        .withMessageContaining("NameSuffixes");
  }

  @Test
  void noSuffixIsDrawnWhenNothingIsCreated() {
    Plan plan = plan(topology(1, managed("workers", 0)), List.of(CP_A), INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void workerBeingDeletedDoesNotCountAndIsReplaced() {
    List<ObservedMachine> observed =
        List.of(
            CP_A, worker("tkc-workers-1", "workers"), deleting(worker("tkc-workers-2", "workers")));

    Plan plan = plan(topology(1, managed("workers", 2)), observed, INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-workers-00001");
    assertThat(plan.delete()).isEmpty();
  }

  @Test
  void workerBeingDeletedIsNotChosenForScaleIn() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-old", "workers", 0),
            worker("tkc-workers-new", "workers", 5),
            deleting(marked(worker("tkc-workers-newest", "workers", 10))));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(new MachineToDelete("tkc-workers-new", "pool workers scaled from 2 to 1"));
  }

  @Test
  void workerOfARemovedPoolAlreadyBeingDeletedIsNotDeletedAgain() {
    List<ObservedMachine> observed =
        List.of(CP_A, deleting(worker("tkc-gpu-1", "gpu")), worker("tkc-gpu-2", "gpu"));

    Plan plan = plan(topology(1), observed, INITIALIZED, of());

    assertThat(deleted(plan)).containsExactly("tkc-gpu-2");
  }

  @Test
  void controlPlaneMachineBeingDeletedDoesNotCountAndIsReplacedOnceGone() {
    List<ObservedMachine> observed =
        List.of(CP_A, cp("tkc-control-plane-b"), deleting(notReady(cp("tkc-control-plane-c"))));

    Plan whileDeleting = plan(topology(3), observed, INITIALIZED, counting());
    Plan gone = plan(topology(3), observed.subList(0, 2), INITIALIZED, counting());

    assertThat(whileDeleting.create()).isEmpty();
    assertThat(whileDeleting.waitingFor())
        .containsExactly(
            "control plane grows one machine at a time: 1 more control-plane machine held back"
                + " until tkc-control-plane-c is deleted");
    assertThat(created(gone)).containsExactly("tkc-control-plane-00001");
    assertThat(gone.delete()).isEmpty();
    assertThat(gone.waitingFor()).isEmpty();
  }

  @Test
  void controlPlaneWhoseMachinesAreAllBeingDeletedStartsOverWithOne() {
    List<ObservedMachine> observed =
        List.of(
            deleting(CP_A),
            deleting(cp("tkc-control-plane-b")),
            deleting(cp("tkc-control-plane-c")));

    Plan plan = plan(topology(3), observed, INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-control-plane-00001");
  }

  @Test
  void bringUpFromNothingCreatesOnlyTheInitMachine() {
    DesiredTopology desired = topology(3, managed("workers", 2), unmanaged("auto"));

    Plan plan = plan(desired, List.of(), NOT_INITIALIZED, counting());

    assertThat(plan.create())
        .containsExactly(new MachineToCreate("tkc-control-plane-00001", CONTROL_PLANE, null));
    assertThat(plan.delete()).isEmpty();
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane not initialized: 2 more control-plane machines held back until the"
                + " first has run kubeadm init",
            "control plane not initialized: 2 more machines of pool workers held back");
  }

  @Test
  void singleControlPlaneMachineWaitsForNothingElse() {
    Plan plan = plan(topology(1), List.of(), NOT_INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-control-plane-00001");
    assertThat(plan.waitingFor()).isEmpty();
  }

  @Test
  void firstPlanCreatesOneControlPlaneMachineEvenIfFiveAreWanted() {
    Plan plan = plan(topology(5), List.of(), INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-control-plane-00001");
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane not initialized: 4 more control-plane machines held back until the"
                + " first has run kubeadm init");
  }

  @Test
  void secondControlPlaneMachineWaitsForInitialization() {
    Plan plan = plan(topology(3), List.of(CP_A), NOT_INITIALIZED, of());

    assertThat(plan.create()).isEmpty();
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane not initialized: 2 more control-plane machines held back until the"
                + " first has run kubeadm init");
  }

  @Test
  void initializedControlPlaneGrowsByOneMachinePerPlan() {
    Plan plan = plan(topology(3), List.of(CP_A), INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-control-plane-00001");
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane grows one machine at a time: 1 more control-plane machine held back"
                + " until tkc-control-plane-00001 is Ready");
  }

  @Test
  void controlPlaneWaitsWhileAMachineIsNotReady() {
    List<ObservedMachine> observed = List.of(CP_A, notReady(cp("tkc-control-plane-b")));

    Plan plan = plan(topology(3), observed, INITIALIZED, of());

    assertThat(plan.create()).isEmpty();
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane grows one machine at a time: 1 more control-plane machine held back"
                + " until tkc-control-plane-b is Ready");
  }

  @Test
  void controlPlaneWaitNamesEveryMachineNotReady() {
    List<ObservedMachine> observed =
        List.of(notReady(cp("tkc-control-plane-d")), CP_A, notReady(cp("tkc-control-plane-b")));

    Plan plan = plan(topology(5), observed, INITIALIZED, of());

    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane grows one machine at a time: 2 more control-plane machines held back"
                + " until tkc-control-plane-b, tkc-control-plane-d are Ready");
  }

  @Test
  void controlPlaneMachineBeingDeletedHoldsGrowthBack() {
    // Its etcd member may still count in the quorum: a second change at once could lose it.
    List<ObservedMachine> observed = List.of(CP_A, deleting(notReady(cp("tkc-control-plane-b"))));

    Plan plan = plan(topology(2), observed, INITIALIZED, of());

    assertThat(plan.create()).isEmpty();
    assertThat(plan.waitingFor()).singleElement().asString().endsWith("is deleted");
  }

  @Test
  void controlPlaneStepsFromOneToThreeOneMachineAtATime() {
    DesiredTopology desired = topology(3);
    NameSuffixes suffixes = counting();
    List<ObservedMachine> machines = List.of(CP_A);

    Plan second = plan(desired, machines, INITIALIZED, suffixes);
    assertThat(created(second)).containsExactly("tkc-control-plane-00001");
    machines = withCreated(machines, second);

    Plan whileSecondJoins = plan(desired, machines, INITIALIZED, suffixes);
    assertThat(whileSecondJoins.create()).isEmpty();
    assertThat(whileSecondJoins.waitingFor())
        .containsExactly(
            "control plane grows one machine at a time: 1 more control-plane machine held back"
                + " until tkc-control-plane-00001 is Ready");
    machines = allReady(machines);

    Plan third = plan(desired, machines, INITIALIZED, suffixes);
    assertThat(created(third)).containsExactly("tkc-control-plane-00002");
    assertThat(third.waitingFor()).isEmpty();
    machines = withCreated(machines, third);

    assertThat(plan(desired, machines, INITIALIZED, suffixes).hasNoChanges()).isTrue();
    assertThat(actions(plan(desired, allReady(machines), INITIALIZED, suffixes)))
        .isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void bringUpFromNothingToThreeControlPlaneMachinesAndTwoWorkers() {
    DesiredTopology desired = topology(3, managed("workers", 2));
    NameSuffixes suffixes = counting();
    String workersWait = "control plane not initialized: 2 more machines of pool workers held back";

    Plan first = plan(desired, List.of(), NOT_INITIALIZED, suffixes);
    assertThat(created(first)).containsExactly("tkc-control-plane-00001");
    List<ObservedMachine> machines = withCreated(List.of(), first);

    Plan whileInitRuns = plan(desired, machines, NOT_INITIALIZED, suffixes);
    assertThat(whileInitRuns.create()).isEmpty();
    assertThat(whileInitRuns.waitingFor())
        .containsExactly(
            "control plane not initialized: 2 more control-plane machines held back until the"
                + " first has run kubeadm init",
            workersWait);
    machines = allReady(machines);

    Plan afterInit = plan(desired, machines, INITIALIZED, suffixes);
    assertThat(afterInit.create())
        .containsExactly(
            new MachineToCreate("tkc-control-plane-00002", CONTROL_PLANE, null),
            new MachineToCreate("tkc-workers-00003", WORKER, "workers"),
            new MachineToCreate("tkc-workers-00004", WORKER, "workers"));
    assertThat(afterInit.waitingFor())
        .containsExactly(
            "control plane grows one machine at a time: 1 more control-plane machine held back"
                + " until tkc-control-plane-00002 is Ready");
    machines = withCreated(machines, afterInit);

    assertThat(plan(desired, machines, INITIALIZED, suffixes).create()).isEmpty();
    machines = allReady(machines);

    Plan last = plan(desired, machines, INITIALIZED, suffixes);
    assertThat(created(last)).containsExactly("tkc-control-plane-00005");
    assertThat(last.waitingFor()).isEmpty();
    machines = allReady(withCreated(machines, last));

    assertThat(actions(plan(desired, machines, INITIALIZED, suffixes)))
        .isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void controlPlaneAboveDesiredIsLeftAlone() {
    List<ObservedMachine> observed =
        List.of(CP_A, cp("tkc-control-plane-b"), cp("tkc-control-plane-c"));

    Plan plan = plan(topology(1), observed, INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void controlPlaneMachineMarkedForDeletionIsNotDeleted() {
    List<ObservedMachine> observed = List.of(CP_A, marked(cp("tkc-control-plane-b")));

    Plan plan = plan(topology(1), observed, INITIALIZED, of());

    assertThat(plan.delete()).isEmpty();
  }

  @Test
  void controlPlaneAtDesiredNeedsNothing() {
    List<ObservedMachine> observed =
        List.of(CP_A, cp("tkc-control-plane-b"), notReady(cp("tkc-control-plane-c")));

    Plan plan = plan(topology(3), observed, INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void noControlPlaneWantedCreatesNone() {
    Plan plan = plan(topology(0), List.of(), NOT_INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void workersWaitForTheControlPlaneToBeInitialized() {
    List<ObservedMachine> observed = List.of(notReady(CP_A));

    Plan plan =
        plan(
            topology(1, managed("workers", 3), managed("gpu", 1)), observed, NOT_INITIALIZED, of());

    assertThat(plan.create()).isEmpty();
    assertThat(plan.waitingFor())
        .containsExactly(
            "control plane not initialized: 3 more machines of pool workers held back",
            "control plane not initialized: 1 more machine of pool gpu held back");
  }

  @Test
  void scaleOutFromTwoToFourCreatesBothMachinesInOnePlan() {
    List<ObservedMachine> observed =
        List.of(CP_A, worker("tkc-workers-1", "workers"), worker("tkc-workers-2", "workers"));

    Plan plan = plan(topology(1, managed("workers", 4)), observed, INITIALIZED, counting());

    assertThat(plan.create())
        .containsExactly(
            new MachineToCreate("tkc-workers-00001", WORKER, "workers"),
            new MachineToCreate("tkc-workers-00002", WORKER, "workers"));
    assertThat(plan.delete()).isEmpty();
    assertThat(plan.waitingFor()).isEmpty();
  }

  @Test
  void scaleInFromFourToOneDeletesMarkedFirstThenNewest() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-a", "workers", 1),
            marked(worker("tkc-workers-b", "workers", 2)),
            worker("tkc-workers-c", "workers", 3),
            worker("tkc-workers-d", "workers", 4));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(
            new MachineToDelete(
                "tkc-workers-b", "pool workers scaled from 4 to 1 (marked for deletion)"),
            new MachineToDelete("tkc-workers-d", "pool workers scaled from 4 to 1"),
            new MachineToDelete("tkc-workers-c", "pool workers scaled from 4 to 1"));
    assertThat(plan.create()).isEmpty();
    assertThat(plan.waitingFor()).isEmpty();
  }

  // Found by PlannerPropertiesTest: scaling in by age alone deleted the pool's only Ready machine
  // and kept a Failed one.
  @Test
  void scaleInKeepsTheOnlyReadyMachineAndTakesFailedThenNotReadyOnesFirst() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-a", "workers", 1).withFailure("VM missing"),
            notReady(worker("tkc-workers-b", "workers", 2)),
            worker("tkc-workers-c", "workers", 3));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(
            new MachineToDelete("tkc-workers-a", "pool workers scaled from 3 to 1"),
            new MachineToDelete("tkc-workers-b", "pool workers scaled from 3 to 1"));
  }

  // Found by PlannerPropertiesTest: a marked Ready machine went and a Failed one stayed.
  @Test
  void scaleInTakesAFailedMachineBeforeAMarkedReadyOne() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-a", "workers", 1).withFailure("VM missing"),
            marked(worker("tkc-workers-b", "workers", 2)));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(new MachineToDelete("tkc-workers-a", "pool workers scaled from 2 to 1"));
  }

  // Found by PlannerPropertiesTest: a marked Ready machine went and one not Ready yet stayed.
  @Test
  void scaleInTakesANotReadyMachineBeforeAMarkedReadyOne() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            marked(worker("tkc-workers-a", "workers", 1)),
            notReady(worker("tkc-workers-b", "workers", 2)));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(new MachineToDelete("tkc-workers-b", "pool workers scaled from 2 to 1"));
  }

  @Test
  void scaleInAmongMarkedMachinesTakesTheFailedOneFirst() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            marked(worker("tkc-workers-a", "workers", 1)).withFailure("VM missing"),
            marked(worker("tkc-workers-b", "workers", 2)));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(
            new MachineToDelete(
                "tkc-workers-a", "pool workers scaled from 2 to 1 (marked for deletion)"));
  }

  @Test
  void scaleInTakesAMarkedMachineEvenIfItIsTheOldest() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            marked(worker("tkc-workers-old", "workers", 1)),
            worker("tkc-workers-new", "workers", 9));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(deleted(plan)).containsExactly("tkc-workers-old");
  }

  @Test
  void scaleInTakesTheNewestOfSeveralMarkedMachines() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            marked(worker("tkc-workers-a", "workers", 1)),
            marked(worker("tkc-workers-b", "workers", 2)),
            worker("tkc-workers-c", "workers", 3));

    Plan plan = plan(topology(1, managed("workers", 2)), observed, INITIALIZED, of());

    assertThat(deleted(plan)).containsExactly("tkc-workers-b");
  }

  @Test
  void scaleInBreaksCreationTiesByNameDescending() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-b", "workers", 7),
            worker("tkc-workers-c", "workers", 7),
            worker("tkc-workers-a", "workers", 7));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(deleted(plan)).containsExactly("tkc-workers-c", "tkc-workers-b");
  }

  @Test
  void scaleInToZeroDeletesEveryMachineOfThePool() {
    List<ObservedMachine> observed =
        List.of(CP_A, worker("tkc-workers-a", "workers", 1), worker("tkc-workers-b", "workers", 2));

    Plan plan = plan(topology(1, managed("workers", 0)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(
            new MachineToDelete("tkc-workers-b", "pool workers scaled from 2 to 0"),
            new MachineToDelete("tkc-workers-a", "pool workers scaled from 2 to 0"));
  }

  @Test
  void poolAtDesiredIsLeftAlone() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            marked(worker("tkc-workers-a", "workers")),
            notReady(worker("tkc-workers-b", "workers")));

    Plan plan = plan(topology(1, managed("workers", 2)), observed, INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void addedPoolGetsAllItsMachines() {
    List<ObservedMachine> observed =
        List.of(CP_A, worker("tkc-workers-a", "workers"), worker("tkc-workers-b", "workers"));

    Plan plan =
        plan(
            topology(1, managed("workers", 2), managed("gpu", 2)),
            observed,
            INITIALIZED,
            counting());

    assertThat(plan.create())
        .containsExactly(
            new MachineToCreate("tkc-gpu-00001", WORKER, "gpu"),
            new MachineToCreate("tkc-gpu-00002", WORKER, "gpu"));
    assertThat(plan.delete()).isEmpty();
  }

  @Test
  void workersDoNotWaitForTheControlPlaneToGrow() {
    List<ObservedMachine> observed = List.of(CP_A, notReady(cp("tkc-control-plane-b")));

    Plan plan = plan(topology(3, managed("workers", 2)), observed, INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-workers-00001", "tkc-workers-00002");
    assertThat(plan.waitingFor()).singleElement().asString().contains("tkc-control-plane-b");
  }

  @Test
  void unmanagedPoolWithoutMachinesGetsNone() {
    Plan plan = plan(topology(1, unmanaged("auto")), List.of(CP_A), INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void unmanagedPoolKeepsItsThreeMachines() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-auto-a", "auto", 1),
            marked(worker("tkc-auto-b", "auto", 2)),
            notReady(worker("tkc-auto-c", "auto", 3)));

    assertThat(actions(plan(topology(1, unmanaged("auto")), observed, INITIALIZED, of())))
        .isEqualTo(new Plan(List.of(), List.of(), List.of()));
    assertThat(actions(plan(topology(1, unmanaged("auto")), observed, NOT_INITIALIZED, of())))
        .isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void unmanagedPoolMachineBeingDeletedIsNotReplaced() {
    List<ObservedMachine> observed = List.of(CP_A, deleting(worker("tkc-auto-a", "auto")));

    Plan plan = plan(topology(1, unmanaged("auto")), observed, INITIALIZED, of());

    assertThat(actions(plan)).isEqualTo(new Plan(List.of(), List.of(), List.of()));
  }

  @Test
  void removedPoolLosesAllItsMachines() {
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-a", "workers"),
            marked(worker("tkc-gpu-b", "gpu")),
            notReady(worker("tkc-gpu-a", "gpu")));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(
            new MachineToDelete("tkc-gpu-a", "pool gpu removed from the spec"),
            new MachineToDelete("tkc-gpu-b", "pool gpu removed from the spec"));
  }

  @Test
  void workerWithoutAPoolIsDeleted() {
    List<ObservedMachine> observed = List.of(CP_A, worker("tkc-stray", null));

    Plan plan = plan(topology(1, managed("workers", 0)), observed, INITIALIZED, of());

    assertThat(plan.delete())
        .containsExactly(new MachineToDelete("tkc-stray", "worker machine belongs to no pool"));
  }

  @Test
  void removedPoolsAreDeletedAfterSpecPoolsInPoolNameOrder() {
    List<ObservedMachine> observed =
        List.of(
            worker("tkc-stray", null),
            worker("tkc-zeta-1", "zeta"),
            worker("tkc-alpha-2", "alpha"),
            CP_A,
            worker("tkc-workers-1", "workers", 1),
            worker("tkc-alpha-1", "alpha"),
            worker("tkc-workers-2", "workers", 2));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, INITIALIZED, of());

    assertThat(deleted(plan))
        .containsExactly("tkc-workers-2", "tkc-alpha-1", "tkc-alpha-2", "tkc-zeta-1", "tkc-stray");
  }

  @Test
  void scaleInHappensBeforeTheControlPlaneIsInitialized() {
    List<ObservedMachine> observed =
        List.of(
            notReady(CP_A),
            worker("tkc-workers-a", "workers", 1),
            worker("tkc-workers-b", "workers", 2),
            worker("tkc-workers-c", "workers", 3));

    Plan plan = plan(topology(1, managed("workers", 1)), observed, NOT_INITIALIZED, of());

    assertThat(deleted(plan)).containsExactly("tkc-workers-c", "tkc-workers-b");
    assertThat(plan.waitingFor()).isEmpty();
  }

  @Test
  void removedPoolIsDeletedBeforeTheControlPlaneIsInitialized() {
    List<ObservedMachine> observed = List.of(worker("tkc-gpu-a", "gpu"), worker("tkc-x", null));

    Plan plan = plan(topology(3, managed("workers", 1)), observed, NOT_INITIALIZED, counting());

    assertThat(created(plan)).containsExactly("tkc-control-plane-00001");
    assertThat(deleted(plan)).containsExactly("tkc-gpu-a", "tkc-x");
  }

  @Test
  void poolsArePlannedInSpecOrderAfterTheControlPlane() {
    List<ObservedMachine> observed =
        List.of(CP_A, worker("tkc-mid-a", "mid"), worker("tkc-zeta-a", "zeta"));

    Plan plan =
        plan(
            topology(
                2, managed("zeta", 0), managed("alpha", 2), managed("mid", 0), managed("b", 1)),
            observed,
            INITIALIZED,
            counting());

    assertThat(plan.create())
        .extracting(MachineToCreate::pool)
        .containsExactly(null, "alpha", "alpha", "b");
    assertThat(deleted(plan)).containsExactly("tkc-zeta-a", "tkc-mid-a");
  }

  @Test
  void sameInputsGiveTheSamePlan() {
    DesiredTopology desired = topology(3, managed("workers", 5), managed("gpu", 0));
    List<ObservedMachine> observed =
        List.of(CP_A, worker("tkc-gpu-a", "gpu"), worker("tkc-old-a", "old"));

    Plan first = plan(desired, observed, INITIALIZED, counting());
    Plan second = plan(desired, observed, INITIALIZED, counting());

    assertThat(second).isEqualTo(first);
    assertThat(first.create()).hasSize(6);
  }

  @Test
  void orderOfObservedMachinesDoesNotChangeThePlan() {
    DesiredTopology desired = topology(3, managed("workers", 1));
    List<ObservedMachine> observed =
        List.of(
            CP_A,
            worker("tkc-workers-a", "workers", 1),
            worker("tkc-workers-b", "workers", 1),
            worker("tkc-workers-c", "workers", 1),
            worker("tkc-old-b", "old"),
            worker("tkc-old-a", "old"),
            worker("tkc-new-a", "new"));

    Plan forward = plan(desired, observed, INITIALIZED, counting());
    List<ObservedMachine> reversed = new ArrayList<>(observed);
    Collections.reverse(reversed);
    Plan backward = plan(desired, reversed, INITIALIZED, counting());

    assertThat(backward).isEqualTo(forward);
  }

  private static List<ObservedMachine> withCreated(List<ObservedMachine> machines, Plan plan) {
    List<ObservedMachine> next = new ArrayList<>(machines);
    for (MachineToCreate c : plan.create()) {
      next.add(
          new ObservedMachine(
              c.name(), c.role(), c.pool(), T0.plusSeconds(60), false, false, false));
    }
    return next;
  }

  private static List<ObservedMachine> allReady(List<ObservedMachine> machines) {
    return machines.stream()
        .map(
            m ->
                new ObservedMachine(
                    m.name(),
                    m.role(),
                    m.pool(),
                    m.created(),
                    m.markedForDeletion(),
                    m.deleting(),
                    true))
        .toList();
  }
}
