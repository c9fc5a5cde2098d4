package dev.slipway.operator.controller;

import static dev.slipway.operator.controller.TestObjects.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.plan.DesiredTopology;
import dev.slipway.operator.plan.MachinePlanner;
import dev.slipway.operator.plan.MachineRole;
import dev.slipway.operator.plan.MachineToCreate;
import dev.slipway.operator.plan.MachineToDelete;
import dev.slipway.operator.plan.NameSuffixes;
import dev.slipway.operator.plan.Plan;
import dev.slipway.operator.plan.PoolSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class MachineExpectationsTest {
  static final String KEY = TestObjects.NS + "/" + TestObjects.CLUSTER;

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    Instant now = T0;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  final TestClock clock = new TestClock();
  final MachineExpectations expectations = new MachineExpectations(clock);

  static Machine worker(String name) {
    return TestObjects.machine(name, Machine.Role.worker, "np1");
  }

  static List<String> names(List<Machine> machines) {
    return machines.stream().map(m -> m.getMetadata().getName()).toList();
  }

  static List<String> deleting(List<Machine> machines) {
    return machines.stream()
        .filter(m -> m.getMetadata().getDeletionTimestamp() != null)
        .map(m -> m.getMetadata().getName())
        .toList();
  }

  @Test
  void aCreatedMachineTheCacheDoesNotShowYetIsInTheView() {
    Machine made = worker("c1-np1-a");
    expectations.created(KEY, made);

    assertThat(expectations.view(KEY, List.of())).containsExactly(made);
    assertThat(expectations.view(KEY, List.of()))
        .as("until the cache shows it")
        .containsExactly(made);
  }

  @Test
  void expectationsArePendingUntilTheCacheShowsTheWrite() {
    Machine made = worker("c1-np1-p");
    assertThat(expectations.pending(KEY)).isFalse();
    expectations.created(KEY, made);
    expectations.view(KEY, List.of());
    assertThat(expectations.pending(KEY)).as("the cache does not show it yet").isTrue();
    expectations.view(KEY, List.of(made));
    assertThat(expectations.pending(KEY)).as("the cache shows it").isFalse();
  }

  @Test
  void onceTheCacheShowsItTheExpectationEnds() {
    Machine made = worker("c1-np1-a");
    Machine cached = worker("c1-np1-a");
    Machine other = worker("c1-np1-b");
    expectations.created(KEY, made);

    assertThat(expectations.view(KEY, List.of(cached, other)))
        .as("the cached copy, once")
        .containsExactly(cached, other);

    // Later the machine is gone from the cache (deleted by someone): no expectation brings it back.
    assertThat(expectations.view(KEY, List.of(other))).containsExactly(other);
  }

  @Test
  void aDeletedMachineStillInTheCacheIsSeenAsDeleting() {
    Machine m = worker("c1-np1-a");
    Machine keep = worker("c1-np1-b");
    expectations.deleted(KEY, m);

    List<Machine> view = expectations.view(KEY, List.of(m, keep));

    assertThat(names(view)).containsExactly("c1-np1-a", "c1-np1-b");
    assertThat(deleting(view)).containsExactly("c1-np1-a");
    assertThat(m.getMetadata().getDeletionTimestamp())
        .as("the cached object is not changed")
        .isNull();
    assertThat(deleting(expectations.view(KEY, List.of(m, keep))))
        .as("until the cache shows the deletion")
        .containsExactly("c1-np1-a");
  }

  @Test
  void aDeletionEndsWhenTheCacheShowsItOrTheMachineIsGone() {
    Machine a = worker("c1-np1-a");
    Machine b = worker("c1-np1-b");
    expectations.deleted(KEY, a);
    expectations.deleted(KEY, b);

    Machine aDeleting = TestObjects.deleting(worker("c1-np1-a"));
    expectations.view(KEY, List.of(aDeleting));

    // Both expectations ended: a machine of the same name (a new one) is not marked deleting.
    assertThat(deleting(expectations.view(KEY, List.of(worker("c1-np1-a"), worker("c1-np1-b")))))
        .isEmpty();
  }

  @Test
  void expectationsExpireAfterTheirTtl() {
    Machine made = worker("c1-np1-a");
    Machine gone = worker("c1-np1-b");
    expectations.created(KEY, made);
    expectations.deleted(KEY, gone);

    clock.advance(MachineExpectations.TTL.minusSeconds(1));
    List<Machine> before = expectations.view(KEY, List.of(gone));
    assertThat(names(before)).containsExactlyInAnyOrder("c1-np1-a", "c1-np1-b");
    assertThat(deleting(before)).containsExactly("c1-np1-b");

    clock.advance(Duration.ofSeconds(2));
    List<Machine> after = expectations.view(KEY, List.of(gone));
    assertThat(names(after)).as("past the TTL the cache is trusted").containsExactly("c1-np1-b");
    assertThat(deleting(after)).isEmpty();
  }

  @Test
  void clustersDoNotSeeEachOthersExpectations() {
    expectations.created(KEY, worker("c1-np1-a"));
    assertThat(expectations.view(TestObjects.NS + "/c2", List.of())).isEmpty();
    assertThat(expectations.view(KEY, List.of())).hasSize(1);
  }

  @Test
  void forgettingAClusterDropsItsExpectations() {
    expectations.created(KEY, worker("c1-np1-a"));
    expectations.forget(KEY);
    assertThat(expectations.view(KEY, List.of())).isEmpty();
  }

  // ---- with the planner -------------------------------------------------------------------------

  /** The API server: what the cluster controller created, and the informer that lags behind. */
  final List<Machine> created = new ArrayList<>();

  final List<String> deleted = new ArrayList<>();
  final NameSuffixes suffixes = counting();

  static NameSuffixes counting() {
    int[] n = {0};
    return () -> String.format("s%04d", ++n[0]);
  }

  /** The spec's replicas only: these machines carry no template hash, so none is outdated. */
  static DesiredTopology withoutTemplates(TanzuKubernetesCluster tkc) {
    List<PoolSpec> pools = new ArrayList<>();
    for (var p : ClusterResolver.pools(tkc)) {
      pools.add(
          new PoolSpec(
              p.name, p.replicas == null ? OptionalInt.empty() : OptionalInt.of(p.replicas)));
    }
    return new DesiredTopology(
        tkc.getMetadata().getName(), ClusterMachines.controlPlaneReplicas(tkc), pools);
  }

  /** One planning pass over the cache as the expectations correct it, applied like `apply`. */
  Plan plan(TanzuKubernetesCluster tkc, List<Machine> cache) {
    List<Machine> view = expectations.view(KEY, cache);
    Plan plan =
        MachinePlanner.plan(
            withoutTemplates(tkc),
            ClusterMachines.observed(view),
            ClusterMachines.bringUp(view, false),
            suffixes);
    for (MachineToCreate c : plan.create()) {
      Machine m =
          TestObjects.machine(
              c.name(),
              c.role() == MachineRole.CONTROL_PLANE
                  ? Machine.Role.controlPlane
                  : Machine.Role.worker,
              c.pool());
      m.getMetadata().setCreationTimestamp(clock.instant().toString());
      expectations.created(KEY, m);
      created.add(m);
    }
    for (MachineToDelete d : plan.delete()) {
      view.stream()
          .filter(m -> m.getMetadata().getName().equals(d.name()))
          .findFirst()
          .ifPresent(m -> expectations.deleted(KEY, m));
      deleted.add(d.name());
    }
    clock.advance(Duration.ofSeconds(1));
    return plan;
  }

  @Test
  void withALaggingCachePlanningAgainNeverCreatesMoreThanDesired() {
    TanzuKubernetesCluster tkc = TestObjects.cluster(1, TestObjects.pool("np1", 3));
    List<Machine> cache = new ArrayList<>();

    plan(tkc, cache);
    plan(tkc, cache);
    plan(tkc, cache);
    assertThat(created).as("one control plane, however often it plans").hasSize(1);

    // The cache catches up; the control plane becomes ready; workers are planned once.
    cache.add(TestObjects.ready(copy(created.get(0))));
    plan(tkc, cache);
    assertThat(created).hasSize(4);
    plan(tkc, cache);
    cache.add(TestObjects.ready(copy(created.get(1))));
    plan(tkc, cache);
    cache.add(copy(created.get(2)));
    plan(tkc, cache);
    cache.add(copy(created.get(3)));
    plan(tkc, cache);
    plan(tkc, cache);

    assertThat(created).as("exactly the desired machines").hasSize(4);
    assertThat(names(created)).doesNotHaveDuplicates();
    assertThat(deleted).isEmpty();
  }

  @Test
  void withALaggingCacheScalingInDeletesOnlyTheSurplus() {
    TanzuKubernetesCluster tkc = TestObjects.cluster(1, TestObjects.pool("np1", 3));
    List<Machine> cache = new ArrayList<>();
    cache.add(TestObjects.ready(TestObjects.machine("c1-cp", Machine.Role.controlPlane, null)));
    for (String n : List.of("c1-np1-a", "c1-np1-b", "c1-np1-c")) {
      cache.add(TestObjects.ready(worker(n)));
    }
    tkc.getSpec().topology.nodePools.get(0).replicas = 1;

    plan(tkc, cache);
    plan(tkc, cache);
    plan(tkc, cache);

    assertThat(deleted).hasSize(2).doesNotHaveDuplicates();
    assertThat(created).isEmpty();
  }

  @Test
  void withALaggingCacheAReplacementIsPlannedOnceWhileTheOldOneIsDeleting() {
    TanzuKubernetesCluster tkc = TestObjects.cluster(1, TestObjects.pool("np1", 2));
    List<Machine> cache = new ArrayList<>();
    cache.add(TestObjects.ready(TestObjects.machine("c1-cp", Machine.Role.controlPlane, null)));
    Machine a = TestObjects.ready(worker("c1-np1-a"));
    cache.add(a);
    cache.add(TestObjects.ready(worker("c1-np1-b")));
    // Someone deleted a; this process saw it happen before the cache did.
    expectations.deleted(KEY, a);

    plan(tkc, cache);
    plan(tkc, cache);

    assertThat(created).as("one replacement for a").hasSize(1);
  }

  static Machine copy(Machine m) {
    return Statuses.copy(m, Machine.class);
  }
}
