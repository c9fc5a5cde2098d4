package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.ControlPlane;
import dev.slipway.operator.api.run.v1alpha3.NodePool;
import dev.slipway.operator.api.run.v1alpha3.RolloutStrategy;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import dev.slipway.operator.controller.steps.Pipeline;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A spec the CRD cannot express (stored before a rule, or written past validation) that reaches the
 * cluster pipeline: it stops at {@code resolve} with a condition, creates and deletes no Machine
 * (so no VM), throws nothing (an exception would be a reconcile error retried for ever: a crash
 * loop) and the status is still summarized. The pipeline runs on {@link ClusterStepsTest}'s fakes.
 */
class InvalidSpecPropertiesTest {
  /** One way to break the topology. */
  enum Breakage {
    DUPLICATE_POOL,
    NEGATIVE_REPLICAS,
    HUGE_REPLICAS,
    MAX_INT_REPLICAS,
    CONTROL_PLANE_ZERO,
    CONTROL_PLANE_NEGATIVE,
    CONTROL_PLANE_EVEN,
    NO_SURGE_NO_UNAVAILABLE,
    NEGATIVE_SURGE,
    EMPTY_POOL_NAME,
    NULL_POOL_NAME,
    NO_VM_CLASS,
    UNKNOWN_VM_CLASS
  }

  @Provide
  Arbitrary<List<Breakage>> breakages() {
    return Arbitraries.of(Breakage.class).list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 2_000)
  void anInvalidSpecStopsWithAConditionAndMakesNoMachine(
      @ForAll("breakages") List<Breakage> breakages, @ForAll("existing") int existingWorkers) {
    ClusterStepsTest t = new ClusterStepsTest();
    t.setUp();
    t.tkc = TestObjects.cluster(1, TestObjects.pool("np1", 2), TestObjects.pool("np2", 1));
    for (Breakage b : breakages) {
      breakIt(t.tkc, b);
    }
    List<Machine> machines = new ArrayList<>();
    machines.add(
        TestObjects.ready(TestObjects.machine("c1-cp-1", Machine.Role.controlPlane, null)));
    for (int i = 0; i < existingWorkers; i++) {
      machines.add(
          TestObjects.ready(TestObjects.machine("c1-np1-" + i, Machine.Role.worker, "np1")));
    }
    ClusterPass p = t.pass(machines);

    Pipeline.Outcome o = t.steps.pipeline().run(p);

    String why = breakages.toString();
    assertThat(o.step()).as(why).isEqualTo("resolve");
    assertThat(o.next().proceeds()).as(why).isFalse();
    assertThat(p.toCreate).as(why).isEmpty();
    assertThat(p.toDelete).as(why).isEmpty();
    assertThat(t.api.created).as(why).isEmpty();
    assertThat(t.api.deleted).as(why).isEmpty();
    Condition c = ClusterStepsTest.condition(p, Types.RESOURCES_RESOLVED);
    assertThat(c.getStatus()).as(why).isEqualTo(Conditions.FALSE);
    boolean schema = breakages.stream().anyMatch(b -> b != Breakage.UNKNOWN_VM_CLASS);
    assertThat(c.getReason())
        .as("%s: %s", why, c.getMessage())
        .isIn(
            schema
                ? Set.of(Reasons.INVALID_SPEC)
                : Set.of(Reasons.VM_CLASS_NOT_GRANTED, Reasons.VM_CLASS_NOT_FOUND));
    assertThat(Reasons.STALLED).contains(c.getReason());
    // The status is summarized from the same broken spec without throwing.
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
    ClusterStatus.summarize(p.tkc, machines, p.cond, status, p.rollout);
    assertThat(p.cond.get(Types.READY).orElseThrow().getReason()).as(why).isEqualTo(c.getReason());
  }

  @Provide
  Arbitrary<Integer> existing() {
    return Arbitraries.integers().between(0, 3);
  }

