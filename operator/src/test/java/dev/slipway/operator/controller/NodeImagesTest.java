package dev.slipway.operator.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.slipway.operator.controller.NodeImages.NodeImage;
import org.junit.jupiter.api.Test;

class NodeImagesTest {

  @Test
  void aTkgNodeImageNameGivesVersionReleaseNameAndOs() {
    NodeImage i =
        NodeImages.parse("ob-24321-photon-5-amd64-v1.37.2---vmware.1-tkg.1").orElseThrow();
    assertThat(i.version()).isEqualTo("v1.37.2+vmware.1-tkg.1");
    assertThat(i.releaseName()).isEqualTo("v1.37.2---vmware.1-tkg.1");
    assertThat(i.kubernetesVersion()).isEqualTo("v1.37.2+vmware.1");
    assertThat(i.osName()).isEqualTo("photon");
    assertThat(i.osVersion()).isEqualTo("5");
    assertThat(i.osArch()).isEqualTo("amd64");
  }

  @Test
  void olderShapesParseToo() {
    NodeImage u =
        NodeImages.parse("ob-18186591-ubuntu-2004-kube-v1.20.7---vmware.1-tkg.1.7fb9067")
            .orElseThrow();
    assertThat(u.version()).isEqualTo("v1.20.7+vmware.1-tkg.1.7fb9067");
    assertThat(u.osName()).isEqualTo("ubuntu");
    assertThat(u.osVersion()).isEqualTo("20.04");
    assertThat(u.osArch()).isEqualTo("amd64");
    NodeImage p =
        NodeImages.parse("ob-15957779-photon-3-k8s-v1.16.8---vmware.1-tkg.3.60d2ffd").orElseThrow();
    assertThat(p.releaseName()).isEqualTo("v1.16.8---vmware.1-tkg.3.60d2ffd");
    assertThat(
            NodeImages.parse("ubuntu-2204-arm64-v1.37.2---vmware.2-tkg.1").orElseThrow().osArch())
        .isEqualTo("arm64");
  }

  @Test
  void namesThatAreNotNodeImagesAreNot() {
    assertThat(NodeImages.parse("ubuntu-2404-kube-v1.37.2")).isEmpty(); // no build: demo image
    assertThat(NodeImages.parse("haproxy-v1.2.4")).isEmpty();
    assertThat(NodeImages.parse("photon-5-amd64-v1.37.2---")).isEmpty();
    assertThat(NodeImages.parse("")).isEmpty();
    assertThat(NodeImages.parse(null)).isEmpty();
  }

  @Test
  void prefixesAreTkgsLabels() {
    assertThat(NodeImages.prefixes("v1.37.2+vmware.1-tkg.1"))
        .containsExactly(
            "v1.37.2---vmware.1-tkg.1",
            "v1.37.2---vmware.1-tkg",
            "v1.37.2---vmware.1",
            "v1.37.2---vmware",
            "v1.37.2",
            "v1.37",
            "v1");
  }

  @Test
  void aHintMatchesWholeVersionParts() {
    String v = "v1.37.2+vmware.1-tkg.1";
    assertThat(NodeImages.matches("v1.37", v)).isTrue();
    assertThat(NodeImages.matches("v1.37.2", v)).isTrue();
    assertThat(NodeImages.matches("v1.37.2+vmware.1", v)).isTrue();
    assertThat(NodeImages.matches("v1.37.2---vmware.1", v)).isTrue();
    assertThat(NodeImages.matches(v, v)).isTrue();
    assertThat(NodeImages.matches("v1.3", v)).isFalse();
    assertThat(NodeImages.matches("v1.37.", v)).isFalse();
    assertThat(NodeImages.matches("v1.37.20", v)).isFalse();
    assertThat(NodeImages.matches("v1.38", v)).isFalse();
  }
}
