package dev.slipway.operator.config;

import java.util.Objects;
import java.util.Set;

/**
 * Where the addon manifests live and which CNI a cluster gets when its spec names none.
 *
 * @param namespace the operator's namespace, holding the addons' ConfigMaps
 * @param defaultCni {@code antrea} or {@code calico}
 * @param managed false: Slipway applies no addons (someone else installs the CNI, e.g. GitOps)
 */
public record AddonSettings(String namespace, String defaultCni, boolean managed) {
  public static final Set<String> CNIS = Set.of("antrea", "calico");
  public static final String DEFAULT_NAMESPACE = "slipway-system";

  public AddonSettings {
    Objects.requireNonNull(namespace, "namespace");
    if (!CNIS.contains(defaultCni)) {
      throw new IllegalArgumentException("default CNI must be antrea or calico: " + defaultCni);
    }
  }

  /** slipway-system and antrea. */
  public static AddonSettings defaults() {
    return new AddonSettings(DEFAULT_NAMESPACE, "antrea", true);
  }

  /** The same, with no addons applied at all. */
  public AddonSettings unmanaged() {
    return new AddonSettings(namespace, defaultCni, false);
  }
}
