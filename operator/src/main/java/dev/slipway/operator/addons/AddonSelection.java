package dev.slipway.operator.addons;

import dev.slipway.operator.status.Reasons;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which manifests a cluster gets: the ones its release names in {@code spec.bootstrapPackages}, or
 * the defaults when it names none (releases synced from a content library carry no references). Of
 * the CNIs among them only the cluster's own; every other addon (cloud provider, CSI) always. The
 * CNI comes first: nodes become Ready only once it runs.
 */
public final class AddonSelection {
  /** The addon names that are CNIs; a cluster gets the one its spec names. */
  public static final Set<String> CNIS = dev.slipway.operator.config.AddonSettings.CNIS;

  private AddonSelection() {}

  /**
   * @param cni the cluster's CNI (spec or the configured default)
   * @param release the release's name (for messages)
   * @param packages the release's bootstrapPackages names; empty: the defaults
   * @param available every addon ConfigMap of {@code namespace}, by name
   * @param namespace the operator's namespace (for messages)
   */
  public static List<AddonManifest> select(
      String cni,
      String release,
      List<String> packages,
      Map<String, AddonManifest> available,
      String namespace)
      throws AddonException {
    List<AddonManifest> candidates =
        packages.isEmpty()
            ? defaults(available, namespace)
            : referenced(release, packages, available, namespace);
    Optional<AddonManifest> ours =
        candidates.stream().filter(m -> m.addon().equals(cni)).findFirst();
    if (ours.isEmpty()) {
      throw new AddonException(
          Reasons.ADDON_MANIFEST_NOT_FOUND,
          "no manifest for the cluster's CNI "
              + cni
              + ": "
              + (packages.isEmpty()
                  ? "TanzuKubernetesRelease "
                      + release
                      + " names no bootstrapPackages and no ConfigMap in namespace "
                      + namespace
                      + " is labelled "
                      + AddonManifest.ADDON_LABEL
                      + "="
                      + cni
                      + ","
                      + AddonManifest.DEFAULT_LABEL
                      + "=true"
                  : "TanzuKubernetesRelease " + release + " names none of that addon"));
    }
    List<AddonManifest> out = new ArrayList<>();
    out.add(ours.get());
    candidates.stream()
        .filter(m -> !CNIS.contains(m.addon()))
        .sorted(Comparator.comparing(AddonManifest::addon))
        .forEach(out::add);
    return out;
  }

  private static List<AddonManifest> referenced(
      String release, List<String> packages, Map<String, AddonManifest> available, String ns)
      throws AddonException {
    Map<String, AddonManifest> byAddon = new LinkedHashMap<>();
    for (String name : packages) {
      AddonManifest m = available.get(name);
      if (m == null) {
        throw new AddonException(
            Reasons.ADDON_MANIFEST_NOT_FOUND,
            "TanzuKubernetesRelease "
                + release
                + " names bootstrap package "
                + name
                + " but namespace "
                + ns
                + " has no ConfigMap "
                + name
                + " labelled "
                + AddonManifest.ADDON_LABEL);
      }
      AddonManifest twice = byAddon.put(m.addon(), m);
      if (twice != null) {
        throw new AddonException(
            Reasons.ADDON_MANIFEST_AMBIGUOUS,
            "TanzuKubernetesRelease "
                + release
                + " names two manifests of addon "
                + m.addon()
                + ": ConfigMaps "
                + twice.configMap()
                + " and "
                + name);
      }
    }
    return List.copyOf(byAddon.values());
  }

  private static List<AddonManifest> defaults(Map<String, AddonManifest> available, String ns)
      throws AddonException {
    Map<String, AddonManifest> byAddon = new LinkedHashMap<>();
    List<AddonManifest> sorted =
        available.values().stream()
            .filter(AddonManifest::isDefault)
            .sorted(Comparator.comparing(AddonManifest::configMap))
            .toList();
    for (AddonManifest m : sorted) {
      AddonManifest twice = byAddon.put(m.addon(), m);
      if (twice != null) {
        throw new AddonException(
            Reasons.ADDON_MANIFEST_AMBIGUOUS,
            "two default manifests of addon "
                + m.addon()
                + " in namespace "
                + ns
                + ": ConfigMaps "
                + twice.configMap()
                + " and "
                + m.configMap()
                + " are both labelled "
                + AddonManifest.DEFAULT_LABEL
                + "=true");
      }
    }
    return List.copyOf(byAddon.values());
  }
}
