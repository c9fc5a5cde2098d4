package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Rollouts of settled, healthy clusters whose templates change, reconcile after reconcile: machines
 * take a random number of passes to become Ready or to go away, some new ones fail (and a person
 * deletes them a few passes later), and some passes the namespace's limits refuse every new
 * machine. The invariants hold in every pass and every rollout finishes.
 */
class RolloutSimulationTest {
  private static final int RUNS = 400;
  private static final int MAX_PASSES = 600;
  private static final String OLD = "old-template";
  private static final String NEW = "new-template";

  @Test
  void rolloutsKeepTheirInvariantsAndFinish() {
    Map<String, Integer> seen = new HashMap<>();
    for (int seed = 0; seed < RUNS; seed++) {
      new Run(seed, seen).toTheEnd();
    }
    assertThat(seen)
        .as("%s", seen)
        .containsKeys(
            "control plane replaced",
            "pool replaced",
            "new machine failed",
            "rollout blocked",
            "creations refused",
            "control plane grew during the rollout",
            "maxUnavailable used")
        .allSatisfy((what, n) -> assertThat(n).as(what + " in " + seen).isGreaterThan(5));
  }

  /** A machine of the simulated world, and when it changes. */
  private static final class Sim {
    ObservedMachine machine;
    int readyAt;
    int goneAt = Integer.MAX_VALUE;
    int failedAt = Integer.MAX_VALUE;

    Sim(ObservedMachine machine, int readyAt) {
      this.machine = machine;
      this.readyAt = readyAt;
    }

    ObservedMachine at(int pass) {
      boolean deleting = goneAt != Integer.MAX_VALUE;
      ObservedMachine m =
          machine.withReady(pass >= readyAt && pass < failedAt, pass >= readyAt && pass < failedAt);
      m = pass >= failedAt ? m.withFailure("clone failed: datastore full") : m;
      return deleting ? m.withDeleting() : m;
    }
  }

  private static final class Run {
    final long seed;
    final Random r;
    final Map<String, Integer> seen;
    final DesiredTopology desired;
    final Map<String, Sim> world = new LinkedHashMap<>();
    final NameSuffixes suffixes;
    long mostHealthy;

    Run(long seed, Map<String, Integer> seen) {
      this.seed = seed;
      // Consecutive seeds give java.util.Random correlated first draws: scramble them.
      this.r = new Random(seed * 6364136223846793005L + 1442695040888963407L);
      this.seen = seen;
      int before = List.of(1, 3, 3, 5).get(r.nextInt(4));
      int after = before == 1 && r.nextInt(4) == 0 ? 3 : before;
      List<PoolSpec> pools = new ArrayList<>();
      for (int i = 0; i < r.nextInt(4); i++) {
        int surge = r.nextInt(3);
        RollingUpdate strategy =
            r.nextBoolean()
                ? RollingUpdate.DEFAULT
                : new RollingUpdate(surge, surge == 0 ? 1 + r.nextInt(2) : r.nextInt(2));
        pools.add(
            PoolSpec.managed("p" + i, r.nextInt(6))
                .withTemplate(r.nextInt(3) == 0 ? OLD : NEW)
                .withStrategy(strategy));
      }
      boolean controlPlaneChanged = pools.isEmpty() || r.nextInt(3) != 0;
      desired = new DesiredTopology("tkc", after, pools, controlPlaneChanged ? NEW : OLD);
      count("control plane grew during the rollout", after > before && controlPlaneChanged);
      count("maxUnavailable used", pools.stream().anyMatch(p -> p.strategy().maxUnavailable() > 0));
      int[] next = {0};
      suffixes = () -> String.format("%05d", ++next[0]);
      // A settled cluster: every machine healthy and built from the old template.
      for (int i = 0; i < before; i++) {
        add(MachineRole.CONTROL_PLANE, null, OLD, -1);
      }
      for (PoolSpec p : pools) {
        for (int i = 0; i < p.replicas().getAsInt(); i++) {
          add(MachineRole.WORKER, p.name(), OLD, -1);
        }
      }
    }

    void toTheEnd() {
      for (int pass = 0; pass < MAX_PASSES; pass++) {
        int now = pass;
        world.values().removeIf(s -> s.goneAt <= now);
        List<ObservedMachine> observed = world.values().stream().map(s -> s.at(now)).toList();
        checkWorld(observed);
        Plan plan = MachinePlanner.plan(desired, observed, new BringUp(true), suffixes);
        checkPlan(observed, plan);
        if (finished(observed, plan)) {
          return;
        }
        apply(plan, pass);
        personDeletesFailedMachines(pass);
      }
      throw new AssertionError("run " + seed + " did not finish: " + world.values());
    }

    private void checkWorld(List<ObservedMachine> observed) {
      List<ObservedMachine> controlPlane =
          observed.stream().filter(m -> m.role() == MachineRole.CONTROL_PLANE).toList();
      long inFlight = controlPlane.stream().filter(m -> m.deleting() || !m.healthy()).count();
      assertThat(inFlight)
          .as("control-plane machines in flight, run %d: %s", seed, observed)
          .isLessThanOrEqualTo(1);
      long healthy = controlPlane.stream().filter(m -> !m.deleting() && m.healthy()).count();
      int wanted = desired.controlPlaneReplicas();
      // A control plane growing from 1 to 3 starts below a majority of 3; it may never lose a
      // healthy member it has until it is above one.
      mostHealthy = Math.max(mostHealthy, healthy);
      assertThat(healthy)
          .as("healthy etcd members, run %d: %s", seed, observed)
          .isGreaterThanOrEqualTo(Math.min(wanted / 2 + 1, mostHealthy));
      for (PoolSpec p : desired.pools()) {
        List<ObservedMachine> live =
            observed.stream().filter(m -> p.name().equals(m.pool()) && !m.deleting()).toList();
        int replicas = p.replicas().getAsInt();
        assertThat(live.size())
            .as("machines of pool %s, run %d: %s", p.name(), seed, observed)
            .isLessThanOrEqualTo(replicas + p.strategy().maxSurge());
        assertThat(live.stream().filter(ObservedMachine::healthy).count())
            .as("available machines of pool %s, run %d: %s", p.name(), seed, observed)
            .isGreaterThanOrEqualTo(replicas - p.strategy().maxUnavailable());
      }
    }

