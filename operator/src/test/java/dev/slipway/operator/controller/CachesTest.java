package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesCluster;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterSpec;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesClusterStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachesTest {
  @Test
  void aClusterSummaryKeepsIdentityPhaseAndConditionsWithoutMessagesOrSpec() {
    TanzuKubernetesCluster c = new TanzuKubernetesCluster();
    c.setMetadata(
        new ObjectMetaBuilder()
            .withName("demo")
            .withNamespace("team-a")
            .withUid("u-1")
            .withResourceVersion("7")
            .withGeneration(3L)
            .withCreationTimestamp("2026-12-04T11:00:00Z")
            .withDeletionTimestamp("2026-12-04T12:30:00Z")
            .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "{...}")
            .build());
    c.setSpec(new TanzuKubernetesClusterSpec());
    TanzuKubernetesClusterStatus status = new TanzuKubernetesClusterStatus();
    status.phase = "running";
    status.version = "v1.37.2";
    status.conditions =
        List.of(new Condition("2026-12-04T12:00:00Z", "all good", 3L, null, "True", "Ready"));
    c.setStatus(status);

    TanzuKubernetesCluster s = Caches.summary(c);

    assertThat(s.getMetadata().getName()).isEqualTo("demo");
    assertThat(s.getMetadata().getNamespace()).isEqualTo("team-a");
    assertThat(s.getMetadata().getUid()).isEqualTo("u-1");
    assertThat(s.getMetadata().getResourceVersion()).isEqualTo("7");
    assertThat(s.getMetadata().getGeneration()).isEqualTo(3L);
    assertThat(s.getMetadata().getDeletionTimestamp()).isEqualTo("2026-12-04T12:30:00Z");
    assertThat(s.getMetadata().getAnnotations()).isNullOrEmpty();
    assertThat(s.getSpec()).isNull();
    assertThat(s.getStatus().phase).isEqualTo("running");
    assertThat(s.getStatus().version).isNull();
    assertThat(s.getStatus().conditions)
        .singleElement()
        .satisfies(
            x -> {
              assertThat(x.getType()).isEqualTo("Ready");
              assertThat(x.getStatus()).isEqualTo("True");
              assertThat(x.getMessage()).isNull();
            });
    assertThat(c.getStatus().conditions.get(0).getMessage())
        .as("the object the informer was handed is left whole")
        .isEqualTo("all good");
  }

  @Test
  void aMachineSummaryIsMadeOfAMachineAsTheApiServerSendsIt() {
    dev.slipway.operator.api.cluster.v1alpha1.Machine m =
        new dev.slipway.operator.api.cluster.v1alpha1.Machine();
    m.setMetadata(new ObjectMetaBuilder().withName("m-0").withNamespace("team-a").build());
    m.setSpec(new dev.slipway.operator.api.cluster.v1alpha1.Machine.Spec());
    m.getSpec().vmClass = "best-effort-small";
    assertThat(Caches.summary(m).getSpec().vmClass).isEqualTo("best-effort-small");
    assertThat(Caches.summary(m).getMetadata().getName()).isEqualTo("m-0");
  }
}
