package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** When the VSphereNamespace controller may leave its quota alone (writes only what changed). */
class VSphereNamespaceWritesTest {

  static ResourceQuota quota(Map<String, String> hard, Map<String, String> used) {
    ResourceQuotaBuilder b =
        new ResourceQuotaBuilder().withNewMetadata().withName("q").endMetadata();
    b.withNewSpec().endSpec();
    hard.forEach((k, v) -> b.editSpec().addToHard(k, new Quantity(v)).endSpec());
    if (used != null) {
      b.withNewStatus().endStatus();
      used.forEach((k, v) -> b.editStatus().addToUsed(k, new Quantity(v)).endStatus());
    }
    return b.build();
  }

  @Test
  void theSameLimitsAreComparedByAmountNotBySpelling() {
    Map<String, Quantity> wanted =
        Map.of(
            "count/machines.cluster.slipway.dev",
            new Quantity("40"),
            "secrets",
            new Quantity("1k"));
    assertThat(
            VSphereNamespaceReconciler.sameLimits(
                wanted,
                quota(Map.of("count/machines.cluster.slipway.dev", "40", "secrets", "1000"), null)))
        .isTrue();
    assertThat(
            VSphereNamespaceReconciler.sameLimits(
                wanted,
                quota(Map.of("count/machines.cluster.slipway.dev", "41", "secrets", "1000"), null)))
        .as("a changed limit")
        .isFalse();
    assertThat(
            VSphereNamespaceReconciler.sameLimits(
                wanted, quota(Map.of("count/machines.cluster.slipway.dev", "40"), null)))
        .as("a limit missing")
        .isFalse();
    assertThat(
            VSphereNamespaceReconciler.sameLimits(
                Map.of("secrets", new Quantity("5")),
                quota(Map.of("secrets", "5", "configmaps", "5"), null)))
        .as("a limit too many")
        .isFalse();
  }

  @Test
  void aQuotaIsCountedOnceEveryLimitHasAUsage() {
    assertThat(VSphereNamespaceReconciler.quotaCounted(quota(Map.of("secrets", "5"), null)))
        .isFalse();
    assertThat(
            VSphereNamespaceReconciler.quotaCounted(
                quota(Map.of("secrets", "5", "configmaps", "5"), Map.of("secrets", "1"))))
        .isFalse();
    assertThat(
            VSphereNamespaceReconciler.quotaCounted(
                quota(Map.of("secrets", "5"), Map.of("secrets", "0"))))
        .isTrue();
  }
}