    private void checkPlan(List<ObservedMachine> observed, Plan plan) {
      Set<String> deleted = Set.copyOf(Fixtures.deleted(plan));
      List<ObservedMachine> controlPlane =
          observed.stream()
              .filter(m -> m.role() == MachineRole.CONTROL_PLANE && !m.deleting())
              .toList();
      if (controlPlane.stream().anyMatch(m -> deleted.contains(m.name()))) {
        count("control plane replaced", true);
        // The replacement is Ready and a healthy member before an old machine goes.
        assertThat(controlPlane.stream().filter(m -> !m.outdated(desired.controlPlaneTemplate())))
            .as("run %d: %s", seed, observed)
            .isNotEmpty()
            .allMatch(ObservedMachine::healthy);
      }
      for (PoolSpec p : desired.pools()) {
        List<ObservedMachine> live =
            observed.stream().filter(m -> p.name().equals(m.pool()) && !m.deleting()).toList();
        long available = live.stream().filter(ObservedMachine::healthy).count();
        long availableLeft =
            live.stream().filter(m -> m.healthy() && !deleted.contains(m.name())).count();
        if (availableLeft < available) {
          count("pool replaced", true);
          assertThat(availableLeft)
              .as("pool %s, run %d: %s", p.name(), seed, observed)
              .isGreaterThanOrEqualTo(p.replicas().getAsInt() - p.strategy().maxUnavailable());
        }
      }
      boolean controlPlaneOutdated =
          controlPlane.stream().anyMatch(m -> m.outdated(desired.controlPlaneTemplate()));
      if (controlPlaneOutdated) {
        assertThat(plan.create())
            .as("run %d", seed)
            .allMatch(c -> c.role() == MachineRole.CONTROL_PLANE);
      }
      for (Rollout.Group g : plan.rollout().groups()) {
        if (g.state() == Rollout.State.BLOCKED) {
          count("rollout blocked", true);
          assertThat(g.message()).as("run %d", seed).containsPattern("machine tkc-.* failed: ");
        }
      }
    }

    private boolean finished(List<ObservedMachine> observed, Plan plan) {
      if (!plan.hasNoChanges()
          || observed.stream().anyMatch(m -> m.deleting() || !m.healthy())
          || plan.rollout().inProgress()) {
        return false;
      }
      assertThat(plan.rollout().groups()).allMatch(g -> g.state() == Rollout.State.IDLE);
      Map<String, Long> byPool =
          observed.stream()
              .filter(m -> m.pool() != null)
              .collect(Collectors.groupingBy(ObservedMachine::pool, Collectors.counting()));
      assertThat(observed.stream().filter(m -> m.role() == MachineRole.CONTROL_PLANE).count())
          .as("run %d", seed)
          .isEqualTo(desired.controlPlaneReplicas());
      for (PoolSpec p : desired.pools()) {
        assertThat(byPool.getOrDefault(p.name(), 0L))
            .as("run %d", seed)
            .isEqualTo((long) p.replicas().getAsInt());
      }
      assertThat(plan.rollout().summary())
          .as("run %d", seed)
          .doesNotContainPattern("(\\d+)/(?!\\1)");
      return true;
    }

    private void apply(Plan plan, int pass) {
      for (MachineToDelete d : plan.delete()) {
        world.get(d.name()).goneAt = pass + 1 + r.nextInt(3);
      }
      if (!plan.create().isEmpty() && r.nextInt(6) == 0) {
        count("creations refused", true);
        return;
      }
      for (MachineToCreate c : plan.create()) {
        Sim sim = add(c.role(), c.pool(), c.templateHash(), pass);
        if (r.nextInt(8) == 0) {
          count("new machine failed", true);
          sim.failedAt = pass + 1;
        }
      }
    }

    private void personDeletesFailedMachines(int pass) {
      for (Sim s : world.values()) {
        if (s.failedAt <= pass && s.goneAt == Integer.MAX_VALUE && r.nextInt(4) == 0) {
          s.goneAt = pass + 1;
        }
      }
    }

    private Sim add(MachineRole role, String pool, String template, int pass) {
      String name =
          "tkc-"
              + (role == MachineRole.CONTROL_PLANE ? "control-plane" : pool)
              + "-"
              + String.format("s%04d", world.size() + pass * 100);
      while (world.containsKey(name)) {
        name = name + "x";
      }
      ObservedMachine m =
          new ObservedMachine(name, role, pool, T0.plusSeconds(pass + 1), false, false, false)
              .withTemplateHash(template);
      Sim sim = new Sim(m, pass < 0 ? pass : pass + 1 + r.nextInt(3));
      world.put(name, sim);
      return sim;
    }

    private void count(String what, boolean happened) {
      if (happened) {
        seen.merge(what, 1, Integer::sum);
      }
    }
  }
}
