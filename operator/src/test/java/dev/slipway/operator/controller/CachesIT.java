package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.ControlPlane;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Informer caches without managed fields ({@link Caches}), against a real API server: the cache
 * keeps everything else, and an object written back from it leaves the server's managed fields as
 * they were.
 */
class CachesIT {
  static ControlPlane cp;
  static KubernetesClient admin;

  @BeforeAll
  static void start() {
    cp = ControlPlane.shared();
    admin = cp.client();
  }

  @AfterAll
  static void close() {
    admin.close();
  }

  @Test
  void theCacheDropsManagedFieldsAndAWriteFromItKeepsTheServersOwn() throws Exception {
    String ns = cp.createNamespace("caches");
    admin
        .configMaps()
        .inNamespace(ns)
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("kept")
                .withAnnotations(Map.of("kubectl.kubernetes.io/last-applied-configuration", "{}"))
                .endMetadata()
                .withData(Map.of("applied", "by-gitops"))
                .build())
        .fieldManager("gitops")
        .serverSideApply();

    SharedIndexInformer<ConfigMap> informer =
        admin.configMaps().inNamespace(ns).runnableInformer(0);
    informer.itemStore(Caches.withoutManagedFields());
    informer.run();
    try {
      ConfigMap cached = informer.getStore().getByKey(ns + "/kept");
      assertThat(cached).isNotNull();
      assertThat(cached.getMetadata().getManagedFields()).isNull();
      assertThat(cached.getMetadata().getAnnotations())
          .containsKey("kubectl.kubernetes.io/last-applied-configuration");
      assertThat(cached.getMetadata().getResourceVersion()).isNotBlank();
      assertThat(cached.getData()).containsEntry("applied", "by-gitops");

      // Slipway's way of writing an object it read from a cache: a JSON patch from the server's
      // copy to this one, which here also says "no managed fields".
      cached.getData().put("slipway", "wrote");
      admin.configMaps().inNamespace(ns).resource(cached).patch();

      ConfigMap live = admin.configMaps().inNamespace(ns).withName("kept").get();
      assertThat(live.getData()).containsEntry("slipway", "wrote");
      assertThat(live.getMetadata().getManagedFields())
          .extracting(ManagedFieldsEntry::getManager)
          .contains("gitops");
      assertThat(live.getMetadata().getAnnotations())
          .containsKey("kubectl.kubernetes.io/last-applied-configuration");
    } finally {
      informer.stop();
      informer.stopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void aBootstrapSecretIsCachedWithoutItsDataAndTheClustersOwnWithIt() throws Exception {
    String ns = cp.createNamespace("caches-secrets");
    var secrets = admin.secrets().inNamespace(ns);
    secrets
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("m-1-bootstrap")
                .withLabels(
                    Map.of(
                        MachineReconciler.BOOTSTRAP_SECRET_LABEL, "true",
                        TanzuKubernetesClusterReconciler.CLUSTER_LABEL, "c1"))
                .withAnnotations(Map.of(KubeadmBootstrap.TOKEN_ANNOTATION, "abcdef"))
                .endMetadata()
                .withStringData(Map.of("value", "#cloud-config with CA keys"))
                .build())
        .create();
    secrets
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("c1-ca")
                .withLabels(Map.of(TanzuKubernetesClusterReconciler.CLUSTER_LABEL, "c1"))
                .endMetadata()
                .withStringData(Map.of("tls.crt", "a certificate"))
                .build())
        .create();

    SharedIndexInformer<Secret> informer =
        secrets.withLabel(TanzuKubernetesClusterReconciler.CLUSTER_LABEL).runnableInformer(0);
    informer.itemStore(Caches.secretsWithoutBootstrapData());
    informer.run();
    try {
      Secret bootstrap = informer.getStore().getByKey(ns + "/m-1-bootstrap");
      assertThat(bootstrap.getData()).isNull();
      assertThat(bootstrap.getMetadata().getAnnotations())
          .containsEntry(KubeadmBootstrap.TOKEN_ANNOTATION, "abcdef");
      assertThat(bootstrap.getMetadata().getManagedFields()).isNull();
      assertThat(informer.getStore().getByKey(ns + "/c1-ca").getData()).containsKey("tls.crt");
      assertThat(secrets.withName("m-1-bootstrap").get().getData())
          .as("the server's copy is whole")
          .containsKey("value");
    } finally {
      informer.stop();
      informer.stopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
