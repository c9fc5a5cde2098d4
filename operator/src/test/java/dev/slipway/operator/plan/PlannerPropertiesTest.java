package dev.slipway.operator.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties of {@link MachinePlanner#plan} over generated specs and observed clusters (jqwik):
 * every state the planner can meet, including mid-rollout (machines of two templates, surge
 * machines not Ready yet, outdated ones leaving), remediation (failed machines, machines being
 * deleted, etcd members unhealthy) and bring-up. A failure prints the shrunk cluster and the seed.
 *
 * <p>Invariants, as the planner's javadoc promises them: the control plane never loses its etcd
 * majority, never shrinks below its replicas and changes by at most one machine per plan; no group
 * grows past its replicas plus its surge; the only Ready machine of a role is not deleted by a
 * rollout; nothing is deleted twice, nothing not observed is deleted, new names are free; workers
 * wait for an initialized, up-to-date control plane; autoscaled pools are left alone; the plan is a
 * function of its inputs (same inputs, or the same machines in another order: the same plan).
 */
class PlannerPropertiesTest {
  static final int TRIES = 10_000;
  static final String CLUSTER = "tkc";
  static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
  static final String NEW = "new";
  static final String OLD = "old";
  static final List<String> POOLS = List.of("workers", "gpu", "infra");

  /** One generated reconcile's inputs. */
  record Case(DesiredTopology desired, List<ObservedMachine> observed, BringUp bringUp) {
    Plan plan() {
      return MachinePlanner.plan(desired, observed, bringUp, counting());
    }

    List<ObservedMachine> live(MachineRole role, String pool) {
      return observed.stream()
          .filter(m -> !m.deleting() && m.role() == role)
          .filter(
              m -> role == MachineRole.CONTROL_PLANE || java.util.Objects.equals(pool, m.pool()))
          .toList();
    }

    static String describe(Plan plan) {
      return "create "
          + plan.create().stream().map(MachineToCreate::name).toList()
          + " delete "
          + plan.delete().stream().map(MachineToDelete::name).toList();
    }

    @Override
    public String toString() {
      StringBuilder out =
          new StringBuilder("cp=" + desired.controlPlaneReplicas())
              .append(" cpTemplate=")
              .append(desired.controlPlaneTemplate())
              .append(" initialized=")
              .append(bringUp.controlPlaneInitialized());
      for (PoolSpec p : desired.pools()) {
        out.append(" pool ")
            .append(p.name())
            .append('=')
            .append(p.replicas().isPresent() ? p.replicas().getAsInt() : "-")
            .append('/')
            .append(p.template())
            .append(" surge=")
            .append(p.strategy().maxSurge())
            .append(" unavailable=")
            .append(p.strategy().maxUnavailable());
      }
      for (ObservedMachine m : observed) {
        out.append("\n  ")
            .append(m.name())
            .append(m.role() == MachineRole.WORKER ? " pool=" + m.pool() : "")
            .append(" t=")
            .append(m.templateHash())
            .append(m.ready() ? " ready" : "")
            .append(m.etcdHealthy() ? " etcd" : "")
            .append(m.failed() ? " FAILED" : "")
            .append(m.markedForDeletion() ? " marked" : "")
            .append(m.deleting() ? " DELETING" : "")
            .append(" created=+")
            .append(m.created().getEpochSecond() - T0.getEpochSecond());
      }
      return out.toString();
    }
  }

  static NameSuffixes counting() {
    int[] n = {0};
    return () -> String.format("n%04d", ++n[0]);
  }

  // ---- generators -------------------------------------------------------------------------

  static Arbitrary<String> template() {
    return Arbitraries.frequencyOf(
        Tuple.of(6, Arbitraries.just(NEW)),
        Tuple.of(4, Arbitraries.just(OLD)),
        Tuple.of(1, Arbitraries.just((String) null)));
  }

  static Arbitrary<RollingUpdate> strategy() {
    return Combinators.combine(
            Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
        .filter((s, u) -> s + u > 0)
        .as(RollingUpdate::new);
  }

  static Arbitrary<PoolSpec> pool(String name) {
    Arbitrary<OptionalInt> replicas =
        Arbitraries.frequencyOf(
            Tuple.of(5, Arbitraries.integers().between(0, 6).map(OptionalInt::of)),
            Tuple.of(1, Arbitraries.just(OptionalInt.empty())));
    Arbitrary<String> poolTemplate =
        Arbitraries.frequencyOf(
            Tuple.of(8, Arbitraries.just(NEW)), Tuple.of(1, Arbitraries.just((String) null)));
    return Combinators.combine(replicas, poolTemplate, strategy())
        .as((r, t, s) -> new PoolSpec(name, r, t, s));
  }

  static Arbitrary<DesiredTopology> desired() {
    Arbitrary<List<PoolSpec>> pools =
        Arbitraries.subsetOf(POOLS)
            .flatMap(
                names -> {
                  List<String> ordered = POOLS.stream().filter(names::contains).toList();
                  List<Arbitrary<PoolSpec>> each = ordered.stream().map(p -> pool(p)).toList();
                  return Combinators.combine(each).as(l -> l);
                });
    Arbitrary<String> cpTemplate =
        Arbitraries.frequencyOf(
            Tuple.of(10, Arbitraries.just(NEW)), Tuple.of(1, Arbitraries.just((String) null)));
    return Combinators.combine(Arbitraries.of(1, 3, 5), pools, cpTemplate)
        .as((cp, p, t) -> new DesiredTopology(CLUSTER, cp, p, t));
  }

  /** A machine's facts; its name and group are given by {@link #cluster}. */
  record Facts(
      String template,
      boolean ready,
      boolean etcdHealthy,
      boolean failed,
      boolean marked,
      boolean deleting,
      int age) {}

  static Arbitrary<Facts> facts() {
    Arbitrary<Boolean> often = Arbitraries.frequency(Tuple.of(7, true), Tuple.of(3, false));
    Arbitrary<Boolean> rare = Arbitraries.frequency(Tuple.of(1, true), Tuple.of(7, false));
    return Combinators.combine(
            template(),
            often,
            Arbitraries.frequency(Tuple.of(9, true), Tuple.of(1, false)),
            rare,
            rare,
            rare,
            Arbitraries.integers().between(0, 20))
        .as(Facts::new);
  }

  @Provide
  Arbitrary<Case> cluster() {
    // Groups machines can be in: the control plane, the spec's pools, a pool no longer in the spec
    // and no pool at all.
    List<String> groups = new ArrayList<>(List.of("cp", "cp", "cp"));
    groups.addAll(POOLS);
    groups.add("gone");
    groups.add("-");
    Arbitrary<List<Tuple.Tuple2<String, Facts>>> machines =
        Combinators.combine(Arbitraries.of(groups), facts()).as(Tuple::of).list().ofMaxSize(16);
    return Combinators.combine(desired(), machines, Arbitraries.of(true, false))
        .as(
            (desired, ms, initialized) -> {
              List<ObservedMachine> observed = new ArrayList<>();
              Map<String, Integer> counters = new LinkedHashMap<>();
              for (Tuple.Tuple2<String, Facts> t : ms) {
                String group = t.get1();
                Facts f = t.get2();
                int i = counters.merge(group, 1, Integer::sum);
                boolean cp = group.equals("cp");
                observed.add(
                    new ObservedMachine(
                        CLUSTER + "-" + (cp ? "control-plane" : group) + "-m" + i,
                        cp ? MachineRole.CONTROL_PLANE : MachineRole.WORKER,
                        cp || group.equals("-") ? null : group,
                        T0.plusSeconds(f.age()),
                        f.marked(),
                        f.deleting(),
                        f.ready(),
                        f.template(),
                        f.ready() && f.etcdHealthy(),
                        f.failed() ? "VM missing" : null));
              }
              // As the controller sees it: a Ready live control-plane machine means kubeadm init
              // ran.
              boolean anyReadyCp =
                  observed.stream()
                      .anyMatch(
                          m -> m.role() == MachineRole.CONTROL_PLANE && !m.deleting() && m.ready());
              return new Case(desired, observed, new BringUp(initialized || anyReadyCp));
            });
  }

  // ---- properties -------------------------------------------------------------------------

  @Property(tries = TRIES)
  void everyInvariantHolds(@ForAll("cluster") Case c) {
    PlannerInvariants.check(c.desired(), c.observed(), c.bringUp(), c.plan(), c.toString());
  }

  @Property(tries = TRIES)
  void theSameInputsGiveTheSamePlanInAnyOrder(@ForAll("cluster") Case c, @ForAll Random random) {
    Plan first = c.plan();
    assertThat(c.plan()).as("planned twice\n%s", c).isEqualTo(first);
    List<ObservedMachine> shuffled = new ArrayList<>(c.observed());
    Collections.shuffle(shuffled, random);
    assertThat(MachinePlanner.plan(c.desired(), shuffled, c.bringUp(), counting()))
        .as("machines listed in another order\n%s", c)
        .isEqualTo(first);
  }

  /**
   * Whole rollouts and remediations, step by step: the planner's plan is applied (deleted machines
   * leave one step later, new ones come up), and between steps the world does what the generated
   * script says (a machine becomes Ready, fails, loses its etcd member, is marked). Every
   * intermediate state must keep every invariant.
   */
  @Property(tries = 2_000)
  void everyInvariantHoldsThroughARolloutWithFailures(
      @ForAll("cluster") Case start, @ForAll("script") List<Integer> script) {
    DesiredTopology desired = start.desired();
    List<ObservedMachine> machines = new ArrayList<>(start.observed());
    boolean initialized = start.bringUp().controlPlaneInitialized();
    int created = 0;
    StringBuilder log = new StringBuilder(start.toString());
    for (int step = 0; step < script.size(); step++) {
      int event = script.get(step);
      // The world acts first.
      machines.removeIf(ObservedMachine::deleting);
      if (!machines.isEmpty()) {
        int i = Math.floorMod(event, machines.size());
        ObservedMachine m = machines.get(i);
        switch (Math.floorMod(event / 7, 5)) {
          case 0, 1 -> machines.set(i, m.failed() ? m : m.withReady(true, true));
          case 2 -> machines.set(i, m.withReady(false, false));
          case 3 -> machines.set(i, m.failed() ? m : m.withFailure("VM lost"));
          default -> machines.set(i, m.withReady(m.ready(), false));
        }
      }
      initialized |=
          machines.stream().anyMatch(m -> m.role() == MachineRole.CONTROL_PLANE && m.ready());
      BringUp bringUp = new BringUp(initialized);
      int offset = created;
      int[] n = {0};
      NameSuffixes suffixes = () -> String.format("s%05d", offset + ++n[0]);
      Plan plan = MachinePlanner.plan(desired, machines, bringUp, suffixes);
      log.append("\nstep ").append(step).append(": ").append(Case.describe(plan));
      PlannerInvariants.check(desired, machines, bringUp, plan, log.toString());
      Set<String> gone =
          plan.delete().stream().map(MachineToDelete::name).collect(Collectors.toSet());
      machines.replaceAll(m -> gone.contains(m.name()) ? m.withDeleting() : m);
      for (MachineToCreate c : plan.create()) {
        created++;
        machines.add(
            new ObservedMachine(
                c.name(),
                c.role(),
                c.pool(),
                T0.plusSeconds(100 + step),
                false,
                false,
                false,
                c.templateHash(),
                false,
                null));
      }
    }
  }

  @Provide
  Arbitrary<List<Integer>> script() {
    return Arbitraries.integers().between(0, 10_000).list().ofMinSize(5).ofMaxSize(40);
  }
}
