package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/**
 * What {@code spec.distribution} resolved to. TKG Service writes the resolved full version into the
 * spec with a mutating webhook; Slipway writes it here, so a manifest kept in Git never differs
 * from the object (no drift for GitOps).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DistributionStatus {
  @JsonPropertyDescription("spec.distribution.version when the release was resolved.")
  public String version;

  @JsonPropertyDescription("The full version resolved, e.g. v1.37.2+vmware.1-tkg.1.")
  public String fullVersion;

  @JsonPropertyDescription(
      "The TanzuKubernetesRelease the cluster uses where it names none; kept until"
          + " spec.distribution changes, so a newer release never moves the cluster by itself.")
  public String release;

  public DistributionStatus() {}

  public DistributionStatus(String version, String fullVersion, String release) {
    this.version = version;
    this.fullVersion = fullVersion;
    this.release = release;
  }
}
