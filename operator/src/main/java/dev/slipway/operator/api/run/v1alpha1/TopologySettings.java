package dev.slipway.operator.api.run.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.Names;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What v1alpha1's control plane and workers share: {@code class} and {@code storageClass}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public abstract class TopologySettings {
  @Required
  @Size(max = 253)
  @ValidationRule(
      value = "self.matches('" + Names.DNS1123_SUBDOMAIN + "')",
      message =
          "class must name a VirtualMachineClass: a non-empty DNS-1123 name (lower-case"
              + " letters, digits, '-' and '.')")
  @JsonProperty("class")
  @JsonPropertyDescription("Name of the VirtualMachineClass of these machines (v1alpha3: vmClass).")
  public String vmClass;

  @Required
  @Size(max = 253)
  @ValidationRule(
      value = "self.matches('" + Names.DNS1123_SUBDOMAIN + "')",
      message =
          "storageClass must be a non-empty DNS-1123 name (lower-case letters, digits, '-' and"
              + " '.')")
  @JsonPropertyDescription("Storage class of the machines' disks.")
  public String storageClass;
}
