package dev.slipway.operator.controller;

import dev.slipway.operator.api.run.v1alpha3.Distribution;
import dev.slipway.operator.api.run.v1alpha3.DistributionStatus;
import dev.slipway.operator.api.run.v1alpha3.TanzuKubernetesRelease;
import dev.slipway.operator.controller.ClusterResolver.Unresolved;
import dev.slipway.operator.status.Conditions;
import dev.slipway.operator.status.Reasons;
import dev.slipway.operator.status.Types;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code spec.distribution} to a release, for a control plane that names no {@code tkr.reference}:
 * {@code fullVersion} names the release exactly; {@code version} is a prefix hint and picks the
 * newest Ready, compatible release matching it. Sticky: once recorded in {@code
 * status.distribution}, the choice stands until {@code spec.distribution} changes, so a newer
 * release that appears later never rolls the cluster by itself.
 */
final class Distributions {
  private Distributions() {}

  /** The release chosen, or why none is. */
  static Object choose(
      Distribution spec, DistributionStatus recorded, Collection<TanzuKubernetesRelease> all) {
    if (spec == null || (spec.version == null && spec.fullVersion == null)) {
      return new Unresolved(
          Reasons.TKR_NOT_FOUND,
          "spec.topology.controlPlane.tkr.reference.name is not set: name a"
              + " TanzuKubernetesRelease (or a version in spec.distribution.version)");
    }
    if (spec.version != null
        && spec.fullVersion != null
        && !NodeImages.matches(spec.version, spec.fullVersion)) {
      return new Unresolved(
          Reasons.DISTRIBUTION_MISMATCH,
          "spec.distribution.fullVersion "
              + spec.fullVersion
              + " does not match spec.distribution.version "
              + spec.version);
    }
    if (sticks(spec, recorded)) {
      return recorded;
    }
    if (spec.fullVersion != null) {
      String name = NodeImages.label(spec.fullVersion);
      return new DistributionStatus(spec.version, spec.fullVersion, name);
    }
    Optional<TanzuKubernetesRelease> newest =
        all.stream()
            .filter(Distributions::usable)
            .filter(r -> NodeImages.matches(spec.version, r.getSpec().version))
            .reduce((a, b) -> Versions.later(b.getSpec().version, a.getSpec().version) ? b : a);
    if (newest.isEmpty()) {
      return new Unresolved(
          Reasons.NO_MATCHING_RELEASE,
          "no Ready, compatible TanzuKubernetesRelease matches spec.distribution.version "
              + spec.version
              + " (`kubectl get tkr` lists the releases; the version must start with it, e.g."
              + " v1.37 or v1.37.2 for v1.37.2+vmware.1-tkg.1)");
    }
    TanzuKubernetesRelease r = newest.get();
    return new DistributionStatus(spec.version, r.getSpec().version, r.getMetadata().getName());
  }

  /** The recorded choice was made for this very spec.distribution. */
  static boolean sticks(Distribution spec, DistributionStatus recorded) {
    return recorded != null
        && recorded.release != null
        && Objects.equals(spec.version, recorded.version)
        && (spec.fullVersion == null || spec.fullVersion.equals(recorded.fullVersion));
  }

  private static boolean usable(TanzuKubernetesRelease r) {
    if (r.getStatus() == null || r.getSpec() == null || r.getSpec().version == null) {
      return false;
    }
    Conditions c = Conditions.of(r.getStatus().conditions, null);
    return c.isTrue(Types.READY) && c.isTrue(Types.COMPATIBLE);
  }
}
