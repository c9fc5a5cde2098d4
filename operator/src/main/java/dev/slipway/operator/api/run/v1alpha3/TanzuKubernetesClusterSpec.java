package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value =
        "(has(self.settings) && has(self.settings.network))"
            + " == (has(oldSelf.settings) && has(oldSelf.settings.network))",
    message = "spec.settings.network cannot be added or removed after the cluster is created")
public class TanzuKubernetesClusterSpec {
  @Required
  @JsonPropertyDescription("The cluster's machines: the control plane and the node pools.")
  public Topology topology;

  @JsonPropertyDescription("Network and storage settings of the cluster.")
  public Settings settings;

  @JsonPropertyDescription(
      "DEPRECATED: use spec.topology.controlPlane.tkr.reference.name. Where the control plane"
          + " names no release, the newest Ready, compatible release matching"
          + " distribution.version (or exactly distribution.fullVersion) is used and recorded in"
          + " status.distribution.")
  public Distribution distribution;
}
