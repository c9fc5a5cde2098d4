package dev.slipway.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.guest.EtcdClient;
import dev.slipway.guest.GuestSimulator;
import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.Manifests;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator's multiplexed light mode (the scale benchmark's): no guest runs a process, every
 * cluster's API server and etcd members are in-process fakes served on the cluster's own addresses
 * with its own TLS. A cluster of 3 control-plane machines and a worker must come up through the
 * real bootstrap (tokens, CA pins, joins), Slipway's etcd membership checks must see 3 voting
 * members, and every workload-API call Slipway made must have been one the fake serves, so that a
 * benchmark in this mode measures Slipway and not a gap of the fake.
 */
class GuestMuxModeE2E {
  static final String NS = "team-a";
  static SlipwayEnv env;
  static GuestSimulator guests;

  @BeforeAll
  static void start() {
    env = SlipwayEnv.start(e -> null, e -> null);
    guests =
        new GuestSimulator(
            env::connect,
            List.of(env.placement.parentFolder() + "/" + NS),
            GuestSimulator.Mode.MUX);
    env.applyNamespaceSamples();
  }

  @AfterAll
  static void stop() {
    if (guests != null) {
      guests.close();
    }
    if (env != null) {
      env.close();
    }
  }

  static List<Machine> machines() {
    return env.machines(NS);
  }

  static String secret(String name, String key) {
    return env.secretValue(NS, name, key);
  }

  @Test
  @SuppressWarnings("unchecked")
  void threeControlPlaneMachinesJoinTheFakeAndEveryCallIsServed() throws Exception {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(m, "metadata.name", "mux");
    Manifests.set(m, "spec.topology.controlPlane.replicas", 3);
    ((List<Object>) Manifests.get(m, "spec.topology.nodePools")).remove(1);
    Manifests.set(m, "spec.topology.nodePools[0].replicas", 1);
    Manifests.set(m, "spec.topology.nodePools[0].volumes", null);
    env.client.resource(Manifests.fromMap(m)).create();
    await()
        .atMost(Duration.ofMinutes(6))
        .pollInterval(Duration.ofSeconds(2))
        .failFast("a guest failed to boot", () -> guests.anyFailure().isPresent())
        .untilAsserted(
            () -> {
              assertThat(machines())
                  .hasSize(4)
                  .allSatisfy(x -> assertThat(x.getStatus().phase).isEqualTo("Running"));
              assertThat(
                      env.client
                          .resources(TanzuKubernetesCluster.class)
                          .inNamespace(NS)
                          .withName("mux")
                          .get()
                          .getStatus()
                          .phase)
                  .isEqualTo("running");
            });
    List<String> controlPlanes =
        machines().stream()
            .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
            .map(x -> x.getMetadata().getName())
            .toList();
    assertThat(controlPlanes).hasSize(3);

    // etcd over the cluster's own TLS, as Slipway reaches it: three voting members, one per machine
    EtcdClient etcd =
        EtcdClient.fromCa(
            secret("mux-etcd", "tls.crt"), secret("mux-etcd", "tls.key"), "slipway-e2e");
    List<EtcdClient.Member> members =
        etcd.memberList("https://" + guests.address(controlPlanes.get(0)).orElseThrow() + ":2379");
    assertThat(members)
        .extracting(EtcdClient.Member::name)
        .containsExactlyInAnyOrderElementsOf(controlPlanes);

    try (KubernetesClient w =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(secret("mux-kubeconfig", "value")))
            .build()) {
      List<Node> nodes = w.nodes().list().getItems();
      assertThat(nodes).hasSize(4);
      assertThat(nodes)
          .allSatisfy(
              n ->
                  assertThat(n.getStatus().getConditions())
                      .anySatisfy(
                          c -> {
                            assertThat(c.getType()).isEqualTo("Ready");
                            assertThat(c.getStatus()).isEqualTo("True");
                          }));
      // the addons Slipway applied are in the fake (the CNI's DaemonSet made the nodes Ready)
      assertThat(w.apps().daemonSets().inNamespace("kube-system").list().getItems()).isNotEmpty();
    }
    assertThat(guests.unservedRequests()).as("workload-API calls the fake did not serve").isEmpty();
  }
}
