package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.config.VipPool;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Control-plane endpoint claims against a real API server: two operator replicas racing (no leader
 * election) for 100 clusters at once, tenants' annotations, clusters made before the claims.
 */
class VipClaimsIT {
  static ControlPlane cp;
  static KubernetesClient client;
  static final VipPool POOL = VipPool.parse("127.9.0.1-127.9.0.200");

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

  static TanzuKubernetesCluster cluster(String ns, String name, String annotation) {
    Map<String, Object> m =
        Manifests.toMap(
            Manifests.load(TestBed.repositoryRoot().resolve("deploy/samples/40-tkc.yaml")).get(0));
    Manifests.set(m, "metadata.name", name);
    Manifests.set(m, "metadata.namespace", ns);
    if (annotation != null) {
      Manifests.set(
          m, "metadata.annotations", Map.of(ClusterAccess.ENDPOINT_ANNOTATION, annotation));
    }
    client.resource(Manifests.fromMap(m)).create();
    return client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName(name).get();
  }

  @Test
  void twoReplicasRacingForAHundredClustersNeverShareAnAddress() throws Exception {
    String ns = cp.createNamespace("vips");
    String operatorNs = cp.createNamespace("operator");
    List<TanzuKubernetesCluster> clusters = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      clusters.add(cluster(ns, "c" + i, null));
    }
    VipClaims a = new VipClaims(POOL, operatorNs);
    VipClaims b = new VipClaims(POOL, operatorNs);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<Optional<String>>> byA = new ArrayList<>();
    List<Future<Optional<String>>> byB = new ArrayList<>();
    try {
      for (TanzuKubernetesCluster c : clusters) {
        byA.add(pool.submit(() -> a.claim(client, c)));
        byB.add(pool.submit(() -> b.claim(client, c)));
      }
      Set<String> distinct = new HashSet<>();
      for (int i = 0; i < clusters.size(); i++) {
        String fromA = byA.get(i).get().orElseThrow();
        String fromB = byB.get(i).get().orElseThrow();
        assertThat(fromB).as("both replicas agree on c%d", i).isEqualTo(fromA);
        assertThat(POOL.contains(fromA)).isTrue();
        distinct.add(fromA);
      }
      assertThat(distinct).hasSize(100);
    } finally {
      pool.shutdownNow();
    }
    // exactly one claim per address and one per cluster: nothing left over by the losers
    assertThat(
            client
                .configMaps()
                .inNamespace(operatorNs)
                .withLabel(VipClaims.LABEL)
                .list()
                .getItems())
        .hasSize(200);
    // a third replica (a new leader) reads the same
    VipClaims c = new VipClaims(POOL, operatorNs);
    assertThat(c.claim(client, clusters.get(7))).isEqualTo(a.claim(client, clusters.get(7)));
  }

  @Test
  void aTenantsAnnotationIsNeverTrustedAndOldClustersMoveOnce() {
    String ns = cp.createNamespace("vips");
    String operatorNs = cp.createNamespace("operator");
    VipClaims claims = new VipClaims(POOL, operatorNs);
    TanzuKubernetesCluster first = cluster(ns, "first", null);
    String firstVip = claims.claim(client, first).orElseThrow();

    // A cluster made before the claims moves its recorded address into a claim, once.
    TanzuKubernetesCluster old = cluster(ns, "old", "127.9.0.150");
    assertThat(claims.claim(client, old)).contains("127.9.0.150");
    // An annotation naming another cluster's address, or one outside the pool, gets nothing.
    TanzuKubernetesCluster thief = cluster(ns, "thief", firstVip);
    assertThat(claims.claim(client, thief)).isPresent().get().isNotEqualTo(firstVip);
    TanzuKubernetesCluster outside = cluster(ns, "outside", "10.1.2.3");
    assertThat(claims.claim(client, outside)).isPresent().get().matches(POOL::contains);

    // Rewriting the annotation later changes nothing, for this process or a new one.
    first.getMetadata().getAnnotations();
    client
        .resources(TanzuKubernetesCluster.class)
        .inNamespace(ns)
        .withName("first")
        .edit(
            t -> {
              t.getMetadata()
                  .setAnnotations(Map.of(ClusterAccess.ENDPOINT_ANNOTATION, "127.9.0.150"));
              return t;
            });
    TanzuKubernetesCluster edited =
        client.resources(TanzuKubernetesCluster.class).inNamespace(ns).withName("first").get();
    assertThat(new VipClaims(POOL, operatorNs).claim(client, edited)).contains(firstVip);

    // Released with the cluster: the address is free for the next one.
    claims.release(client, first);
    assertThat(
            client
                .configMaps()
                .inNamespace(operatorNs)
                .withLabel(VipClaims.UID_LABEL, first.getMetadata().getUid())
                .list()
                .getItems())
        .isEmpty();
    assertThat(claims.claim(client, cluster(ns, "next", null))).contains(firstVip);
  }

  /**
   * A process stopped between the address's claim and the cluster's: the next one finishes that
   * claim instead of taking a second address, which would be held until the cluster is deleted.
   */
  @Test
  void aClaimAStoppedProcessHalfMadeIsFinishedNotLeaked() {
    String ns = cp.createNamespace("vips");
    String operatorNs = cp.createNamespace("operator");
    TanzuKubernetesCluster tkc = cluster(ns, "half", null);
    String uid = tkc.getMetadata().getUid();
    String vip = new VipClaims(POOL, operatorNs).claim(client, tkc).orElseThrow();
    client.configMaps().inNamespace(operatorNs).withName(VipClaims.clusterName(uid)).delete();
    org.awaitility.Awaitility.await()
        .until(
            () ->
                client
                        .configMaps()
                        .inNamespace(operatorNs)
                        .withName(VipClaims.clusterName(uid))
                        .get()
                    == null);

    assertThat(new VipClaims(POOL, operatorNs).claim(client, tkc)).contains(vip);
    assertThat(
            client
                .configMaps()
                .inNamespace(operatorNs)
                .withLabel(VipClaims.UID_LABEL, uid)
                .list()
                .getItems()
                .stream()
                .map(c -> c.getMetadata().getName())
                .toList())
        .containsExactlyInAnyOrder(VipClaims.addressName(vip), VipClaims.clusterName(uid));
  }
}
