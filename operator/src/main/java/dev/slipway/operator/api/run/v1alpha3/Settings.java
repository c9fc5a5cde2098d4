package dev.slipway.operator.api.run.v1alpha3;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Settings {
  @ValidationRule(
      value = "self == oldSelf",
      message = "spec.settings.network is immutable after the cluster is created")
  @JsonPropertyDescription("The cluster's network: CNI, pod and service ranges, proxy, trust.")
  public Network network;

  @JsonPropertyDescription("Storage classes offered inside the workload cluster.")
  public Storage storage;
}
