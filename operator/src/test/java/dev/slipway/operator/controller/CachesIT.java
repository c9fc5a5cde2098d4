package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.testenv.ControlPlane;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
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
}
