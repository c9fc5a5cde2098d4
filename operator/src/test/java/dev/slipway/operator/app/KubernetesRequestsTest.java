package dev.slipway.operator.app;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KubernetesRequestsTest {

  @Test
  void theResourceIsThePluralOfTheRequestPathWithItsSubresource() {
    assertThat(KubernetesRequests.resource("/api/v1/namespaces/a/secrets/b")).isEqualTo("secrets");
    assertThat(KubernetesRequests.resource("/api/v1/namespaces/a/secrets")).isEqualTo("secrets");
    assertThat(KubernetesRequests.resource("/api/v1/namespaces/team-a")).isEqualTo("namespaces");
    assertThat(KubernetesRequests.resource("/api/v1/namespaces")).isEqualTo("namespaces");
    assertThat(KubernetesRequests.resource("/api/v1/nodes/n1/status")).isEqualTo("nodes/status");
    assertThat(
            KubernetesRequests.resource(
                "/apis/cluster.slipway.dev/v1alpha1/namespaces/a/machines/m/status"))
        .isEqualTo("machines/status");
    assertThat(
            KubernetesRequests.resource(
                "/apis/coordination.k8s.io/v1/namespaces/slipway-system/leases"))
        .isEqualTo("leases");
    assertThat(
            KubernetesRequests.resource(
                "/apis/vmoperator.slipway.dev/v1alpha1/vspherenamespaces/x"))
        .isEqualTo("vspherenamespaces");
    assertThat(KubernetesRequests.resource("/version")).isEqualTo("other");
    assertThat(KubernetesRequests.resource("/apis")).isEqualTo("other");
  }
}
