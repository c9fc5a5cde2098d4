package dev.slipway.operator.addons;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.slipway.operator.status.Reasons;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AddonSelectionTest {
  static final String NS = "slipway-system";

  static AddonManifest manifest(String name, String addon, boolean isDefault) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(AddonManifest.ADDON_LABEL, addon);
    if (isDefault) {
      labels.put(AddonManifest.DEFAULT_LABEL, "true");
    }
    return AddonManifest.of(name, labels, Map.of("a.yaml", "kind: x"));
  }

  static Map<String, AddonManifest> available(AddonManifest... ms) {
    Map<String, AddonManifest> out = new LinkedHashMap<>();
    for (AddonManifest m : ms) {
      out.put(m.configMap(), m);
    }
    return out;
  }

  static List<String> names(List<AddonManifest> ms) {
    return ms.stream().map(AddonManifest::configMap).toList();
  }

  final Map<String, AddonManifest> all =
      available(
          manifest("antrea-1", "antrea", true),
          manifest("antrea-2", "antrea", false),
          manifest("calico-1", "calico", true),
          manifest("vsphere-csi-1", "vsphere-csi", true),
          manifest("vsphere-cpi-1", "vsphere-cpi", true),
          manifest("vsphere-cpi-2", "vsphere-cpi", false));

  @Test
  void aReleaseWithoutPackagesGetsTheDefaultsWithItsOwnCniFirst() throws Exception {
    assertThat(names(AddonSelection.select("antrea", "r1", List.of(), all, NS)))
        .containsExactly("antrea-1", "vsphere-cpi-1", "vsphere-csi-1");
    assertThat(names(AddonSelection.select("calico", "r1", List.of(), all, NS)))
        .containsExactly("calico-1", "vsphere-cpi-1", "vsphere-csi-1");
  }

  @Test
  void aReleaseWithPackagesGetsExactlyThoseAndNoOtherCni() throws Exception {
    assertThat(
            names(
                AddonSelection.select(
                    "antrea", "r2", List.of("vsphere-cpi-2", "antrea-2", "calico-1"), all, NS)))
        .containsExactly("antrea-2", "vsphere-cpi-2");
  }

  @Test
  void aMissingReferencedManifestIsNamed() {
    assertThatThrownBy(() -> AddonSelection.select("antrea", "r2", List.of("antrea-9"), all, NS))
        .isInstanceOf(AddonException.class)
        .hasMessage(
            "TanzuKubernetesRelease r2 names bootstrap package antrea-9 but namespace"
                + " slipway-system has no ConfigMap antrea-9 labelled slipway.dev/addon")
        .extracting(e -> ((AddonException) e).reason())
        .isEqualTo(Reasons.ADDON_MANIFEST_NOT_FOUND);
  }

  @Test
  void theClustersCniMustBeThere() {
    assertThatThrownBy(() -> AddonSelection.select("calico", "r2", List.of("antrea-2"), all, NS))
        .hasMessage(
            "no manifest for the cluster's CNI calico: TanzuKubernetesRelease r2 names"
                + " none of that addon");
    assertThatThrownBy(
            () ->
                AddonSelection.select(
                    "calico", "r1", List.of(), available(manifest("a", "antrea", true)), NS))
        .hasMessageContaining(
            "names no bootstrapPackages and no ConfigMap in namespace slipway-system is labelled"
                + " slipway.dev/addon=calico,slipway.dev/addon-default=true");
  }

  @Test
  void twoDefaultsOfOneAddonAreAmbiguous() {
    Map<String, AddonManifest> two =
        available(manifest("antrea-1", "antrea", true), manifest("antrea-2", "antrea", true));
    assertThatThrownBy(() -> AddonSelection.select("antrea", "r1", List.of(), two, NS))
        .hasMessage(
            "two default manifests of addon antrea in namespace slipway-system: ConfigMaps"
                + " antrea-1 and antrea-2 are both labelled slipway.dev/addon-default=true")
        .extracting(e -> ((AddonException) e).reason())
        .isEqualTo(Reasons.ADDON_MANIFEST_AMBIGUOUS);
  }

  @Test
  void aReleaseNamingTwoManifestsOfOneAddonIsAmbiguous() {
    assertThatThrownBy(
            () -> AddonSelection.select("antrea", "r2", List.of("antrea-1", "antrea-2"), all, NS))
        .extracting(e -> ((AddonException) e).reason())
        .isEqualTo(Reasons.ADDON_MANIFEST_AMBIGUOUS);
  }
}
