package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Storage {
  @Size(max = 64)
  @JsonPropertyDescription(
      "Storage classes exposed in the workload cluster; unset exposes every class the"
          + " namespace grants.")
  public List<String> classes;

  @Size(max = 253)
  @JsonPropertyDescription("The workload cluster's default storage class; unset means none.")
  public String defaultClass;
}
