package dev.slipway.operator.plan;

import static dev.slipway.operator.plan.Fixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Invariants of {@link MachinePlanner#plan} over many random clusters. Names and suffixes come from
 * a two-letter alphabet so that collisions with observed and freshly created names are common.
 */
class MachinePlannerPropertyTest {
  private static final int SCENARIOS = 800;
  private static final List<String> POOL_NAMES = List.of("workers", "gpu", "infra", "edge", "big");
  private static final String NEW = "new-template";
  private static final List<Scenario> ALL =
      IntStream.range(0, SCENARIOS).mapToObj(seed -> Scenario.random(seed)).toList();

  @Test
  void deletesOnlyOutdatedControlPlaneMachinesAndOnlyAboveTheReplicas() {
    for (Scenario s : ALL) {
      List<ObservedMachine> live = s.live(MachineRole.CONTROL_PLANE, null);
      List<String> deleted = deletedControlPlane(s);
      if (deleted.isEmpty()) {
        continue;
      }
      String template = s.desired().controlPlaneTemplate();
      Set<String> outdated = names(live.stream().filter(m -> m.outdated(template)).toList());
      assertThat(outdated).as("%s", s).containsAll(deleted);
      assertThat(live.size()).as("%s", s).isGreaterThan(s.desired().controlPlaneReplicas());
    }
  }

  @Test
  void changesAtMostOneControlPlaneMachinePerPlanAndNoneWhileOneIsLeaving() {
    for (Scenario s : ALL) {
      int changes = createdControlPlane(s.plan()) + deletedControlPlane(s).size();
      assertThat(changes).as("%s", s).isLessThanOrEqualTo(1);
      boolean leaving =
          s.observed().stream()
              .anyMatch(m -> m.role() == MachineRole.CONTROL_PLANE && m.deleting());
      if (leaving && !s.live(MachineRole.CONTROL_PLANE, null).isEmpty()) {
        assertThat(changes).as("%s", s).isZero();
      }
    }
  }

  @Test
  void controlPlaneDeletionKeepsAHealthyMajorityAndItsReplacementsReady() {
    for (Scenario s : ALL) {
      List<String> deleted = deletedControlPlane(s);
      if (deleted.isEmpty()) {
        continue;
      }
      List<ObservedMachine> live = s.live(MachineRole.CONTROL_PLANE, null);
      List<ObservedMachine> left = live.stream().filter(m -> !deleted.contains(m.name())).toList();
      long healthyLeft = left.stream().filter(ObservedMachine::healthy).count();
      int wanted = s.desired().controlPlaneReplicas();
      assertThat(healthyLeft).as("%s", s).isGreaterThanOrEqualTo(wanted / 2 + 1);
      assertThat(healthyLeft).as("%s", s).isGreaterThanOrEqualTo(left.size() / 2 + 1);
      String template = s.desired().controlPlaneTemplate();
      assertThat(live.stream().filter(m -> !m.outdated(template)))
          .as("%s", s)
          .allMatch(ObservedMachine::healthy);
    }
  }

  @Test
  void createsAControlPlaneMachineExactlyWhenBringUpOrRolloutAllowsIt() {
    for (Scenario s : ALL) {
      List<ObservedMachine> live = s.live(MachineRole.CONTROL_PLANE, null);
      int wanted = s.desired().controlPlaneReplicas();
      boolean leaving =
          s.observed().stream()
              .anyMatch(m -> m.role() == MachineRole.CONTROL_PLANE && m.deleting());
      boolean calm =
          s.bringUp().controlPlaneInitialized()
              && !leaving
              && live.stream().allMatch(ObservedMachine::healthy);
      boolean outdated =
          live.stream().anyMatch(m -> m.outdated(s.desired().controlPlaneTemplate()));
      boolean allowed =
          live.size() < wanted ? live.isEmpty() || calm : outdated && live.size() == wanted && calm;
      assertThat(createdControlPlane(s.plan())).as("%s", s).isEqualTo(allowed ? 1 : 0);
    }
  }

  @Test
  void newNamesAreDistinctAndFree() {
    for (Scenario s : ALL) {
      List<String> created = Fixtures.created(s.plan());
      assertThat(created).as("%s", s).doesNotHaveDuplicates();
      assertThat(created).as("%s", s).noneMatch(names(s.observed())::contains);
    }
  }

  @Test
  void newMachinesFollowTheNamingSchemeAndBelongToManagedPools() {
    for (Scenario s : ALL) {
      String cluster = s.desired().clusterName();
      Set<String> managed = s.poolNames(true);
      for (MachineToCreate c : s.plan().create()) {
        if (c.role() == MachineRole.CONTROL_PLANE) {
          assertThat(c.pool()).as("%s", s).isNull();
          assertThat(c.name()).as("%s", s).matches(cluster + "-control-plane-[ab]{4}");
          assertThat(c.templateHash()).as("%s", s).isEqualTo(s.desired().controlPlaneTemplate());
        } else {
          assertThat(managed).as("%s", s).contains(c.pool());
          assertThat(c.name()).as("%s", s).matches(cluster + "-" + c.pool() + "-[ab]{4}");
          assertThat(c.templateHash()).as("%s", s).isEqualTo(s.pool(c.pool()).template());
        }
      }
    }
  }

  @Test
  void managedPoolsEndAtTheirReplicasOnceInitialized() {
    for (Scenario s : ALL) {
      if (s.controlPlaneRolling()) {
        continue;
      }
      for (PoolSpec pool : s.desired().pools()) {
        if (!pool.isManaged() || pool.name().equals(s.rollingPool())) {
          continue;
        }
        int wanted = pool.replicas().getAsInt();
        int live = s.live(MachineRole.WORKER, pool.name()).size();
        int after = s.afterPlan(pool.name());
        if (s.bringUp().controlPlaneInitialized()) {
          assertThat(after).as("pool %s in %s", pool.name(), s).isEqualTo(wanted);
        } else {
          assertThat(after).as("pool %s in %s", pool.name(), s).isEqualTo(Math.min(live, wanted));
        }
      }
    }
  }

  @Test
  void workersAreNeverCreatedBeforeInitialization() {
    for (Scenario s : ALL) {
      if (!s.bringUp().controlPlaneInitialized()) {
        assertThat(s.plan().create())
            .as("%s", s)
            .allMatch(c -> c.role() == MachineRole.CONTROL_PLANE);
      }
    }
  }

  @Test
  void workersAreNeverCreatedWhileTheControlPlaneIsOutdated() {
    for (Scenario s : ALL) {
      if (s.controlPlaneRolling()) {
        assertThat(s.plan().create())
            .as("%s", s)
            .allMatch(c -> c.role() == MachineRole.CONTROL_PLANE);
      }
    }
  }

  @Test
  void poolsRollOneAtATimeAfterTheControlPlaneWithinTheirStrategy() {
    for (Scenario s : ALL) {
      Set<String> rolled =
          s.plan().delete().stream()
              .filter(d -> d.reason().contains(" rollout: "))
              .filter(d -> d.reason().startsWith("pool "))
              .map(d -> d.reason().split(" ")[1])
              .collect(Collectors.toSet());
      if (s.controlPlaneRolling()) {
        assertThat(rolled).as("%s", s).isEmpty();
      }
      assertThat(rolled).as("%s", s).hasSizeLessThanOrEqualTo(1);
      String rolling = s.rollingPool();
      if (rolling == null) {
        assertThat(rolled).as("%s", s).isEmpty();
        continue;
      }
      PoolSpec pool = s.pool(rolling);
      int wanted = pool.replicas().getAsInt();
      List<ObservedMachine> live = s.live(MachineRole.WORKER, rolling);
      Set<String> deleted = Set.copyOf(Fixtures.deleted(s.plan()));
      assertThat(live.stream().filter(m -> deleted.contains(m.name())))
          .as("%s", s)
          .allMatch(m -> m.outdated(pool.template()));
      long availableBefore = live.stream().filter(ObservedMachine::healthy).count();
      long availableAfter =
          live.stream().filter(m -> m.healthy() && !deleted.contains(m.name())).count();
      if (availableAfter < availableBefore) {
        // An available machine went: only while enough stay, so with maxUnavailable 0 only once
        // its replacement is Ready.
        assertThat(availableAfter)
            .as("%s", s)
            .isGreaterThanOrEqualTo(wanted - pool.strategy().maxUnavailable());
      }
      int created = (int) s.plan().create().stream().filter(c -> rolling.equals(c.pool())).count();
      if (created > 0) {
        assertThat(s.afterPlan(rolling))
            .as("%s", s)
            .isLessThanOrEqualTo(wanted + pool.strategy().maxSurge());
      }
    }
  }

  @Test
  void rolloutNamesTheFailedMachineThatBlocksIt() {
    for (Scenario s : ALL) {
      for (Rollout.Group g : s.plan().rollout().groups()) {
        if (g.state() != Rollout.State.BLOCKED) {
          continue;
        }
        List<ObservedMachine> group =
            g.pool() == null
                ? s.live(MachineRole.CONTROL_PLANE, null)
                : s.live(MachineRole.WORKER, g.pool());
        assertThat(group.stream().filter(ObservedMachine::failed).map(ObservedMachine::name))
            .as("%s", s)
            .anyMatch(name -> g.message().contains("machine " + name + " failed: "));
      }
      if (s.controlPlaneRolling()
          && s.live(MachineRole.CONTROL_PLANE, null).stream().anyMatch(ObservedMachine::failed)) {
        assertThat(s.plan().rollout().groups().get(0).state())
            .as("%s", s)
            .isEqualTo(Rollout.State.BLOCKED);
      }
    }
  }

  @Test
  void unmanagedPoolsAreUntouched() {
    for (Scenario s : ALL) {
      Set<String> unmanaged = s.poolNames(false);
      Set<String> theirMachines =
          names(s.observed().stream().filter(m -> unmanaged.contains(m.pool())).toList());
      assertThat(Fixtures.deleted(s.plan())).as("%s", s).noneMatch(theirMachines::contains);
      assertThat(s.plan().create()).as("%s", s).noneMatch(c -> unmanaged.contains(c.pool()));
    }
  }

  @Test
  void deletesOnlyLiveObservedMachinesAndEachOnce() {
    for (Scenario s : ALL) {
      Set<String> live = names(s.observed().stream().filter(m -> !m.deleting()).toList());
      List<String> deleted = Fixtures.deleted(s.plan());
      assertThat(deleted).as("%s", s).doesNotHaveDuplicates();
      assertThat(live).as("%s", s).containsAll(deleted);
      assertThat(s.plan().delete()).as("%s", s).allMatch(d -> !d.reason().isBlank());
    }
  }

  @Test
  void workersOutsideTheSpecAreAllDeleted() {
    for (Scenario s : ALL) {
      Set<String> specPools = s.poolNames(null);
      List<ObservedMachine> strays =
          s.observed().stream()
              .filter(m -> m.role() == MachineRole.WORKER && !m.deleting())
              .filter(m -> m.pool() == null || !specPools.contains(m.pool()))
              .toList();
      assertThat(Fixtures.deleted(s.plan())).as("%s", s).containsAll(names(strays));
      for (ObservedMachine stray : strays) {
        String reason = reasonFor(s.plan(), stray.name());
        assertThat(reason)
            .as("%s", s)
            .isEqualTo(
                stray.pool() == null
                    ? "worker machine belongs to no pool"
                    : "pool " + stray.pool() + " removed from the spec");
      }
    }
  }

  @Test
  void scaleInTakesFailedThenNotReadyThenMarkedThenOutdatedThenTheNewest() {
    for (Scenario s : ALL) {
      Set<String> deleted = Set.copyOf(Fixtures.deleted(s.plan()));
      for (String pool : s.poolNames(true)) {
        if (pool.equals(s.rollingPool())) {
          continue;
        }
        String template = s.pool(pool).template();
        List<ObservedMachine> live = s.live(MachineRole.WORKER, pool);
        for (ObservedMachine gone : live) {
          if (!deleted.contains(gone.name())) {
            continue;
          }
          for (ObservedMachine kept : live) {
            if (deleted.contains(kept.name())) {
              continue;
            }
            boolean goneFirst =
                gone.failed() != kept.failed()
                    ? gone.failed()
                    : gone.healthy() != kept.healthy()
                        ? !gone.healthy()
                        : gone.markedForDeletion() != kept.markedForDeletion()
                            ? gone.markedForDeletion()
                            : gone.outdated(template) != kept.outdated(template)
                                ? gone.outdated(template)
                                : gone.created().isAfter(kept.created())
                                    || (gone.created().equals(kept.created())
                                        && gone.name().compareTo(kept.name()) > 0);
            assertThat(goneFirst).as("%s deleted before %s kept in %s", gone, kept, s).isTrue();
          }
        }
      }
    }
  }

  @Test
  void waitingForExplainsEachShortGroupOnce() {
    for (Scenario s : ALL) {
      Plan plan = s.plan();
      List<String> expectedMentions = new ArrayList<>();
      int controlPlane = s.live(MachineRole.CONTROL_PLANE, null).size() + createdControlPlane(plan);
      if (controlPlane < s.desired().controlPlaneReplicas()) {
        expectedMentions.add("control-plane machine");
      }
      for (PoolSpec pool : s.desired().pools()) {
        if (pool.isManaged() && s.afterPlan(pool.name()) < pool.replicas().getAsInt()) {
          expectedMentions.add("of pool " + pool.name() + " ");
        }
      }
      assertThat(plan.waitingFor()).as("%s", s).hasSameSizeAs(expectedMentions);
      for (int i = 0; i < expectedMentions.size(); i++) {
        assertThat(plan.waitingFor().get(i)).as("%s", s).contains(expectedMentions.get(i));
      }
    }
  }

  @Test
  void planIsDeterministicAndIgnoresTheOrderOfObservedMachines() {
    for (Scenario s : ALL) {
      List<ObservedMachine> shuffled = new ArrayList<>(s.observed());
      Collections.shuffle(shuffled, new Random(s.seed() * 31 + 1));
      Plan again = MachinePlanner.plan(s.desired(), shuffled, s.bringUp(), suffixes(s.seed()));
      assertThat(again).as("%s", s).isEqualTo(s.plan());
    }
  }

  @Test
  void repeatedReconcilesConvergeToTheDesiredTopology() {
    for (Scenario s : ALL) {
      List<ObservedMachine> machines = s.observed();
      boolean initialized = s.bringUp().controlPlaneInitialized();
      NameSuffixes suffixes = suffixes(s.seed());
      String cpTemplate = s.desired().controlPlaneTemplate();
      // Up-to-date control-plane machines are never removed; outdated ones are replaced up to
      // the replicas.
      long controlPlaneKept =
          s.live(MachineRole.CONTROL_PLANE, null).stream()
              .filter(m -> !m.outdated(cpTemplate))
              .count();
      int rounds = 0;
      while (true) {
        Plan plan = MachinePlanner.plan(s.desired(), machines, new BringUp(initialized), suffixes);
        assertThat(createdControlPlane(plan)).as("%s", s).isLessThanOrEqualTo(1);
        if (plan.hasNoChanges()
            && plan.waitingFor().isEmpty()
            && machines.stream().noneMatch(ObservedMachine::deleting)
            && plan.rollout().groups().stream().allMatch(g -> settled(s, g))) {
          break;
        }
        assertThat(++rounds).as("rounds to converge %s", s).isLessThanOrEqualTo(120);
        machines = reconcile(machines, plan, T0.plusSeconds(1000 + rounds));
        initialized |=
            machines.stream()
                .anyMatch(m -> m.role() == MachineRole.CONTROL_PLANE && !m.deleting() && m.ready());
      }

      Map<String, Long> byPool =
          machines.stream()
              .filter(m -> m.role() == MachineRole.WORKER)
              .collect(Collectors.groupingBy(m -> String.valueOf(m.pool()), Collectors.counting()));
      assertThat(machines.stream().filter(m -> m.role() == MachineRole.CONTROL_PLANE).count())
          .as("%s", s)
          .isEqualTo(Math.max(controlPlaneKept, s.desired().controlPlaneReplicas()));
      assertThat(machines.stream().filter(m -> m.role() == MachineRole.CONTROL_PLANE))
          .as("every control-plane machine up to date in %s", s)
          .noneMatch(m -> m.outdated(cpTemplate));
      for (PoolSpec pool : s.desired().pools()) {
        if (pool.isManaged()) {
          assertThat(machines.stream().filter(m -> pool.name().equals(m.pool())))
              .as("every machine of pool %s up to date in %s", pool.name(), s)
              .noneMatch(m -> m.outdated(pool.template()));
        }
        long expected =
            pool.isManaged()
                ? pool.replicas().getAsInt()
                : s.live(MachineRole.WORKER, pool.name()).size();
        assertThat(byPool.getOrDefault(pool.name(), 0L)).as("%s", s).isEqualTo(expected);
      }
      assertThat(s.poolNames(null)).as("%s", s).containsAll(byPool.keySet());
    }
  }

  @Test
  void scenariosCoverTheInterestingCases() {
    Map<String, Integer> seen = new HashMap<>();
    for (Scenario s : ALL) {
      Plan plan = s.plan();
      boolean initialized = s.bringUp().controlPlaneInitialized();
      count(seen, "control plane bring-up", !initialized && createdControlPlane(plan) == 1);
      count(
          seen,
          "control plane growth",
          initialized
              && createdControlPlane(plan) == 1
              && !s.live(MachineRole.CONTROL_PLANE, null).isEmpty());
      count(
          seen,
          "control plane waits",
          plan.waitingFor().stream().anyMatch(w -> w.contains("control-plane")));
      count(
          seen,
          "control plane above desired",
          s.live(MachineRole.CONTROL_PLANE, null).size() > s.desired().controlPlaneReplicas());
      count(seen, "workers created", plan.create().stream().anyMatch(c -> c.pool() != null));
      count(seen, "scale-in", plan.delete().stream().anyMatch(d -> d.reason().contains("scaled")));
      count(
          seen,
          "marked first",
          plan.delete().stream().anyMatch(d -> d.reason().contains("marked")));
      count(
          seen,
          "pool removed",
          plan.delete().stream().anyMatch(d -> d.reason().contains("removed")));
      count(seen, "no pool", plan.delete().stream().anyMatch(d -> d.reason().contains("no pool")));
      count(
          seen,
          "unmanaged pool with machines",
          s.desired().pools().stream()
              .anyMatch(p -> !p.isManaged() && !s.live(MachineRole.WORKER, p.name()).isEmpty()));
      count(
          seen,
          "unmanaged pool without machines",
          s.desired().pools().stream()
              .anyMatch(p -> !p.isManaged() && s.live(MachineRole.WORKER, p.name()).isEmpty()));
      count(seen, "workers wait", plan.waitingFor().stream().anyMatch(w -> w.contains("of pool")));
      count(seen, "name collision", s.suffixesDrawn() > plan.create().size());
      count(
          seen,
          "control plane surge",
          s.controlPlaneRolling()
              && createdControlPlane(plan) == 1
              && s.live(MachineRole.CONTROL_PLANE, null).size()
                  == s.desired().controlPlaneReplicas());
      count(seen, "control plane replaced", !deletedControlPlane(s).isEmpty());
      count(
          seen,
          "control plane rollout waits",
          s.controlPlaneRolling()
              && createdControlPlane(plan) + deletedControlPlane(s).size() == 0);
      count(
          seen,
          "pool rollout deletes",
          plan.delete().stream().anyMatch(d -> d.reason().contains(" rollout: outdated")));
      count(
          seen,
          "pool rollout creates",
          s.rollingPool() != null
              && plan.create().stream().anyMatch(c -> s.rollingPool().equals(c.pool())));
      count(
          seen,
          "pool waits for its turn",
          plan.rollout().groups().stream()
              .anyMatch(g -> g.message() != null && g.message().contains("rollout waits until")));
      count(seen, "rollout blocked", plan.rollout().blocked().isPresent());
      count(
          seen,
          "workers held back by the control plane rollout",
          plan.waitingFor().stream().anyMatch(w -> w.startsWith("control plane rolling out")));
    }
    assertThat(seen)
        .as("%s", seen)
        .hasSize(21)
        .allSatisfy((what, n) -> assertThat(n).as(what + " in " + seen).isGreaterThan(10));
  }

  /** Nothing left to roll: up to date, or a pool without replicas that is never rolled. */
  private static boolean settled(Scenario s, Rollout.Group g) {
    return g.state() == Rollout.State.IDLE || (g.pool() != null && !s.pool(g.pool()).isManaged());
  }

  private static List<String> deletedControlPlane(Scenario s) {
    Set<String> controlPlane = names(s.live(MachineRole.CONTROL_PLANE, null));
    return Fixtures.deleted(s.plan()).stream().filter(controlPlane::contains).toList();
  }

  private static void count(Map<String, Integer> seen, String what, boolean happened) {
    if (happened) {
      seen.merge(what, 1, Integer::sum);
    }
  }

  /** One reconcile: deletions finish, new machines appear, and machines become Ready. */
  private static List<ObservedMachine> reconcile(
      List<ObservedMachine> machines, Plan plan, Instant now) {
    Set<String> toDelete = Set.copyOf(Fixtures.deleted(plan));
    List<ObservedMachine> next = new ArrayList<>();
    for (ObservedMachine m : machines) {
      if (m.deleting()) {
        continue;
      }
      boolean deleting = toDelete.contains(m.name());
      // Someone fixes what failed; everything else becomes Ready and joins etcd.
      ObservedMachine healthy = m.withFailure(null).withReady(true, true);
      next.add(deleting ? healthy.withDeleting() : healthy);
    }
    for (MachineToCreate c : plan.create()) {
      next.add(
          new ObservedMachine(c.name(), c.role(), c.pool(), now, false, false, false)
              .withTemplateHash(c.templateHash()));
    }
    return next;
  }

  private static int createdControlPlane(Plan plan) {
    return (int) plan.create().stream().filter(c -> c.role() == MachineRole.CONTROL_PLANE).count();
  }

  private static Set<String> names(List<ObservedMachine> machines) {
    return machines.stream().map(ObservedMachine::name).collect(Collectors.toSet());
  }

  private static String reasonFor(Plan plan, String name) {
    return plan.delete().stream()
        .filter(d -> d.name().equals(name))
        .map(MachineToDelete::reason)
        .findFirst()
        .orElse(null);
  }

  /** Four letters of 'a' and 'b': 16 names per prefix, enough for a pool yet often colliding. */
  private static NameSuffixes suffixes(long seed) {
    Random random = new Random(seed ^ 0x5DEECE66DL);
    return () -> randomWord(random);
  }

  private static String randomWord(Random random) {
    StringBuilder word = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      word.append(random.nextBoolean() ? 'a' : 'b');
    }
    return word.toString();
  }

  record Scenario(
      long seed,
      DesiredTopology desired,
      List<ObservedMachine> observed,
      BringUp bringUp,
      Plan plan,
      int suffixesDrawn) {

    static Scenario random(long seed) {
      Random r = new Random(seed);
      String cluster = List.of("tkc", "prod", "c1").get(r.nextInt(3));
      int controlPlane = List.of(1, 1, 3, 3, 5).get(r.nextInt(5));
      List<String> poolNames = new ArrayList<>(POOL_NAMES);
      Collections.shuffle(poolNames, r);
      List<PoolSpec> pools = new ArrayList<>();
      // Half the clusters have templates: their machines are new, old or unstamped.
      boolean templated = r.nextBoolean();
      for (String name : poolNames.subList(0, r.nextInt(5))) {
        PoolSpec pool =
            r.nextInt(4) == 0 ? PoolSpec.unmanaged(name) : PoolSpec.managed(name, r.nextInt(6));
        pools.add(
            pool.withTemplate(templated && r.nextInt(4) != 0 ? NEW : null)
                .withStrategy(strategy(r)));
      }
      DesiredTopology desired =
          new DesiredTopology(
              cluster, controlPlane, pools, templated && r.nextInt(4) != 0 ? NEW : null);

      Set<String> taken = new HashSet<>();
      List<ObservedMachine> observed = new ArrayList<>();
      // Often exactly the replicas: where a rollout surges.
      int controlPlaneMachines = r.nextBoolean() ? controlPlane : r.nextInt(controlPlane + 3);
      for (int i = 0; i < controlPlaneMachines; i++) {
        observed.add(machine(r, taken, cluster, MachineRole.CONTROL_PLANE, null, templated));
      }
      Set<String> specPools = pools.stream().map(PoolSpec::name).collect(Collectors.toSet());
      for (String pool : POOL_NAMES) {
        int count =
            specPools.contains(pool) ? r.nextInt(7) : (r.nextInt(5) < 2 ? 1 + r.nextInt(3) : 0);
        for (int i = 0; i < count; i++) {
          observed.add(machine(r, taken, cluster, MachineRole.WORKER, pool, templated));
        }
      }
      if (r.nextInt(7) == 0) {
        for (int i = 0; i <= r.nextInt(2); i++) {
          observed.add(machine(r, taken, cluster, MachineRole.WORKER, null, templated));
        }
      }
      Collections.shuffle(observed, r);
      BringUp bringUp = new BringUp(r.nextInt(5) < 3);

      AtomicInteger drawn = new AtomicInteger();
      NameSuffixes counted = suffixes(seed);
      NameSuffixes suffixes =
          () -> {
            drawn.incrementAndGet();
            return counted.next();
          };
      Plan plan = MachinePlanner.plan(desired, List.copyOf(observed), bringUp, suffixes);
      return new Scenario(seed, desired, List.copyOf(observed), bringUp, plan, drawn.get());
    }

    private static ObservedMachine machine(
        Random r,
        Set<String> taken,
        String cluster,
        MachineRole role,
        String pool,
        boolean templated) {
      String prefix = cluster + "-" + (role == MachineRole.CONTROL_PLANE ? "control-plane" : pool);
      String name;
      do {
        name = prefix + "-" + randomWord(r);
      } while (!taken.add(name));
      // Control-plane machines are mostly healthy, so that rollouts get to take their steps.
      int odds = role == MachineRole.CONTROL_PLANE ? 12 : 4;
      boolean ready = r.nextInt(odds) != 0;
      return new ObservedMachine(
          name,
          role,
          pool,
          T0.plusSeconds(r.nextInt(6)),
          r.nextInt(5) == 0,
          r.nextInt(odds + 3) == 0,
          ready,
          templated
              ? List.of(NEW, NEW, "old", "")
                  .get(r.nextInt(4))
                  .transform(h -> h.isEmpty() ? null : h)
              : null,
          ready && r.nextInt(odds + 2) != 0,
          r.nextInt(role == MachineRole.CONTROL_PLANE ? 20 : 8) == 0
              ? "clone failed: datastore full"
              : null);
    }

    private static RollingUpdate strategy(Random r) {
      int surge = r.nextInt(3);
      return new RollingUpdate(surge, surge == 0 ? 1 + r.nextInt(2) : r.nextInt(2));
    }

    PoolSpec pool(String name) {
      return desired.pools().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    /** An outdated control-plane machine is left, live or still being deleted. */
    boolean controlPlaneRolling() {
      return observed.stream()
          .filter(m -> m.role() == MachineRole.CONTROL_PLANE)
          .anyMatch(m -> m.outdated(desired.controlPlaneTemplate()));
    }

    /** The pool whose turn it is to roll out: none while the control plane rolls. */
    String rollingPool() {
      if (controlPlaneRolling()) {
        return null;
      }
      return desired.pools().stream()
          .filter(PoolSpec::isManaged)
          .filter(
              p ->
                  live(MachineRole.WORKER, p.name()).stream()
                      .anyMatch(m -> m.outdated(p.template())))
          .map(PoolSpec::name)
          .findFirst()
          .orElse(null);
    }

    /** Live (not deleting) machines of a role, and for workers of one pool. */
    List<ObservedMachine> live(MachineRole role, String pool) {
      return observed.stream()
          .filter(m -> m.role() == role && !m.deleting())
          .filter(m -> role == MachineRole.CONTROL_PLANE || Objects.equals(m.pool(), pool))
          .toList();
    }

    /** How many live machines a pool has once this plan is carried out. */
    int afterPlan(String pool) {
      Set<String> deleted = Set.copyOf(Fixtures.deleted(plan));
      long kept =
          live(MachineRole.WORKER, pool).stream().filter(m -> !deleted.contains(m.name())).count();
      long created = plan.create().stream().filter(c -> pool.equals(c.pool())).count();
      return (int) (kept + created);
    }

    /** Names of the spec's pools: managed ones (true), unmanaged ones (false) or all (null). */
    Set<String> poolNames(Boolean managed) {
      return desired.pools().stream()
          .filter(p -> managed == null || p.isManaged() == managed)
          .map(PoolSpec::name)
          .collect(Collectors.toSet());
    }

    @Override
    public String toString() {
      return "scenario "
          + seed
          + " "
          + desired
          + " "
          + bringUp
          + " observed="
          + observed
          + " plan="
          + plan;
    }
  }
}
