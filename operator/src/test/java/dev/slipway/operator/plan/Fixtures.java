package dev.slipway.operator.plan;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/** Test inputs for the planner: observed machines, topologies and deterministic suffixes. */
final class Fixtures {
  static final String CLUSTER = "tkc";
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final BringUp INITIALIZED = new BringUp(true);
  static final BringUp NOT_INITIALIZED = new BringUp(false);

  private Fixtures() {}

  /** A ready, live control-plane machine. */
  static ObservedMachine cp(String name) {
    return new ObservedMachine(name, MachineRole.CONTROL_PLANE, null, T0, false, false, true);
  }

  /** A ready, live worker created {@code second} seconds after {@link #T0}. */
  static ObservedMachine worker(String name, String pool, long second) {
    return new ObservedMachine(
        name, MachineRole.WORKER, pool, T0.plusSeconds(second), false, false, true);
  }

  static ObservedMachine worker(String name, String pool) {
    return worker(name, pool, 0);
  }

  static ObservedMachine deleting(ObservedMachine m) {
    return new ObservedMachine(
        m.name(), m.role(), m.pool(), m.created(), m.markedForDeletion(), true, m.ready());
  }

  static ObservedMachine marked(ObservedMachine m) {
    return new ObservedMachine(
        m.name(), m.role(), m.pool(), m.created(), true, m.deleting(), m.ready());
  }

  static ObservedMachine notReady(ObservedMachine m) {
    return new ObservedMachine(
        m.name(), m.role(), m.pool(), m.created(), m.markedForDeletion(), m.deleting(), false);
  }

  static DesiredTopology topology(int controlPlane, PoolSpec... pools) {
    return new DesiredTopology(CLUSTER, controlPlane, List.of(pools));
  }

  /** "00001", "00002", ...: a fresh sequence per call, so two plans can draw the same names. */
  static NameSuffixes counting() {
    int[] next = {0};
    return () -> String.format("%05d", ++next[0]);
  }

  /** Exactly these suffixes, in order; drawing one more fails the test. */
  static NameSuffixes of(String... suffixes) {
    Deque<String> left = new ArrayDeque<>(Arrays.asList(suffixes));
    return () -> {
      if (left.isEmpty()) {
        throw new AssertionError("the planner drew more suffixes than the test supplied");
      }
      return left.removeFirst();
    };
  }

  static List<String> created(Plan plan) {
    return plan.create().stream().map(MachineToCreate::name).toList();
  }

  /** The plan without its rollout summary: what it creates, deletes and waits for. */
  static Plan actions(Plan plan) {
    return new Plan(plan.create(), plan.delete(), plan.waitingFor());
  }

  static List<String> deleted(Plan plan) {
    return plan.delete().stream().map(MachineToDelete::name).toList();
  }
}