  // Regression examples, one per breakage the planner or the guardrails used to throw on or let
  // through (an IllegalArgumentException on every reconcile, or an int overflow that passed the
  // machines-per-cluster guardrail).
  @Example
  void duplicatePoolNames() {
    stopsWithInvalidSpec(Breakage.DUPLICATE_POOL, "is used by two pools");
  }

  @Example
  void negativeReplicas() {
    stopsWithInvalidSpec(Breakage.NEGATIVE_REPLICAS, "must be from 0 to 1000");
  }

  @Example
  void replicasSummingPastIntegerMaxValue() {
    stopsWithInvalidSpec(Breakage.MAX_INT_REPLICAS, "must be from 0 to 1000");
  }

  @Example
  void noSurgeAndNoUnavailable() {
    stopsWithInvalidSpec(Breakage.NO_SURGE_NO_UNAVAILABLE, "cannot both be 0");
  }

  @Example
  void guardrailsDoNotOverflow() {
    TanzuKubernetesCluster tkc =
        TestObjects.cluster(
            1,
            TestObjects.pool("a", Integer.MAX_VALUE),
            TestObjects.pool("b", Integer.MAX_VALUE),
            TestObjects.pool("c", 2));
    assertThat(
            ClusterGuardrails.exceeded(
                new dev.slipway.operator.config.Guardrails(Integer.MAX_VALUE, 100, 100, 10),
                tkc,
                List.of()))
        .hasValueSatisfying(m -> assertThat(m).contains("guardrails.maxMachinesPerCluster"));
  }

  private void stopsWithInvalidSpec(Breakage b, String message) {
    ClusterStepsTest t = new ClusterStepsTest();
    t.setUp();
    t.tkc = TestObjects.cluster(1, TestObjects.pool("np1", 2), TestObjects.pool("np2", 1));
    breakIt(t.tkc, b);
    ClusterPass p = t.pass(List.of());
    Pipeline.Outcome o = t.steps.pipeline().run(p);
    assertThat(o.step()).isEqualTo("resolve");
    assertThat(t.api.created).isEmpty();
    Condition c = ClusterStepsTest.condition(p, Types.RESOURCES_RESOLVED);
    ClusterStepsTest.assertCondition(c, Conditions.FALSE, Reasons.INVALID_SPEC);
    assertThat(c.getMessage()).contains(message);
    assertThat(t.recorded.reasons()).containsExactly("ResolutionFailed");
  }

  static void breakIt(TanzuKubernetesCluster tkc, Breakage b) {
    List<NodePool> pools = tkc.getSpec().topology.nodePools;
    NodePool first = pools.get(0);
    ControlPlane cp = (ControlPlane) tkc.getSpec().topology.controlPlane;
    switch (b) {
      case DUPLICATE_POOL ->
          pools.add(TestObjects.pool(first.name == null ? "np1" : first.name, 1));
      case NEGATIVE_REPLICAS -> first.replicas = -1;
      case HUGE_REPLICAS -> first.replicas = 1001;
      case MAX_INT_REPLICAS -> {
        first.replicas = Integer.MAX_VALUE;
        pools.get(1).replicas = Integer.MAX_VALUE;
      }
      case CONTROL_PLANE_ZERO -> cp.replicas = 0;
      case CONTROL_PLANE_NEGATIVE -> cp.replicas = -3;
      case CONTROL_PLANE_EVEN -> cp.replicas = 2;
      case NO_SURGE_NO_UNAVAILABLE -> first.strategy = strategy(0, 0);
      case NEGATIVE_SURGE -> first.strategy = strategy(-1, 1);
      case EMPTY_POOL_NAME -> first.name = "";
      case NULL_POOL_NAME -> first.name = null;
      case NO_VM_CLASS -> first.vmClass = null;
      case UNKNOWN_VM_CLASS -> pools.get(1).vmClass = "no-such-class";
    }
  }

  static RolloutStrategy strategy(int surge, int unavailable) {
    RolloutStrategy s = new RolloutStrategy();
    s.rollingUpdate = new RolloutStrategy.RollingUpdate();
    s.rollingUpdate.maxSurge = surge;
    s.rollingUpdate.maxUnavailable = unavailable;
    return s;
  }
}
