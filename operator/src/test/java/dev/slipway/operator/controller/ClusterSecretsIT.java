package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.bootstrap.InvalidPkiException;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A cluster's Secrets read through {@link ClusterSecrets} against a real API server: what the cache
 * holds costs no request, and what it does not hold yet is asked for, so a lagging cache never
 * makes a cluster a second PKI.
 */
class ClusterSecretsIT {
  static ControlPlane cp;
  static KubernetesClient client;
  static final List<String> requests = new CopyOnWriteArrayList<>();
  static KubernetesClient counted;

  @BeforeAll
  static void start() {
    cp = ControlPlane.shared();
    client = cp.client();
    Manifests.installCrds(client, TestBed.repositoryRoot());
    counted =
        new KubernetesClientBuilder()
            .withConfig(client.getConfiguration())
            .withHttpClientBuilderConsumer(
                b ->
                    b.addOrReplaceInterceptor(
                        "count",
                        new Interceptor() {
                          @Override
                          public void before(
                              BasicBuilder builder, HttpRequest request, RequestTags tags) {
                            requests.add(request.method() + " " + request.uri().getPath());
                          }
                        }))
            .build();
  }

  @AfterAll
  static void close() {
    counted.close();
    client.close();
  }

  private static TanzuKubernetesCluster cluster() {
    String ns = cp.createNamespace("secrets");
    TanzuKubernetesCluster tkc = TestObjects.cluster(1);
    tkc.getMetadata().setNamespace(ns);
    tkc.getMetadata().setUid(null);
    tkc.getMetadata().setGeneration(null);
    return client.resource(tkc).create();
  }

  @Test
  void aCacheThatDoesNotHoldThePkiYetNeverMakesASecondOne() {
    TanzuKubernetesCluster tkc = cluster();
    ClusterPki first = ClusterAccess.pki(new ClusterSecrets(), client, tkc);

    ClusterSecrets lagging = new ClusterSecrets();
    lagging.use(id -> Optional.empty());
    ClusterPki again = ClusterAccess.pki(lagging, counted, tkc);

    assertThat(again.ca().certPem()).isEqualTo(first.ca().certPem());
    assertThat(again.etcd().certPem()).isEqualTo(first.etcd().certPem());
    assertThat(
            client
                .secrets()
                .inNamespace(tkc.getMetadata().getNamespace())
                .withLabel(TanzuKubernetesClusterReconciler.CLUSTER_LABEL)
                .list()
                .getItems())
        .hasSize(ClusterPki.SECRET_SUFFIXES.size());
  }

  /**
   * A process killed while it stored a new cluster's PKI left some of its Secrets: the next pass
   * makes the missing ones and keeps the stored ones (CrashAnywhereE2E, seed 4848964 in CI: the
   * cluster waited for bootstrap data for good, "crash-a-etcd not found").
   */
  @Test
  void aPkiAProcessStoppedStoringIsFinishedKeepingWhatWasStored() {
    TanzuKubernetesCluster tkc = cluster();
    String ns = tkc.getMetadata().getNamespace();
    String name = tkc.getMetadata().getName();
    ClusterPki first = ClusterAccess.pki(new ClusterSecrets(), client, tkc);
    for (String suffix : List.of(ClusterPki.ETCD, ClusterPki.SA)) {
      client.secrets().inNamespace(ns).withName(ClusterPki.secretName(name, suffix)).delete();
    }
    await(ns, ClusterPki.SECRET_SUFFIXES.size() - 2);

    ClusterPki finished = ClusterAccess.pki(new ClusterSecrets(), client, tkc);

    assertThat(finished.ca().certPem()).isEqualTo(first.ca().certPem());
    assertThat(finished.frontProxy().certPem()).isEqualTo(first.frontProxy().certPem());
    assertThat(finished.etcd().certPem()).isNotEqualTo(first.etcd().certPem());
    // What it made is what is stored: read back, the set is whole and the same.
    ClusterPki read = ClusterAccess.pki(new ClusterSecrets(), client, tkc);
    assertThat(read.etcd().certPem()).isEqualTo(finished.etcd().certPem());
    assertThat(read.serviceAccount().keyPem()).isEqualTo(finished.serviceAccount().keyPem());
  }

