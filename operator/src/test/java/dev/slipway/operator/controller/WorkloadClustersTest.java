package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.bootstrap.ClusterPki;
import dev.slipway.operator.bootstrap.Kubeconfigs;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import io.fabric8.kubernetes.client.http.StandardHttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class WorkloadClustersTest {

  static HttpRequest request(String method, String path) {
    return new StandardHttpRequest.Builder()
        .uri("https://127.1.0.10:6443" + path)
        .method(method, "application/json", "{}")
        .build();
  }

  @Test
  void everyWriteToAWorkloadClusterAsksTheGuardFirstAndReadsDoNot() {
    List<String> asked = new ArrayList<>();
    Interceptor i =
        WorkloadClusters.writesAskFirst(
            action -> {
              asked.add(action);
              if (action.startsWith("DELETE")) {
                throw new IllegalStateException("fenced");
              }
            });
    i.before(null, request("GET", "/api/v1/nodes"), null);
    i.before(null, request("POST", "/api/v1/namespaces/x/pods/p/eviction"), null);
    i.before(null, request("PATCH", "/api/v1/nodes/w-1"), null);
    assertThatThrownBy(() -> i.before(null, request("DELETE", "/api/v1/nodes/w-1"), null))
        .hasMessage("fenced");
    assertThat(asked)
        .containsExactly(
            "POST /api/v1/namespaces/x/pods/p/eviction",
            "PATCH /api/v1/nodes/w-1",
            "DELETE /api/v1/nodes/w-1");
  }

  static Secret kubeconfig(String resourceVersion) {
    String kc = Kubeconfigs.admin("demo", "127.1.0.10", 6443, ClusterPki.generate("demo").ca());
    return new SecretBuilder()
        .withNewMetadata()
        .withName("demo-kubeconfig")
        .withNamespace("team-a")
        .withResourceVersion(resourceVersion)
        .endMetadata()
        .addToData("value", Base64.getEncoder().encodeToString(kc.getBytes(StandardCharsets.UTF_8)))
        .build();
  }

  @Test
  void reconcilesAskingAtOnceShareOneClientPerVersionOfTheKubeconfig() throws Exception {
    Secret v7 = kubeconfig("7");
    int threads = 16;
    try (WorkloadClusters w = new WorkloadClusters(WorkloadGuard.NONE)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      try {
        for (int round = 0; round < 20; round++) {
          w.forget("team-a", "demo");
          CyclicBarrier start = new CyclicBarrier(threads);
          Set<KubernetesClient> seen = ConcurrentHashMap.newKeySet();
          List<Future<?>> done = new ArrayList<>();
          for (int i = 0; i < threads; i++) {
            done.add(
                pool.submit(
                    () -> {
                      start.await();
                      seen.add(w.clientFor("team-a/demo", v7));
                      return null;
                    }));
          }
          for (Future<?> f : done) {
            f.get();
          }
          assertThat(seen).as("round " + round).hasSize(1);
        }
      } finally {
        pool.shutdownNow();
      }
      KubernetesClient before = w.clientFor("team-a/demo", v7);
      assertThat(w.clientFor("team-a/demo", kubeconfig("8"))).isNotSameAs(before);
    }
  }

  @Test
  void theClustersClientsShareOneJsonMapper() {
    try (WorkloadClusters w = new WorkloadClusters(WorkloadGuard.NONE)) {
      KubernetesClient a = w.clientFor("team-a/one", kubeconfig("1"));
      KubernetesClient b = w.clientFor("team-b/two", kubeconfig("1"));
      assertThat(a).isNotSameAs(b);
      assertThat(a.getKubernetesSerialization())
          .isSameAs(b.getKubernetesSerialization())
          .isSameAs(WorkloadClusters.SERIALIZATION);
    }
  }

  @Test
  void theKubeconfigsClientKeyIsTakenOutOfTheConfigIntoSlipwaysOwnTlsManagers() {
    Secret s = kubeconfig("1");
    io.fabric8.kubernetes.client.Config config =
        io.fabric8.kubernetes.client.Config.fromKubeconfig(
            ClusterAccess.decode(s.getData().get("value")));
    assertThat(config.getClientKeyData()).isNotNull();

    dev.slipway.operator.bootstrap.Tls.Managers m = WorkloadClusters.tls(config);

    assertThat(m).isNotNull();
    assertThat(m.keys()).hasSize(1);
    assertThat(m.trust()).isNotEmpty();
    assertThat(config.getClientKeyData()).as("fabric8 gets no key to put in a key store").isNull();
    assertThat(config.getClientCertData()).isNull();
    assertThat(config.getCaCertData()).isNull();
    assertThat(config.getMasterUrl()).contains("127.1.0.10:6443");

    io.fabric8.kubernetes.client.Config token =
        new io.fabric8.kubernetes.client.ConfigBuilder()
            .withMasterUrl("https://127.1.0.10:6443")
            .withOauthToken("abc")
            .build();
    assertThat(WorkloadClusters.tls(token)).as("nothing inline: fabric8's own way").isNull();
  }

  @Test
  void everyWorkloadHttpClientWorksOnOneSharedExecutor() {
    assertThat(new WorkloadHttp.Factory().createNewHttpClientBuilder().build().executor())
        .containsSame(WorkloadHttp.EXECUTOR);
    assertThat(new WorkloadHttp.Factory().createNewHttpClientBuilder().build().executor())
        .containsSame(WorkloadHttp.EXECUTOR);
  }
}
