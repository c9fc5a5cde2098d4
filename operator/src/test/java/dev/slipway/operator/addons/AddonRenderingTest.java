package dev.slipway.operator.addons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.status.Reasons;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class AddonRenderingTest {
  static final Map<String, String> VARS =
      AddonRendering.variables(
          "demo",
          "team-a",
          List.of("192.168.0.0/16", "fd00:10::/56"),
          List.of("10.96.0.0/12"),
          "cluster.local",
          "10.0.0.10:6443");

  static AddonManifest manifest(Map<String, String> data) {
    return AddonManifest.of(
        "antrea-1", Map.of(AddonManifest.ADDON_LABEL, "antrea"), new TreeMap<>(data));
  }

  @Test
  void placeholdersAreReplacedAndDocumentsSplitInKeyOrder() throws Exception {
    List<GenericKubernetesResource> out =
        AddonRendering.render(
            manifest(
                Map.of(
                    "b.yaml",
                    """
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: antrea-config
                      namespace: kube-system
                    data:
                      pods: ${SLIPWAY_POD_CIDRS}
                      first: ${SLIPWAY_POD_CIDR}
                      services: ${SLIPWAY_SERVICE_CIDR}
                      cluster: ${SLIPWAY_CLUSTER_NAMESPACE}/${SLIPWAY_CLUSTER_NAME}
                      api: ${SLIPWAY_CONTROL_PLANE_ENDPOINT}
                      domain: ${SLIPWAY_SERVICE_DOMAIN}
                      script: echo ${HOME} $(NODE_NAME)
                    """,
                    "a.yaml",
                    """
                    # the agent's account
                    ---
                    apiVersion: v1
                    kind: ServiceAccount
                    metadata: {name: antrea-agent, namespace: kube-system}
                    ---
                    ---
                    apiVersion: apps/v1
                    kind: DaemonSet
                    metadata: {name: antrea-agent, namespace: kube-system}
                    """)),
            VARS);

    assertThat(out)
        .extracting(r -> r.getKind() + "/" + r.getMetadata().getName())
        .containsExactly(
            "ServiceAccount/antrea-agent", "DaemonSet/antrea-agent", "ConfigMap/antrea-config");
    @SuppressWarnings("unchecked")
    Map<String, Object> data =
        (Map<String, Object>) out.get(2).getAdditionalProperties().get("data");
    assertThat(data)
        .containsEntry("pods", "192.168.0.0/16,fd00:10::/56")
        .containsEntry("first", "192.168.0.0/16")
        .containsEntry("services", "10.96.0.0/12")
        .containsEntry("cluster", "team-a/demo")
        .containsEntry("api", "10.0.0.10:6443")
        .containsEntry("domain", "cluster.local")
        .containsEntry("script", "echo ${HOME} $(NODE_NAME)");
  }

  @Test
  void aMisspeltPlaceholderIsAnError() {
    assertThatThrownBy(
            () ->
                AddonRendering.render(
                    manifest(
                        Map.of(
                            "x.yaml",
                            "kind: A\napiVersion: v1\nmetadata: {name: ${SLIPWAY_POD_CDIR}}")),
                    VARS))
        .isInstanceOf(AddonException.class)
        .hasMessageStartingWith(
            "ConfigMap antrea-1 key x.yaml: unknown placeholder ${SLIPWAY_POD_CDIR} (known:")
        .extracting(e -> ((AddonException) e).reason())
        .isEqualTo(Reasons.INVALID_ADDON_MANIFEST);
  }

  @Test
  void brokenDocumentsAreNamedNotThrown() {
    assertThatThrownBy(
            () -> AddonRendering.render(manifest(Map.of("x.yaml", "kind: [unclosed\n")), VARS))
        .isInstanceOf(AddonException.class)
        .hasMessageStartingWith("ConfigMap antrea-1 key x.yaml document 1 is not valid YAML");
    assertThatThrownBy(
            () ->
                AddonRendering.render(
                    manifest(
                        Map.of(
                            "x.yaml",
                            "apiVersion: v1\nkind: A\nmetadata: {name: a}\n---\napiVersion: v1\n"
                                + "metadata: {name: b}\n")),
                    VARS))
        .hasMessage("ConfigMap antrea-1 key x.yaml document 2 has no kind");
    assertThatThrownBy(
            () ->
                AddonRendering.render(
                    manifest(Map.of("x.yaml", "apiVersion: v1\nkind: Secret\nmetadata: {}\n")),
                    VARS))
        .hasMessage("ConfigMap antrea-1 key x.yaml document 1 (Secret) has no metadata.name");
    assertThatThrownBy(() -> AddonRendering.render(manifest(Map.of("x.yaml", "- a\n- b\n")), VARS))
        .hasMessage(
            "ConfigMap antrea-1 key x.yaml document 1 is not a Kubernetes object (a YAML mapping)");
    assertThatThrownBy(
            () ->
                AddonRendering.render(
                    manifest(Map.of("x.yaml", "apiVersion: v1\nkind: List\nitems: []\n")), VARS))
        .hasMessage(
            "ConfigMap antrea-1 key x.yaml document 1 is a List: write its items as separate documents");
  }

  @Test
  void aManifestWithoutObjectsIsAnError() {
    assertThatThrownBy(() -> AddonRendering.render(manifest(Map.of("x.yaml", "# nothing\n")), VARS))
        .hasMessage("ConfigMap antrea-1 (addon antrea) holds no objects");
  }

  @Test
  void storageClassesNameTheNamespacesClassAndMarkTheDefault() {
    var scs = StorageClasses.desired(List.of("gold", "silver", "gold"), "silver");
    assertThat(scs).extracting(s -> s.getMetadata().getName()).containsExactly("gold", "silver");
    assertThat(scs)
        .allSatisfy(
            s -> {
              assertThat(s.getProvisioner()).isEqualTo("csi.vsphere.vmware.com");
              assertThat(s.getParameters())
                  .containsEntry("svStorageClass", s.getMetadata().getName());
            });
    assertThat(scs.get(0).getMetadata().getAnnotations())
        .containsEntry(StorageClasses.DEFAULT_ANNOTATION, "false");
    assertThat(scs.get(1).getMetadata().getAnnotations())
        .containsEntry(StorageClasses.DEFAULT_ANNOTATION, "true");
  }
}