  /**
   * A part missing from a set that was finished (the kubeconfig, made after it, is there) is never
   * made again: a person deleted it, and a new CA would not be trusted by what the old one signed.
   */
  @Test
  void aPartDeletedFromAFinishedPkiIsNotMadeAgain() {
    TanzuKubernetesCluster tkc = cluster();
    String ns = tkc.getMetadata().getNamespace();
    String name = tkc.getMetadata().getName();
    ClusterAccess.pki(new ClusterSecrets(), client, tkc);
    ClusterAccess.createIfMissing(
        new ClusterSecrets(),
        client,
        tkc,
        ClusterAccess.kubeconfigSecretName(name),
        () -> Map.of("value", "kubeconfig"));
    client
        .secrets()
        .inNamespace(ns)
        .withName(ClusterPki.secretName(name, ClusterPki.ETCD))
        .delete();
    await(ns, ClusterPki.SECRET_SUFFIXES.size());

    assertThatThrownBy(() -> ClusterAccess.pki(new ClusterSecrets(), client, tkc))
        .isInstanceOf(InvalidPkiException.class)
        .hasMessageContaining(ClusterPki.secretName(name, ClusterPki.ETCD));
    assertThat(
            client
                .secrets()
                .inNamespace(ns)
                .withName(ClusterPki.secretName(name, ClusterPki.ETCD))
                .get())
        .isNull();
  }

  /** Until the namespace holds {@code count} of the cluster's Secrets (deletes are not at once). */
  private static void await(String ns, int count) {
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () ->
                client
                        .secrets()
                        .inNamespace(ns)
                        .withLabel(TanzuKubernetesClusterReconciler.CLUSTER_LABEL)
                        .list()
                        .getItems()
                        .size()
                    == count);
  }

  @Test
  void whatTheCacheHoldsIsReadWithoutARequest() {
    TanzuKubernetesCluster tkc = cluster();
    String ns = tkc.getMetadata().getNamespace();
    ClusterPki made = ClusterAccess.pki(new ClusterSecrets(), client, tkc);
    Map<ResourceID, Secret> held = new HashMap<>();
    client
        .secrets()
        .inNamespace(ns)
        .list()
        .getItems()
        .forEach(s -> held.put(ResourceID.fromResource(s), s));
    ClusterSecrets cached = new ClusterSecrets();
    cached.use(id -> Optional.ofNullable(held.get(id)));

    requests.clear();
    ClusterPki read = ClusterAccess.pki(cached, counted, tkc);
    assertThat(read.ca().certPem()).isEqualTo(made.ca().certPem());
    assertThat(requests).isEmpty();

    // A Secret the cache does not hold is asked for, and only that one.
    assertThat(cached.get(counted, ns, "not-there")).isNull();
    assertThat(requests).containsExactly("GET /api/v1/namespaces/" + ns + "/secrets/not-there");
  }

  @Test
  void aSecretsContentIsMadeOnlyWhenTheSecretIsMissing() {
    TanzuKubernetesCluster tkc = cluster();
    String ns = tkc.getMetadata().getNamespace();
    java.util.concurrent.atomic.AtomicInteger made =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.function.Supplier<Map<String, String>> content =
        () -> {
          made.incrementAndGet();
          return Map.of("value", "kubeconfig");
        };
    ClusterAccess.createIfMissing(new ClusterSecrets(), client, tkc, "c-kubeconfig", content);
    assertThat(made).hasValue(1);
    // Every later pass finds it (here with a GET; in the operator, in the cache) and makes
    // nothing: a kubeconfig's content is a new RSA key pair.
    ClusterAccess.createIfMissing(new ClusterSecrets(), client, tkc, "c-kubeconfig", content);
    ClusterAccess.createIfMissing(new ClusterSecrets(), client, tkc, "c-kubeconfig", content);
    assertThat(made).hasValue(1);
    assertThat(client.secrets().inNamespace(ns).withName("c-kubeconfig").get()).isNotNull();
  }
}
