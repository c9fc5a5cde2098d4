package dev.slipway.operator.config;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Where the addon manifests live and which CNI a cluster gets when its spec names none.
 *
 * @param namespace the operator's namespace, holding the addons' ConfigMaps
 * @param defaultCni {@code antrea} or {@code calico}
 * @param managed false: Slipway applies no addons (someone else installs the CNI, e.g. GitOps)
 * @param resync how often a cluster's addons are applied again when nothing asked for it, so that
 *     an object changed or deleted in the workload cluster comes back
 */
public record AddonSettings(String namespace, String defaultCni, boolean managed, Duration resync) {
  public static final Set<String> CNIS = Set.of("antrea", "calico");
  public static final String DEFAULT_NAMESPACE = "slipway-system";

  /**
   * Ten minutes, kapp-controller's default sync period for a PackageInstall (the way TKG itself
   * reconciles these addons): a drifted addon is put back within it, and 1 000 idle clusters cost
   * 100 cluster passes a minute, each applying every addon object again (docs/performance.md,
   * optimisations 22 and 47; it was 5 minutes until 47).
   */
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  public AddonSettings {
    Objects.requireNonNull(namespace, "namespace");
    if (!CNIS.contains(defaultCni)) {
      throw new IllegalArgumentException("default CNI must be antrea or calico: " + defaultCni);
    }
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException("addons resync must be positive: " + resync);
    }
  }

  /** slipway-system and antrea. */
  public static AddonSettings defaults() {
    return new AddonSettings(DEFAULT_NAMESPACE, "antrea", true, DEFAULT_RESYNC);
  }

  /** The same, with no addons applied at all. */
  public AddonSettings unmanaged() {
    return new AddonSettings(namespace, defaultCni, false, resync);
  }

  /** The same, applied again every {@code every}. */
  public AddonSettings resyncEvery(Duration every) {
    return new AddonSettings(namespace, defaultCni, managed, every);
  }
}
