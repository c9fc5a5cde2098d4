package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.slipway.operator.api.cluster.v1alpha1.Machine;
import dev.slipway.testenv.ControlPlane;
import dev.slipway.testenv.Manifests;
import dev.slipway.testenv.TestBed;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
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
    Manifests.installCrds(admin, TestBed.repositoryRoot());
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

  @Test
  void aMachineSummaryKeepsWhatUsageAndMetricsReadAndHandlersStillGetTheWholeMachine()
      throws Exception {
    String ns = cp.createNamespace("caches-machines");
    Machine m = new Machine();
    m.setMetadata(
        new ObjectMetaBuilder()
            .withName("m-0")
            .withNamespace(ns)
            .withLabels(Map.of("cluster.x-k8s.io/cluster-name", "demo"))
            .withFinalizers("cluster.slipway.dev/machine")
            .build());
    Machine.Spec spec = new Machine.Spec();
    spec.clusterName = "demo";
    spec.role = Machine.Role.worker;
    spec.pool = "general";
    spec.version = "v1.37.2+vmware.1";
    spec.vmClass = "best-effort-small";
    spec.storageClass = "gold";
    spec.image = new Machine.Image();
    spec.image.contentLibrary = "slipway-demo";
    spec.image.item = "ubuntu-2404-kube-v1.37.2";
    m.setSpec(spec);
    Machine made = admin.resources(Machine.class).inNamespace(ns).resource(m).create();
    Machine.Status status = new Machine.Status();
    status.phase = "Provisioning";
    status.vmRef = "vm-42";
    status.conditions =
        List.of(
            new Condition(
                "2026-12-04T12:00:00Z",
                "waiting for the clone task",
                1L,
                "Cloning",
                "False",
                "VMProvisioned"));
    made.setStatus(status);
    admin.resources(Machine.class).inNamespace(ns).resource(made).updateStatus();

    CompletableFuture<Machine> handed = new CompletableFuture<>();
    SharedIndexInformer<Machine> informer =
        admin.resources(Machine.class).inNamespace(ns).runnableInformer(0);
    informer.itemStore(Caches.machineSummaries());
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(Machine obj) {
            handed.complete(obj);
          }

          @Override
          public void onUpdate(Machine oldObj, Machine newObj) {}

          @Override
          public void onDelete(Machine obj, boolean deletedFinalStateUnknown) {}
        });
    informer.run();
    try {
      Machine cached =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> informer.getStore().getByKey(ns + "/m-0"), Objects::nonNull);
      assertThat(cached.getMetadata().getUid()).isEqualTo(made.getMetadata().getUid());
      assertThat(cached.getMetadata().getResourceVersion()).isNotBlank();
      assertThat(cached.getMetadata().getCreationTimestamp()).isNotBlank();
      assertThat(cached.getMetadata().getLabels()).isNullOrEmpty();
      assertThat(cached.getMetadata().getFinalizers()).isNullOrEmpty();
      assertThat(cached.getMetadata().getManagedFields()).isNullOrEmpty();
      assertThat(cached.getSpec().vmClass).isEqualTo("best-effort-small");
      assertThat(cached.getSpec().clusterName).isEqualTo("demo");
      assertThat(cached.getSpec().image).isNull();
      assertThat(cached.getStatus().phase).isEqualTo("Provisioning");
      assertThat(cached.getStatus().vmRef).isNull();
      assertThat(cached.getStatus().conditions)
          .singleElement()
          .satisfies(
              c -> {
                assertThat(c.getType()).isEqualTo("VMProvisioned");
                assertThat(c.getStatus()).isEqualTo("False");
                assertThat(c.getReason()).isEqualTo("Cloning");
                assertThat(c.getLastTransitionTime()).isEqualTo("2026-12-04T12:00:00Z");
                assertThat(c.getMessage()).isNull();
              });

      Machine whole = handed.get(10, TimeUnit.SECONDS);
      assertThat(whole.getSpec().image.item).isEqualTo("ubuntu-2404-kube-v1.37.2");
      assertThat(whole.getStatus().vmRef).isEqualTo("vm-42");
      assertThat(whole.getMetadata().getLabels()).containsKey("cluster.x-k8s.io/cluster-name");
    } finally {
      informer.stop();
      informer.stopped().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
