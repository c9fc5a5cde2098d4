package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.Fixtures.INITIALIZED;
import static dev.slipway.operator.plan.Fixtures.T0;
import static dev.slipway.operator.plan.Fixtures.counting;
import static dev.slipway.operator.plan.Fixtures.cp;
import static dev.slipway.operator.plan.Fixtures.topology;
import static dev.slipway.operator.plan.Fixtures.worker;
import static dev.slipway.operator.plan.MachinePlanner.plan;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class PlanInputValidationTest {

  @Test
  void nullArgumentsOfPlanAreRejectedByName() {
    DesiredTopology desired = topology(1);
    List<ObservedMachine> none = List.of();

    assertThatNullPointerException()
        .isThrownBy(() -> plan(null, none, INITIALIZED, counting()))
        .withMessage("desired");
    assertThatNullPointerException()
        .isThrownBy(() -> plan(desired, null, INITIALIZED, counting()))
        .withMessage("observed");
    assertThatNullPointerException()
        .isThrownBy(() -> plan(desired, none, null, counting()))
        .withMessage("bringUp");
    assertThatNullPointerException()
        .isThrownBy(() -> plan(desired, none, INITIALIZED, null))
        .withMessage("suffixes");
  }

  @Test
  void nullObservedMachineIsRejectedWithItsIndex() {
    List<ObservedMachine> observed = Arrays.asList(cp("tkc-control-plane-a"), null);

    assertThatNullPointerException()
        .isThrownBy(() -> plan(topology(1), observed, INITIALIZED, counting()))
        .withMessage("observed machine 1");
  }

  @Test
  void twoObservedMachinesWithOneNameAreRejected() {
    List<ObservedMachine> observed =
        List.of(cp("tkc-control-plane-a"), worker("tkc-control-plane-a", "workers"));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> plan(topology(1), observed, INITIALIZED, counting()))
        .withMessageContaining("tkc-control-plane-a");
  }

  @Test
  void negativeControlPlaneReplicasAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new DesiredTopology("tkc", -1, List.of()))
        .withMessageContaining("-1");
  }

  @Test
  void negativePoolReplicasAreRejected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> PoolSpec.managed("workers", -2))
        .withMessageContaining("workers")
        .withMessageContaining("-2");
  }

  @Test
  void zeroReplicasAreAccepted() {
    assertThat(new DesiredTopology("tkc", 0, List.of(PoolSpec.managed("workers", 0))).pools())
        .containsExactly(new PoolSpec("workers", OptionalInt.of(0)));
  }

  @Test
  void twoPoolsWithOneNameAreRejected() {
    List<PoolSpec> pools = List.of(PoolSpec.managed("workers", 1), PoolSpec.unmanaged("workers"));

    assertThatIllegalArgumentException()
        .isThrownBy(() -> new DesiredTopology("tkc", 1, pools))
        .withMessageContaining("workers");
  }

  @Test
  void blankNamesAreRejected() {
    assertThatIllegalArgumentException().isThrownBy(() -> new DesiredTopology(" ", 1, List.of()));
    assertThatIllegalArgumentException().isThrownBy(() -> PoolSpec.managed("", 1));
  }

  @Test
  void nullComponentsAreRejectedWithAMessage() {
    assertThatNullPointerException()
        .isThrownBy(() -> new DesiredTopology(null, 1, List.of()))
        .withMessage("clusterName");
    assertThatNullPointerException()
        .isThrownBy(() -> new DesiredTopology("tkc", 1, null))
        .withMessage("pools of cluster tkc");
    assertThatNullPointerException()
        .isThrownBy(() -> new DesiredTopology("tkc", 1, Arrays.asList((PoolSpec) null)))
        .withMessage("pool 0 of tkc");
    assertThatNullPointerException()
        .isThrownBy(() -> new PoolSpec(null, OptionalInt.empty()))
        .withMessage("pool name");
    assertThatNullPointerException()
        .isThrownBy(() -> new PoolSpec("workers", null))
        .withMessage("replicas of pool workers");
    assertThatNullPointerException()
        .isThrownBy(
            () -> new ObservedMachine(null, MachineRole.WORKER, "w", T0, false, false, true))
        .withMessage("machine name");
    assertThatNullPointerException()
        .isThrownBy(() -> new ObservedMachine("m", null, "w", T0, false, false, true))
        .withMessage("role of machine m");
    assertThatNullPointerException()
        .isThrownBy(
            () -> new ObservedMachine("m", MachineRole.WORKER, "w", null, false, false, true))
        .withMessage("creation time of machine m");
    assertThatNullPointerException()
        .isThrownBy(() -> new MachineToDelete("m", null))
        .withMessage("reason to delete machine m");
    assertThatNullPointerException()
        .isThrownBy(() -> new Plan(null, List.of(), List.of()))
        .withMessage("create");
  }

  @Test
  void machineToCreateHasAPoolExactlyWhenItIsAWorker() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new MachineToCreate("m", MachineRole.WORKER, null));
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new MachineToCreate("m", MachineRole.CONTROL_PLANE, "workers"));
  }

  @Test
  void topologyAndPlanKeepTheirOwnUnmodifiableLists() {
    List<PoolSpec> pools = new ArrayList<>(List.of(PoolSpec.managed("workers", 1)));
    DesiredTopology desired = new DesiredTopology("tkc", 1, pools);
    List<MachineToDelete> deletes = new ArrayList<>();
    Plan plan = new Plan(List.of(), deletes, List.of());

    pools.clear();
    deletes.add(new MachineToDelete("m", "why"));

    assertThat(desired.pools()).hasSize(1);
    assertThat(plan.delete()).isEmpty();
    assertThatThrownBy(() -> plan.create().add(null))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void planWithOnlyWaitingHasNoChanges() {
    assertThat(new Plan(List.of(), List.of(), List.of("why")).hasNoChanges()).isTrue();
    assertThat(
            new Plan(List.of(), List.of(new MachineToDelete("m", "why")), List.of()).hasNoChanges())
        .isFalse();
  }
}
