package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class ControlPlane extends TopologySettings {
  @Default("1")
  @ValidationRule(
      value = "self == 1 || self == 3 || self == 5",
      message =
          "spec.topology.controlPlane.replicas must be 1, 3 or 5 (an odd number keeps etcd"
              + " quorum)")
  @ValidationRule(
      value = "self >= oldSelf",
      message =
          "spec.topology.controlPlane.replicas cannot decrease (scale the control plane out only:"
              + " 1 -> 3 -> 5)")
  @JsonPropertyDescription(
      "Number of control-plane machines: 1, 3 or 5. It may grow but never shrink. Default 1.")
  public Integer replicas;
}
