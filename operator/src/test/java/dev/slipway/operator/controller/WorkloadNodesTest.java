package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadNodesTest {
  static Secret bootstrap(Map<String, String> annotations) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName("c1-control-plane-x-bootstrap")
        .withAnnotations(annotations)
        .endMetadata()
        .build();
  }

  @Test
  void theInitMachineDoesNotJoinWithATokenSlipwayMade() {
    // kubeadm init makes the token its config lists: missing until then is no revocation.
    assertThat(
            WorkloadNodes.joins(
                bootstrap(
                    Map.of(
                        KubeadmBootstrap.KIND_ANNOTATION,
                        KubeadmBootstrap.KIND_INIT,
                        KubeadmBootstrap.TOKEN_ANNOTATION,
                        "abcdef"))))
        .contains(false);
  }

  @Test
  void aJoiningMachineDoes() {
    assertThat(
            WorkloadNodes.joins(
                bootstrap(
                    Map.of(
                        KubeadmBootstrap.KIND_ANNOTATION,
                        KubeadmBootstrap.KIND_JOIN,
                        KubeadmBootstrap.TOKEN_ANNOTATION,
                        "ghijkl"))))
        .contains(true);
  }

  @Test
  void aSecretThatDoesNotSayLeavesItToTheCluster() {
    assertThat(WorkloadNodes.joins(bootstrap(Map.of(KubeadmBootstrap.TOKEN_ANNOTATION, "mnopqr"))))
        .isEmpty();
    assertThat(WorkloadNodes.joins(bootstrap(null))).isEmpty();
  }
}
