package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class TkrReference {
  @Required
  @JsonPropertyDescription("Reference to a TanzuKubernetesRelease by name.")
  public Reference reference;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Reference {
    @Required
    @io.fabric8.generator.annotation.Size(max = 253)
    @io.fabric8.generator.annotation.ValidationRule(
        value = "size(self) > 0",
        message = "tkr.reference.name must name a TanzuKubernetesRelease")
    @JsonPropertyDescription(
        "Name of the TanzuKubernetesRelease, e.g. v1.30.1---vmware.1-tkg.5 ('+' written as '---').")
    public String name;
  }
}
