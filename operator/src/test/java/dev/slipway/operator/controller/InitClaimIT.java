package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The "kubeadm init" claim against a real API server: held in the operator's namespace, so that a
 * tenant's annotation on the cluster changes nothing; one winner of a race between replicas.
 */
class InitClaimIT {
  static ControlPlane cp;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cp = ControlPlane.shared();
    client = cp.client();
    Manifests.installCrds(client, TestBed.repositoryRoot());
  }

  @AfterAll
  static void close() {
    client.close();
  }

  static TanzuKubernetesCluster cluster(String ns, String name) {
    Map<String, Object> m =
        Manifests.toMap(
            Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(m, "metadata.name", name);
    Manifests.set(m, "metadata.namespace", ns);
    client.resource(Manifests.fromMap(m)).create();
    return client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName(name).get();
  }

  static Machine machine(String ns, String name) {
    Machine m = TestObjects.machine(name, Machine.Role.controlPlane, null);
    m.getMetadata().setNamespace(ns);
    m.getMetadata().setUid(null);
    m.getMetadata().setCreationTimestamp(null);
    m.getMetadata().setGeneration(null);
    return client.resource(m).create();
  }

  @Test
  void aTenantsAnnotationMovesNoClaimAndOneOfTwoRacingReplicasWins() throws Exception {
    String ns = cp.createNamespace("init");
    String operatorNs = cp.createNamespace("operator");
    TanzuKubernetesCluster tkc = cluster(ns, "c1");
    Machine a = machine(ns, "c1-control-plane-aaaaa");
    Machine b = machine(ns, "c1-control-plane-bbbbb");
    KubeadmBootstrap replica1 = new KubeadmBootstrap(null, operatorNs);
    KubeadmBootstrap replica2 = new KubeadmBootstrap(null, operatorNs);

    // Two replicas, two machines, at once: exactly one init.
    var first = CompletableFuture.supplyAsync(() -> replica1.mayInit(client, tkc, a));
    var second = CompletableFuture.supplyAsync(() -> replica2.mayInit(client, tkc, b));
    List<Boolean> results = List.of(first.get(), second.get());
    assertThat(results).containsExactlyInAnyOrder(true, false);
    Machine holder = first.get() ? a : b;
    Machine other = first.get() ? b : a;

    // A tenant writes the old annotation (or removes it): nothing changes.
    client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(ns)
        .withName("c1")
        .edit(
            t -> {
              t.getMetadata()
                  .setAnnotations(
                      Map.of(KubeadmBootstrap.INIT_LOCK_ANNOTATION, other.getMetadata().getName()));
              return t;
            });
    TanzuKubernetesCluster edited =
        client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName("c1").get();
    assertThat(replica2.mayInit(client, edited, other)).isFalse();
    assertThat(replica1.mayInit(client, edited, holder)).isTrue();
    assertThat(
            client
                .configMaps()
                .inNamespace(operatorNs)
                .withName(KubeadmBootstrap.initClaimName(tkc))
                .get()
                .getData())
        .containsEntry("machine", holder.getMetadata().getName());

    // The holder's Machine is gone before the cluster ever ran: the claim passes on.
    client.resource(holder).withGracePeriod(0).delete();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> client.resource(holder).get() == null);
    assertThat(replica2.mayInit(client, edited, other)).isTrue();
  }
}
