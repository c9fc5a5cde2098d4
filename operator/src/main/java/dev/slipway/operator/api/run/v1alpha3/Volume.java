package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.Names;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Quantity;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Volume {
  @Required
  @Size(max = 63)
  @ValidationRule(
      value = "self.matches('" + Names.DNS1123_LABEL + "')",
      message = "volumes[].name must be a DNS-1123 label (lower-case letters, digits and '-')")
  @JsonPropertyDescription("Name of the volume, unique among the machine's volumes.")
  public String name;

  @Required
  @Size(max = 4096)
  @ValidationRule(
      value = "self.startsWith('/')",
      message = "volumes[].mountPath must be an absolute path")
  @JsonPropertyDescription("Where the disk is mounted in the guest, e.g. /var/lib/containerd.")
  public String mountPath;

  @Required
  @JsonPropertyDescription("Size of the disk: {storage: 50Gi}.")
  public Capacity capacity;

  @Size(max = 253)
  @JsonPropertyDescription("Storage class of the disk; defaults to the machine's storageClass.")
  public String storageClass;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Capacity {
    @Required
    @Size(max = 32)
    @ValidationRule(
        value = "isQuantity(string(self)) && quantity(string(self)).isGreaterThan(quantity('0'))",
        message = "volumes[].capacity.storage must be a positive quantity such as 50Gi")
    @JsonPropertyDescription("Size of the disk, e.g. 50Gi.")
    public Quantity storage;
  }
}
