package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.Slipway;
import dev.slipway.operator.api.vmoperator.v1alpha1.VSphereNamespace;
import dev.slipway.vsphere.VSphereProvider;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one Lease: only the leader reconciles, the other takes over when the leader
 * stops, and losing leadership here does not end the test JVM (exitOnStopLeading is off).
 */
class LeaderElectionE2E {
  static SlipwayEnv env;

  @BeforeAll
  static void start() {
    env =
        SlipwayEnv.start(
            e -> VmOnlyDoubles.hostnameOnlyBootstrap(),
            e -> VmOnlyDoubles.poweredOnIsReady(),
            SlipwayEnv::withoutAddons);
    env.stopSlipway(); // this test runs its own two replicas
    env.client
        .namespaces()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName("slipway-system")
                .endMetadata()
                .build())
        .serverSideApply();
  }

  @AfterAll
  static void stop() {
    if (env != null) {
      env.close();
    }
  }

  @Test
  void standbyTakesOverWhenTheLeaderStops() {
    KubernetesClient c1 = env.controlPlane.client();
    KubernetesClient c2 = env.controlPlane.client();
    VSphereProvider v1 = env.connect();
    VSphereProvider v2 = env.connect();
    Slipway first =
        env.startReplica(
            c1,
            v1,
            new Slipway.LeaderElection("slipway-leader", "slipway-system", "replica-1", false));
    await().atMost(Duration.ofSeconds(30)).until(() -> "replica-1".equals(holder()));
    Slipway second =
        env.startReplica(
            c2,
            v2,
            new Slipway.LeaderElection("slipway-leader", "slipway-system", "replica-2", false));
    try {
      env.applyNamespaceSamples();
      assertThat(holder()).isEqualTo("replica-1");

      first.close();
      await().atMost(Duration.ofSeconds(60)).until(() -> "replica-2".equals(holder()));
      // the new leader reconciles: a change to the namespace is acted on
      env.client
          .resources(VSphereNamespace.class)
          .withName("team-a")
          .edit(
              n -> {
                n.getSpec().objectLimits.machines = 41;
                return n;
              });
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(
                          env.client
                              .resourceQuotas()
                              .inNamespace("team-a")
                              .withName("slipway-object-limits")
                              .get()
                              .getSpec()
                              .getHard()
                              .get("count/machines.cluster.slipway.dev")
                              .toString())
                      .isEqualTo("41"));
    } finally {
      second.close();
      v1.close();
      v2.close();
      c1.close();
      c2.close();
    }
  }

  static String holder() {
    Lease l = env.client.leases().inNamespace("slipway-system").withName("slipway-leader").get();
    return l == null ? null : l.getSpec().getHolderIdentity();
  }
}
