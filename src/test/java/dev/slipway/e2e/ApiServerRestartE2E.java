package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.controller.MachineReconciler;
import dev.slipway.testenv.Manifests;
import dev.slipway.vsphere.VmState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The management cluster's kube-apiserver killed and started again on the same port and etcd data,
 * twice, each time while the operator works on a change: its informers resume, nothing is done from
 * a stale cache (no Machine too many, no VM too many, the VIP kept), and it converges within 30 s
 * of the API server's return; a change made after the restart is seen as well.
 */
class ApiServerRestartE2E {
  static final String NS = "team-a";
  static final String NAME = "apirestart";
  static final Duration CONVERGENCE = Duration.ofSeconds(30);

  static SlipwayEnv env;

  @BeforeAll
  static void start() {
    env =
        SlipwayEnv.start(
            e -> VmOnlyDoubles.hostnameOnlyBootstrap(),
            e -> VmOnlyDoubles.poweredOnIsReady(),
            SlipwayEnv::withoutAddons);
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void afterARestartTheOperatorConvergesWithin30sFromAFreshCacheAndKeepsTheVip() {
    env.client.resource(Manifests.fromMap(env.sampleCluster(NAME, 1))).create();
    awaitSettled(1, Duration.ofMinutes(3));
    String vip = tkc().getStatus().apiEndpoints.get(0).host;
    List<String> figures = new ArrayList<>();

    // 1: a scale-out in flight when the API server dies
    scale(3);
    Instant back = restart();
    awaitSettled(3, CONVERGENCE);
    figures.add("scale-out converged " + since(back) + " ms after the API server's return");

    // 2: a scale-in in flight when it dies again
    scale(1);
    back = restart();
    awaitSettled(1, CONVERGENCE);
    figures.add("scale-in converged " + since(back) + " ms after the API server's return");

    // the informers watch again: a change made now is acted on
    Instant changed = Instant.now();
    scale(2);
    awaitSettled(2, CONVERGENCE);
    figures.add("a change after the restarts converged in " + since(changed) + " ms");

    assertThat(tkc().getStatus().apiEndpoints.get(0).host).as("the cluster's VIP").isEqualTo(vip);
    System.out.println("ApiServerRestartE2E: " + String.join("; ", figures));
  }

  static Instant restart() {
    env.controlPlane.restartApiServer(Duration.ofSeconds(3));
    return Instant.now();
  }

  static long since(Instant t) {
    return Duration.between(t, Instant.now()).toMillis();
  }

  static void scale(int workers) {
    env.client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(NS)
        .withName(NAME)
        .edit(
            t -> {
              t.getSpec().topology.nodePools.get(0).replicas = workers;
              return t;
            });
  }

  static TanzuKubernetesCluster tkc() {
    return env.client.resources(TanzuKubernetesCluster.class).inNamespace(NS).withName(NAME).get();
  }

  static List<Machine> machines() {
    return env.client
        .resources(Machine.class)
        .inNamespace(NS)
        .withLabel("slipway.dev/cluster", NAME)
        .list()
        .getItems();
  }

  /**
   * Exactly 1 + {@code workers} Machines, all Ready, the cluster running, and vCenter holding
   * exactly their VMs (a VM or Machine too many never settles).
   */
  static void awaitSettled(int workers, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              List<Machine> ms = machines();
              assertThat(ms).as(() -> env.describe(NS, NAME)).hasSize(1 + workers);
              assertThat(ms).as(() -> env.describe(NS, NAME)).allMatch(MachineReconciler::isReady);
              assertThat(tkc().getStatus().phase)
                  .as(() -> env.describe(NS, NAME))
                  .isEqualTo("running");
              assertThat(env.vms(NS).stream().map(VmState::name).sorted().toList())
                  .as(() -> env.describe(NS, NAME))
                  .isEqualTo(ms.stream().map(m -> m.getMetadata().getName()).sorted().toList());
            });
  }
}
