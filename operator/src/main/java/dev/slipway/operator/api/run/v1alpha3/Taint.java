package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.slipway.operator.api.common.Names;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Taint {
  @Required
  @Size(max = 317)
  @ValidationRule(
      value = "self.matches('" + Names.QUALIFIED_NAME + "')",
      message =
          "taints[].key must be a Kubernetes qualified name: [DNS-subdomain-prefix/]name, the"
              + " name up to 63 letters, digits, '-', '_' or '.'")
  @JsonPropertyDescription("The taint key.")
  public String key;

  @Size(max = 63)
  @ValidationRule(
      value = "self.matches('" + Names.LABEL_VALUE + "')",
      message = "taints[].value must be at most 63 letters, digits, '-', '_' or '.'")
  @JsonPropertyDescription("The taint value.")
  public String value;

  @Required
  @JsonPropertyDescription("NoSchedule, PreferNoSchedule or NoExecute.")
  public Effect effect;

  public enum Effect {
    NoSchedule,
    PreferNoSchedule,
    NoExecute
  }
}
