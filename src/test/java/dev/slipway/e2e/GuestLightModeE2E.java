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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The simulator's light mode: a cluster still comes up through the real bootstrap, but only the
 * init guest runs etcd and an API server; the other guests register their Nodes and run nothing.
 * Light mode carries one control-plane machine: Slipway counts a joining control-plane machine
 * Ready only once its etcd member is a healthy voting member, which a light guest never has.
 */
class GuestLightModeE2E {
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
            GuestSimulator.Mode.LIGHT);
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

  static boolean listening(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void onlyTheInitGuestRunsEtcdAndAnApiServer() throws Exception {
    Map<String, Object> m =
        Manifests.toMap(Manifests.load(env.root.resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(m, "metadata.name", "lite");
    Manifests.set(m, "spec.topology.controlPlane.replicas", 1);
    ((List<Object>) Manifests.get(m, "spec.topology.nodePools")).remove(1);
    Manifests.set(m, "spec.topology.nodePools[0].replicas", 3);
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
                          .withName("lite")
                          .get()
                          .getStatus()
                          .phase)
                  .isEqualTo("running");
            });
    String init =
        machines().stream()
            .filter(x -> x.getSpec().role == Machine.Role.controlPlane)
            .map(x -> x.getMetadata().getName())
            .findFirst()
            .orElseThrow();
    List<String> workers =
        machines().stream()
            .filter(x -> x.getSpec().role == Machine.Role.worker)
            .map(x -> x.getMetadata().getName())
            .toList();
    String initAddress = guests.address(init).orElseThrow();
    EtcdClient etcd =
        EtcdClient.fromCa(
            secret("lite-etcd", "tls.crt"), secret("lite-etcd", "tls.key"), "slipway-e2e");
    List<EtcdClient.Member> members = etcd.memberList("https://" + initAddress + ":2379");
    assertThat(members).extracting(EtcdClient.Member::name).containsExactly(init);
    assertThat(workers).hasSize(3);
    for (String w : workers) {
      String a = guests.address(w).orElseThrow();
      assertThat(listening(a, 2379)).as("etcd on %s (%s)", w, a).isFalse();
      assertThat(listening(a, 6443)).as("kube-apiserver on %s (%s)", w, a).isFalse();
    }
    try (KubernetesClient w =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(secret("lite-kubeconfig", "value")))
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
    }
    String vip =
        env.client
            .resources(TanzuKubernetesCluster.class)
            .inNamespace(NS)
            .withName("lite")
            .get()
            .getStatus()
            .apiEndpoints
            .get(0)
            .host;
    assertThat(guests.vipHolder(vip + ":6443")).hasValue(init);
  }
}
