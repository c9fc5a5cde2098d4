package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.operator.controller.TanzuKubernetesClusterReconciler.MachineView;
import dev.slipway.testenv.Manifests;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A Machine informer that lags behind the API server must never make the cluster controller plan
 * the same machine twice. The controller sees its machines through a view that hides every Machine
 * younger than {@link #LAG} (as a watch that far behind would); a watcher polls the real API server
 * all along and records the most machines the cluster ever had. Without the controller's own
 * expectations of what it created, the first pass after a create plans it again.
 */
class CacheLagE2E {
  static final String NS = "team-a";
  static final Duration LAG = Duration.ofSeconds(6);
  static SlipwayEnv env;

  /** Machines created less than {@link #LAG} ago are not shown yet. */
  static final MachineView LAGGING =
      (tkc, context) ->
          MachineView.INFORMER.machines(tkc, context).stream()
              .filter(
                  m ->
                      Instant.parse(m.getMetadata().getCreationTimestamp())
                          .plus(LAG)
                          .isBefore(Instant.now()))
              .toList();

  @BeforeAll
  static void start() {
    env =
        SlipwayEnv.start(
            e -> VmOnlyDoubles.hostnameOnlyBootstrap(),
            e -> VmOnlyDoubles.poweredOnIsReady(),
            w -> SlipwayEnv.withoutAddons(w.withMachineView(LAGGING)));
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void aLaggingMachineCacheNeverPlansAMachineTwice() throws Exception {
    AtomicInteger most = new AtomicInteger();
    AtomicBoolean watching = new AtomicBoolean(true);
    Thread watcher = new Thread(() -> watch("lag", most, watching), "machine-count-watcher");
    watcher.start();
    try {
      env.client.resource(Manifests.fromMap(cluster("lag", 2))).create();
      awaitMachines("lag", 3);
      int afterCreate = most.get();
      patchWorkers("lag", 4);
      awaitMachines("lag", 5);
      assertThat(afterCreate).as("most machines while creating 1 + 2").isEqualTo(3);
      assertThat(most.get()).as("most machines while scaling the pool to 4").isEqualTo(5);
    } finally {
      watching.set(false);
      watcher.join();
    }
  }

  static Map<String, Object> cluster(String name, int workers) {
    return env.sampleCluster(name, workers);
  }

  static void patchWorkers(String name, int workers) {
    env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName(name)
        .edit(
            t -> {
              t.getSpec().topology.nodePools.get(0).replicas = workers;
              return t;
            });
  }

  /** Waits until the cluster has {@code n} machines, every one Ready, and then some more. */
  static void awaitMachines(String name, int n) {
    await()
        .atMost(Duration.ofSeconds(120))
        .untilAsserted(
            () -> {
              List<Machine> ms = machines(name);
              assertThat(ms).hasSize(n);
              assertThat(ms).allSatisfy(m -> assertThat(MachineReconciler.isReady(m)).isTrue());
            });
    // Passes keep coming while machines settle; any overshoot would show within the lag.
    await().pollDelay(LAG.plusSeconds(2)).atMost(LAG.plusSeconds(4)).until(() -> true);
  }

  static List<Machine> machines(String name) {
    return env
        .client
        .resources(Machine.class)
        .inNamespace(NS)
        .withLabel("slipway.dev/cluster", name)
        .list()
        .getItems()
        .stream()
        .filter(m -> m.getMetadata().getDeletionTimestamp() == null)
        .toList();
  }

  static void watch(String name, AtomicInteger most, AtomicBoolean watching) {
    while (watching.get()) {
      most.accumulateAndGet(machines(name).size(), Math::max);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }
}
